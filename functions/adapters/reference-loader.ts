import type { ReferenceImage } from '../core/objects/index.js';
import type { ImageBucket, ReferenceStore } from '../core/ports.js';

/** What the generator needs of the references: their stored bytes, by id. */
export type LoadReferences = (referenceIds: readonly string[]) => Promise<ReferenceImage[]>;

/**
 * Reads each reference's record, then its stored bytes from the references bucket. A reference
 * deleted since the run was planned is left out: its owner wanted it gone, so it guides nothing.
 * A read that fails throws, and the prompt is retried before any model call.
 */
export function referenceLoader(store: Pick<ReferenceStore, 'get'>, bucket: Pick<ImageBucket, 'read'>): LoadReferences {
  return async (referenceIds) => {
    const loaded = await Promise.all(
      referenceIds.map(async (referenceId): Promise<ReferenceImage | null> => {
        const record = await store.get(referenceId);
        const bytes = record ? await bucket.read(record.objectName) : null;
        // Stored references are always re-encoded as JPEG (adapters/reference-image.ts).
        return bytes ? { referenceId, bytes, mimeType: 'image/jpeg' } : null;
      }),
    );
    return loaded.filter((reference): reference is ReferenceImage => reference !== null);
  };
}
