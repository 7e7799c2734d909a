import { PermanentProviderError } from '../../core/objects/index.js';

/**
 * Turns a Gemini `generateContent` answer into image bytes, or a permanent failure that says why
 * there is no image. Pure: no SDK client, no image decoding beyond magic bytes.
 *
 * The shapes below are the subset of the SDK's `GenerateContentResponse` we read, typed loosely
 * (plain strings instead of the SDK enums) so the real response and test literals both fit.
 */
export interface GeminiPartLike {
  text?: string;
  thought?: boolean;
  inlineData?: { mimeType?: string; data?: string };
}

export interface GeminiResponseLike {
  candidates?: Array<{
    content?: { role?: string; parts?: GeminiPartLike[] };
    finishReason?: string;
    finishMessage?: string;
  }>;
  promptFeedback?: { blockReason?: string; blockReasonMessage?: string };
}

export interface InterpretedImage {
  bytes: Buffer;
  /** What the API claimed; informative only, because it sometimes labels JPEG as PNG. */
  declaredMimeType: string | undefined;
}

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif';

/** Finish reasons that mean a safety or policy filter removed the image, so retrying the same prompt won't help. */
const BLOCKING_FINISH_REASONS = new Set([
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
  'IMAGE_OTHER',
  'SAFETY',
  'PROHIBITED_CONTENT',
  'RECITATION',
  'BLOCKLIST',
  'SPII',
]);

const TEXT_EXCERPT_CHARS = 200;

/** Identifies an image by its magic bytes; the declared MIME type is never trusted. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | null {
  const startsWith = (signature: number[], offset = 0): boolean =>
    bytes.length >= offset + signature.length && signature.every((byte, i) => bytes[offset + i] === byte);
  if (startsWith([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith([0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith([0x52, 0x49, 0x46, 0x46]) && startsWith([0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  if (startsWith([0x47, 0x49, 0x46, 0x38, 0x37, 0x61]) || startsWith([0x47, 0x49, 0x46, 0x38, 0x39, 0x61])) return 'gif';
  return null;
}

export function interpretResponse(response: GeminiResponseLike): InterpretedImage {
  const candidate = response.candidates?.[0];
  const parts = candidate?.content?.parts ?? [];
  const image = pickImage(parts);
  if (image) return image;

  const blockReason = response.promptFeedback?.blockReason;
  if (blockReason) {
    const detail = response.promptFeedback?.blockReasonMessage;
    throw new PermanentProviderError(`blocked:${blockReason}`, `the prompt was blocked (${blockReason})${detail ? `: ${detail}` : ''}`);
  }
  if (!candidate) {
    throw new PermanentProviderError('no_image', 'the response has no candidates');
  }
  const finishReason = candidate.finishReason;
  if (finishReason && BLOCKING_FINISH_REASONS.has(finishReason)) {
    const detail = candidate.finishMessage;
    throw new PermanentProviderError(`blocked:${finishReason}`, `the image was blocked (${finishReason})${detail ? `: ${detail}` : ''}`);
  }
  const text = parts
    .filter((part) => !part.thought && typeof part.text === 'string')
    .map((part) => part.text)
    .join(' ')
    .trim();
  if (text) {
    throw new PermanentProviderError('no_image', `the model answered with text only: ${text.slice(0, TEXT_EXCERPT_CHARS)}`);
  }
  throw new PermanentProviderError('no_image', `the response has no image (finishReason ${finishReason ?? 'unset'})`);
}

/**
 * The first final image part. Thinking models (Gemini 3 Pro Image) also return interim
 * "thought" images; one of those is used only when the answer holds nothing else.
 */
function pickImage(parts: GeminiPartLike[]): InterpretedImage | null {
  const images = parts.flatMap((part) => {
    const image = imageOf(part);
    return image ? [{ image, thought: part.thought === true }] : [];
  });
  return (images.find((entry) => !entry.thought) ?? images[0])?.image ?? null;
}

function imageOf(part: GeminiPartLike): InterpretedImage | null {
  const data = part.inlineData?.data;
  if (!data) return null;
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length === 0) return null;
  const declaredMimeType = part.inlineData?.mimeType;
  if (declaredMimeType?.startsWith('image/') || sniffImageFormat(bytes) !== null) {
    return { bytes, declaredMimeType };
  }
  return null;
}
