import { createHash } from 'node:crypto';

/**
 * The custom metadata an image object carries, kept within Cloud Storage's limit: 8 KiB for
 * all keys and values together. The whole prompt lives in Firestore; the object carries its
 * SHA-256 and a bounded excerpt, enough to recognise the image without the database.
 * fake-gcs-server accepts any size, so both bucket adapters check the limit themselves.
 */
export const MAX_CUSTOM_METADATA_BYTES = 8192;
export const PROMPT_EXCERPT_CHARS = 200;

/** A storage failure that retrying cannot fix (a refused request, metadata over the limit). */
export class PermanentStorageError extends Error {
  override name = 'PermanentStorageError';
}

export interface ImageObjectFacts {
  runId: string;
  promptId: string;
  prompt: string;
  provider: string;
  model: string;
  seed: number;
}

export function imageObjectMetadata(facts: ImageObjectFacts): Record<string, string> {
  return {
    runId: facts.runId,
    promptId: facts.promptId,
    promptSha256: createHash('sha256').update(facts.prompt).digest('hex'),
    promptExcerpt: excerpt(facts.prompt, PROMPT_EXCERPT_CHARS),
    provider: facts.provider,
    model: facts.model,
    seed: String(facts.seed),
  };
}

/** Bytes Cloud Storage counts against the limit: every key and value, UTF-8 encoded. */
export function customMetadataBytes(metadata: Record<string, string>): number {
  return Object.entries(metadata).reduce((sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(value), 0);
}

export function assertMetadataWithinLimits(metadata: Record<string, string>): void {
  const bytes = customMetadataBytes(metadata);
  if (bytes > MAX_CUSTOM_METADATA_BYTES) {
    throw new PermanentStorageError(`object metadata is ${bytes} bytes; Cloud Storage allows ${MAX_CUSTOM_METADATA_BYTES}`);
  }
}

/** The first `max` characters, never splitting a surrogate pair, with an ellipsis when cut. */
function excerpt(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
