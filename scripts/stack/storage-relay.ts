import type { Message, PubSub } from '@google-cloud/pubsub';

/**
 * Stands in for Eventarc: turns the storage emulator's OBJECT_FINALIZE Pub/Sub
 * notifications into binary-mode `google.cloud.storage.object.v1.finalized`
 * CloudEvents, the event production delivers, and POSTs them to the assessor.
 */
export const FINALIZED_EVENT_TYPE = 'google.cloud.storage.object.v1.finalized';

export interface NotificationMessage {
  id: string;
  data: Buffer;
  attributes: Record<string, string>;
  publishTime?: Date;
}

export interface BinaryCloudEvent {
  headers: Record<string, string>;
  body: string;
}

/** Returns null for notifications other than OBJECT_FINALIZE. */
export function toFinalizedCloudEvent(message: NotificationMessage): BinaryCloudEvent | null {
  if (message.attributes.eventType !== 'OBJECT_FINALIZE') return null;
  const object = JSON.parse(message.data.toString('utf8')) as Record<string, unknown>;
  const bucket = String(object.bucket ?? message.attributes.bucketId ?? '');
  const name = String(object.name ?? message.attributes.objectId ?? '');
  // Real events carry int64 fields as strings.
  for (const field of ['generation', 'metageneration', 'size']) {
    if (typeof object[field] === 'number') object[field] = String(object[field]);
  }
  object.generation ??= message.attributes.objectGeneration;
  const time = typeof object.updated === 'string' ? object.updated : (message.publishTime ?? new Date()).toISOString();
  return {
    headers: {
      'content-type': 'application/json',
      'ce-id': message.id,
      'ce-source': `//storage.googleapis.com/projects/_/buckets/${bucket}`,
      'ce-specversion': '1.0',
      'ce-type': FINALIZED_EVENT_TYPE,
      'ce-subject': `objects/${name}`,
      'ce-time': time,
    },
    body: JSON.stringify(object),
  };
}

export async function deliver(targetUrl: string, event: BinaryCloudEvent): Promise<number> {
  const response = await fetch(targetUrl, { method: 'POST', headers: event.headers, body: event.body, signal: AbortSignal.timeout(120_000) });
  await response.arrayBuffer();
  return response.status;
}

export interface StorageRelay {
  delivered: () => number;
  stop(): Promise<void>;
}

/** Pulls notifications and delivers them; a failed delivery is nacked after a pause, so it is retried with backoff. */
export function startStorageRelay(options: { pubsub: PubSub; subscription: string; bucket: string; targetUrl: string; onError?: (error: unknown) => void; shouldDrop?: (objectName: string) => boolean }): StorageRelay {
  const subscription = options.pubsub.subscription(options.subscription, { flowControl: { maxMessages: 8, allowExcessMessages: false } });
  let delivered = 0;
  subscription.on('message', (message: Message) => {
    void (async () => {
      const event = toFinalizedCloudEvent({ id: message.id, data: message.data, attributes: message.attributes, publishTime: message.publishTime });
      // Eventarc's storage trigger filters by bucket: objects of any other bucket never reach the assessor.
      if (!event || message.attributes.bucketId !== options.bucket) return message.ack();
      // Fault injection (tests only): acknowledged and never delivered, as a lost event would be.
      if (options.shouldDrop?.(message.attributes.objectId ?? '')) return message.ack();
      const status = await deliver(options.targetUrl, event).catch(() => 0);
      if ([200, 201, 202, 204, 102].includes(status)) {
        delivered += 1;
        return message.ack();
      }
      const backoffMs = Math.min(10_000, 1000 * 2 ** Math.min(message.deliveryAttempt ?? 1, 4));
      setTimeout(() => message.nack(), backoffMs).unref();
    })();
  });
  subscription.on('error', (error) => options.onError?.(error));
  return {
    delivered: () => delivered,
    stop: () => subscription.close(),
  };
}
