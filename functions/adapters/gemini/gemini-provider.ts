import { GoogleGenAI, Modality, type ContentListUnion, type HttpOptions, type HttpRetryOptions, type ImageConfig } from '@google/genai';
import sharp from 'sharp';
import {
  PermanentProviderError,
  REFERENCE_INSTRUCTION,
  TransientProviderError,
  type GeneratedImage,
  type ImageProvider,
  type ImageRequest,
} from '../../core/objects/index.js';
import { classifyGeminiError } from './gemini-errors.js';
import { interpretResponse, sniffImageFormat } from './gemini-response.js';

/**
 * One attempt per call, set explicitly: the handlers retry through Pub/Sub redelivery, honouring
 * the server's RetryInfo and the lease, and a retry inside the SDK would be a paid call they cannot see.
 */
export const NO_SDK_RETRIES: HttpRetryOptions = { attempts: 1 };

export const DEFAULT_GEMINI_MODEL = 'gemini-2.5-flash-image';

/** Long enough for a 4K image, short enough that a hung call fails before the function's own deadline. */
export const DEFAULT_GEMINI_TIMEOUT_MS = 120_000;

export interface GeminiOptions {
  model: string;
  apiKey?: string;
  vertex?: { project: string; location: string };
  /** "1:1", "16:9", …; omitted from the request when unset so the model's default applies. */
  aspectRatio?: string;
  /** "1K", "2K", "4K"; omitted when unset (not every model accepts it). */
  imageSize?: string;
  timeoutMs?: number;
  /** Points the SDK at another endpoint (the fake server in tests). */
  baseUrl?: string;
}

export type GeminiCredentials = { apiKey: string } | { vertex: { project: string; location: string } };

/**
 * Reads credentials the way the deployment provides them. Vertex AI wins when explicitly switched on,
 * otherwise an API key is required. Messages name variables, never their values.
 */
export function resolveGeminiCredentials(env: Record<string, string | undefined>): GeminiCredentials {
  const read = (name: string): string | undefined => env[name]?.trim() || undefined;
  const vertexFlag = read('GOOGLE_GENAI_USE_VERTEXAI')?.toLowerCase();
  if (vertexFlag === 'true' || vertexFlag === '1') {
    const project = read('GOOGLE_CLOUD_PROJECT');
    if (!project) {
      throw new Error('GOOGLE_GENAI_USE_VERTEXAI is on but GOOGLE_CLOUD_PROJECT is not set: Vertex AI needs a project (GOOGLE_CLOUD_LOCATION defaults to global)');
    }
    return { vertex: { project, location: read('GOOGLE_CLOUD_LOCATION') ?? 'global' } };
  }
  const apiKey = read('GEMINI_API_KEY') ?? read('GOOGLE_API_KEY');
  if (apiKey) return { apiKey };
  throw new Error(
    'No Gemini credentials: set GEMINI_API_KEY (or GOOGLE_API_KEY) for the Gemini API, or GOOGLE_GENAI_USE_VERTEXAI=true with GOOGLE_CLOUD_PROJECT for Vertex AI',
  );
}

/**
 * Generates images with a Gemini image model and stores them as PNG.
 * The SDK's own retries stay off: a transient failure goes back to Pub/Sub, which redelivers
 * with backoff and bounds the attempts across function instances.
 */
export class GeminiProvider implements ImageProvider {
  readonly name = 'gemini';
  readonly model: string;
  private readonly credentials: GeminiCredentials;
  private client: GoogleGenAI | null = null;

  constructor(private readonly options: GeminiOptions) {
    this.model = options.model;
    this.credentials = options.vertex
      ? { vertex: options.vertex }
      : options.apiKey
        ? { apiKey: options.apiKey }
        : resolveGeminiCredentials(process.env);
  }

  async generate(request: ImageRequest): Promise<GeneratedImage> {
    let response;
    try {
      response = await this.ai().models.generateContent({
        model: this.model,
        contents: contentsOf(request),
        config: { responseModalities: [Modality.IMAGE], ...this.imageConfig(request) },
      });
    } catch (error) {
      throw this.withoutSecret(classifyGeminiError(error));
    }
    const { bytes } = interpretResponse(response);
    return { png: await toPng(bytes), model: this.model };
  }

  /** Built on first use so constructing a provider never touches the network or the SDK's env lookups. */
  private ai(): GoogleGenAI {
    if (this.client) return this.client;
    const httpOptions: HttpOptions = {
      timeout: this.options.timeoutMs ?? DEFAULT_GEMINI_TIMEOUT_MS,
      retryOptions: NO_SDK_RETRIES,
      ...(this.options.baseUrl ? { baseUrl: this.options.baseUrl } : {}),
    };
    this.client =
      'apiKey' in this.credentials
        ? // vertexai: false keeps a stray GOOGLE_GENAI_USE_VERTEXAI from switching backends under us.
          new GoogleGenAI({ vertexai: false, apiKey: this.credentials.apiKey, httpOptions })
        : new GoogleGenAI({ vertexai: true, ...this.credentials.vertex, httpOptions });
    return this.client;
  }

  /** The run's settings (carried on each request) win over the provider's defaults. */
  private imageConfig(request: ImageRequest): { imageConfig?: ImageConfig } {
    const aspectRatio = request.aspectRatio ?? this.options.aspectRatio;
    const imageSize = request.imageSize ?? this.options.imageSize;
    const imageConfig: ImageConfig = { ...(aspectRatio ? { aspectRatio } : {}), ...(imageSize ? { imageSize } : {}) };
    return Object.keys(imageConfig).length > 0 ? { imageConfig } : {};
  }

  /**
   * Belt and braces: no error message may carry the API key, even if a transport echoes it.
   * Real keys are ~39 characters; a toy key shorter than 8 would only mangle ordinary words.
   */
  private withoutSecret(error: PermanentProviderError | TransientProviderError): Error {
    const secret = 'apiKey' in this.credentials ? this.credentials.apiKey : null;
    if (!secret || secret.length < 8 || !error.message.includes(secret)) return error;
    const message = error.message.replaceAll(secret, '[redacted]');
    return error instanceof PermanentProviderError
      ? new PermanentProviderError(error.reason, message)
      : new TransientProviderError(message, error.retryAfterMs, error.status);
  }
}

/**
 * The prompt alone, as before, when nothing guides it; otherwise one user turn with the references
 * as inline image parts, then the fixed instruction, then the prompt.
 */
export function contentsOf(request: ImageRequest): ContentListUnion {
  const references = request.references ?? [];
  if (references.length === 0) return request.prompt;
  const images = references.map((reference) => ({ inlineData: { mimeType: reference.mimeType, data: reference.bytes.toString('base64') } }));
  return [{ role: 'user', parts: [...images, { text: REFERENCE_INSTRUCTION }, { text: request.prompt }] }];
}

/** Converts by sniffed format, never by the declared MIME type, which is sometimes wrong. */
async function toPng(bytes: Buffer): Promise<Buffer> {
  const format = sniffImageFormat(bytes);
  if (format === null) throw new PermanentProviderError('no_image', 'response image bytes are not a known image format');
  if (format === 'png') return bytes;
  try {
    return await sharp(bytes).png().toBuffer();
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new PermanentProviderError('no_image', `response ${format} image could not be converted to PNG: ${detail}`);
  }
}

export function createGeminiProvider(options: Omit<GeminiOptions, 'model'> & { model?: string } = {}): ImageProvider {
  return new GeminiProvider({ ...options, model: options.model ?? DEFAULT_GEMINI_MODEL });
}
