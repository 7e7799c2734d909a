/**
 * The port every image source implements: the embedded renderer and Gemini.
 * A provider throws PermanentProviderError when retrying cannot help (blocked prompt,
 * bad request); any other error is treated as transient and retried through Pub/Sub.
 */
export interface ImageRequest {
  prompt: string;
  category: string;
  variables: Record<string, string>;
  seed: number;
  /** Requested output shape; providers that render a fixed size ignore it. */
  aspectRatio?: string;
  imageSize?: string;
  /** Reference photographs that guide this image, as stored (downscaled, metadata stripped); absent means none. */
  references?: ReferenceImage[];
}

export interface ReferenceImage {
  referenceId: string;
  bytes: Buffer;
  mimeType: string;
}

/**
 * Sent with every reference: a reference is a guide, never a source. The workshop uses synthetic
 * images because the real photographs may not be shared, so an image that reproduces one (or a
 * person in it) would defeat the purpose; the privacy guard screens the results all the same.
 */
export const REFERENCE_INSTRUCTION =
  'The attached photographs are references. Use them only as a guide to the kind of scene, its composition and the elements in it. ' +
  'Never reproduce a person, a face, legible text or any identifying detail from them, and never copy a photograph: create a new, entirely fictional image from the description that follows.';

export interface GeneratedImage {
  /** PNG bytes. Providers convert whatever the model returns, so the dataset stays uniform. */
  png: Buffer;
  model: string;
}

export interface ImageProvider {
  readonly name: string;
  readonly model: string;
  generate(request: ImageRequest): Promise<GeneratedImage>;
}

export class PermanentProviderError extends Error {
  constructor(
    /** Short machine-readable reason, e.g. `blocked:SAFETY` or `no_image`. */
    readonly reason: string,
    message?: string,
  ) {
    super(message ?? reason);
    this.name = 'PermanentProviderError';
  }
}

/** A failure worth retrying (rate limit, overload, timeout); `retryAfterMs` carries the server's hint when it gave one. */
export class TransientProviderError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'TransientProviderError';
  }
}
