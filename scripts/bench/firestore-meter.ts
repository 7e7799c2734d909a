/**
 * Counts billable Firestore operations on the wire, for benchmarks: a gRPC interceptor passed
 * to the Firestore client through its settings, so the stores run unchanged. Billing follows
 * Firestore's rules: a document returned by a query or a get is one read, a query that returns
 * nothing is one read, an aggregation is one read per 1,000 index entries (at least one; the
 * runs here stay under 1,000 prompts), and each write in a commit is one write.
 */
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';

export interface FirestoreMeter {
  reads: number;
  writes: number;
  /** Requests by method, e.g. RunQuery, RunAggregationQuery, BatchGetDocuments, Commit. */
  calls: Record<string, number>;
}

export const newMeter = (): FirestoreMeter => ({ reads: 0, writes: 0, calls: Object.create(null) as Record<string, number> });

interface Message {
  document?: unknown;
  found?: unknown;
  missing?: unknown;
  result?: unknown;
  writes?: unknown[];
}

function meteringInterceptor(meter: FirestoreMeter): Interceptor {
  return (options, nextCall) => {
    const method = options.method_definition.path.split('/').pop() ?? 'unknown';
    meter.calls[method] = (meter.calls[method] ?? 0) + 1;
    let returned = 0;
    return new InterceptingCall(nextCall(options), {
      start(metadata, _listener, next) {
        next(metadata, {
          onReceiveMessage(message: Message, nextMessage) {
            if (message.document || message.found || message.missing || message.result) returned += 1;
            nextMessage(message);
          },
          onReceiveStatus(status, nextStatus) {
            if (method === 'RunQuery' || method === 'RunAggregationQuery' || method === 'BatchGetDocuments') meter.reads += Math.max(1, returned);
            nextStatus(status);
          },
        });
      },
      sendMessage(message: Message, next) {
        if ((method === 'Commit' || method === 'BatchWrite') && Array.isArray(message.writes)) meter.writes += message.writes.length;
        next(message);
      },
    });
  };
}

/** Settings for `new Firestore(...)` that route every call through the meter. */
export function meteredFirestoreSettings(meter: FirestoreMeter): Record<string, unknown> {
  const interceptor = meteringInterceptor(meter);
  return {
    'grpc.callInvocationTransformer': (properties: { callOptions: { interceptors?: Interceptor[] } }) => ({
      ...properties,
      callOptions: { ...properties.callOptions, interceptors: [...(properties.callOptions.interceptors ?? []), interceptor] },
    }),
  };
}
