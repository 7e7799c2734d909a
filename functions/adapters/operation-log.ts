/**
 * Records the cloud operations a function performs through its ports, so the IAM grants in infra/
 * can be checked against what the code really does (scripts/lib/iam-check.ts). No emulator enforces
 * IAM, so this record is the only way a missing permission shows up before a deployment.
 *
 * Only the local stack sets OPERATION_LOG; without it nothing is wrapped and nothing is written.
 */
import { appendFileSync } from 'node:fs';

/** The cloud service behind a port, as IAM names it. */
export type CloudService = 'storage' | 'firestore' | 'pubsub' | 'secretmanager';

export interface RecordedOperation {
  /** The function's entry point (api, generateImage, assessImage, reconcile). */
  function: string;
  service: CloudService;
  /** What the operation acts on: the environment variable that names the bucket, topic or secret, or `project` for Firestore. */
  resource: string;
  /** The port and method, e.g. `ImageBucket.deletePrefix`. */
  operation: string;
  /** The first argument when it is text (an object name, a run id), so a test can find one operation. */
  target?: string;
}

export interface OperationRecorder {
  /** Wraps a port so each method call is recorded before it runs; the port itself is unchanged. */
  wrap<T extends object>(port: T, portName: string, service: CloudService, resource: string): T;
  /** Records an operation that has no port, such as a secret the platform injects at start. */
  record(service: CloudService, resource: string, operation: string): void;
}

/** Returns the port as it is: what deployments and unit tests use. */
const passThrough: OperationRecorder = { wrap: (port) => port, record: () => {} };

export function operationRecorder(logFile: string | undefined, functionName: string): OperationRecorder {
  if (!logFile) return passThrough;
  const append = (entry: RecordedOperation) => appendFileSync(logFile, `${JSON.stringify(entry)}\n`);
  return {
    wrap<T extends object>(port: T, portName: string, service: CloudService, resource: string): T {
      return new Proxy(port, {
        get(target, key, receiver) {
          const value = Reflect.get(target, key, receiver) as unknown;
          if (typeof value !== 'function' || typeof key !== 'string') return value;
          return (...args: unknown[]) => {
            const first = args[0];
            append({ function: functionName, service, resource, operation: `${portName}.${key}`, ...(typeof first === 'string' ? { target: first } : {}) });
            return (value as (...inner: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    },
    record(service, resource, operation) {
      append({ function: functionName, service, resource, operation });
    },
  };
}
