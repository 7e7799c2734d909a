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
}

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
