import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { Storage } from '@google-cloud/storage';
import { inject } from 'vitest';
import { FirestoreRunStore } from '../../functions/adapters/firestore-store.js';
import { ApiClient, type RunStatus } from '../../scripts/client/api-client.js';

/** Real emulator clients for the stack that global-setup started. */
export function stackClients() {
  const stack = inject('stack');
  Object.assign(process.env, stack.clientEnv);
  const firestore = new Firestore({ projectId: stack.projectId, ignoreUndefinedProperties: true });
  const storage = new Storage({ projectId: stack.projectId, apiEndpoint: stack.clientEnv.STORAGE_API_ENDPOINT });
  return {
    stack,
    firestore,
    store: new FirestoreRunStore(firestore),
    bucket: storage.bucket(stack.bucket),
    previews: storage.bucket(stack.previewBucket),
    pubsub: new PubSub({ projectId: stack.projectId }),
    api: new ApiClient(stack.apiUrl, stack.instructorToken),
  };
}

/** A JSON request to the stack's api with a token, answering its status and parsed body: for tests that check answers route by route. */
export function jsonCaller(apiUrl: string) {
  return async function call<T>(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
}

/** Polls the API until the run completes; fails with the last status if it doesn't in time. */
export async function waitForRun(api: ApiClient, runId: string, timeoutMs = 120_000): Promise<RunStatus> {
  const deadline = Date.now() + timeoutMs;
  let status = await api.getRun(runId);
  while (status.state !== 'completed') {
    if (Date.now() > deadline) throw new Error(`run ${runId} did not complete: ${JSON.stringify(status.counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    status = await api.getRun(runId);
  }
  return status;
}

/**
 * How long a test waits for a function's log line (vi.waitFor options). Lines reach the log file
 * through the stack's pipe, a moment after the state they describe is stored: on a busy machine a
 * run can read `completed` before the lines of its last steps are in the file.
 */
export const LOG_LANDS = { timeout: 30_000, interval: 250 };

/** The structured log lines one function wrote, filtered to a run. */
export function functionLog(logDir: string, functionName: string, runId: string): Array<Record<string, unknown>> {
  return readFileSync(join(logDir, `${functionName}.log`), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.runId === runId);
}

export function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}
