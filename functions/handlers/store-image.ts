import { PermanentStorageError } from '../core/objects/index.js';
import type { ImageBucket, StoredObject } from '../core/ports.js';

/** Pauses between writes of an image the model already answered with: about 3 s in all. */
export const STORAGE_RETRY_DELAYS_MS = [1000, 2000];

export type StoreOutcome = { ok: true; stored: StoredObject & { created: boolean } } | { ok: false; error: string };

/**
 * Writes an image the model has already been paid for. Transient failures are retried here,
 * while the lease still covers the work, because throwing would make Pub/Sub redeliver and
 * the redelivery would call the model again. It never throws: the caller ends the prompt.
 * The write is create-only, so a retry after a write whose answer was lost finds the object.
 */
export async function storeGeneratedImage(
  bucket: ImageBucket,
  name: string,
  png: Buffer,
  metadata: Record<string, string>,
  sleep: (ms: number) => Promise<void>,
): Promise<StoreOutcome> {
  let lastError = '';
  for (let attempt = 0; attempt <= STORAGE_RETRY_DELAYS_MS.length; attempt++) {
    if (attempt > 0) await sleep(STORAGE_RETRY_DELAYS_MS[attempt - 1] ?? 0);
    try {
      return { ok: true, stored: await bucket.writeIfAbsent(name, png, metadata) };
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
      if (error instanceof PermanentStorageError) break;
    }
  }
  return { ok: false, error: lastError };
}
