import { GoogleGenAI, MediaResolution, type GenerateContentConfig, type HttpOptions } from '@google/genai';
import { TransientProviderError } from '../../core/objects/index.js';
import { JudgeFailedError, judgeResponseJsonSchema, parseJudgeAnswer, type ImageJudge, type JudgeRequest, type JudgeResult, type JudgeUsage } from '../../core/judge/index.js';
import { classifyGeminiError } from './gemini-errors.js';
import { NO_SDK_RETRIES, resolveGeminiCredentials, type GeminiCredentials } from './gemini-provider.js';
import type { GeminiResponseLike } from './gemini-response.js';

/**
 * Flash, not Flash-Lite: spotting malformed hands or garbled placard text is the hard part of the
 * rubric, and Flash is the stronger vision model. At list price, with thinking off, it costs about
 * $0.0007 per image (1.7 % of a $0.039 image, $2 for a 3,000-image cohort); Flash-Lite would cost
 * $0.0002 and is one JUDGE_MODEL away.
 */
export const DEFAULT_JUDGE_MODEL = 'gemini-2.5-flash';
export const DEFAULT_JUDGE_TIMEOUT_MS = 30_000;

/** Finish reasons that mean a filter stopped the answer: retrying the same image will not help. */
const BLOCKING = new Set(['SAFETY', 'PROHIBITED_CONTENT', 'BLOCKLIST', 'SPII', 'RECITATION', 'IMAGE_SAFETY', 'OTHER']);

export interface GeminiJudgeOptions {
  model: string;
  credentials?: GeminiCredentials;
  timeoutMs?: number;
  baseUrl?: string;
}

interface UsageLike {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  promptTokensDetails?: Array<{ modality?: string; tokenCount?: number }>;
}

/** One generateContent call per image: the image and the rubric in, JSON constrained by the schema out. */
export class GeminiJudge implements ImageJudge {
  readonly model: string;
  private readonly credentials: GeminiCredentials;
  private client: GoogleGenAI | null = null;

  constructor(private readonly options: GeminiJudgeOptions) {
    this.model = options.model;
    this.credentials = options.credentials ?? resolveGeminiCredentials(process.env);
  }

  async judge(request: JudgeRequest): Promise<JudgeResult> {
    let response;
    try {
      response = await this.ai().models.generateContent({
        model: this.model,
        contents: [{ role: 'user', parts: [{ inlineData: { mimeType: request.image.mimeType, data: request.image.data.toString('base64') } }, { text: request.rubric }] }],
        config: this.config(),
      });
    } catch (error) {
      const classified = classifyGeminiError(error);
      if (classified instanceof TransientProviderError) throw this.redacted(classified);
      throw new JudgeFailedError(classified.reason, this.redacted(classified).message);
    }
    const text = answerText(response as GeminiResponseLike);
    return { answer: parseJudgeAnswer(text, request.elements), usage: usageOf((response as { usageMetadata?: UsageLike }).usageMetadata), model: this.model };
  }

  private config(): GenerateContentConfig {
    return {
      responseMimeType: 'application/json',
      responseJsonSchema: judgeResponseJsonSchema(),
      temperature: 0,
      // Gemini 3 sets image cost by resolution (LOW: 280 tokens); 2.x by pixel size, which the caller already shrank.
      ...(this.model.startsWith('gemini-3') ? { mediaResolution: MediaResolution.MEDIA_RESOLUTION_LOW } : {}),
      // Flash thinks by default, billed as output; the rubric is a checklist that does not need it.
      ...(/^gemini-2\.5-flash/.test(this.model) ? { thinkingConfig: { thinkingBudget: 0 } } : {}),
    };
  }

  private ai(): GoogleGenAI {
    if (this.client) return this.client;
    const httpOptions: HttpOptions = { timeout: this.options.timeoutMs ?? DEFAULT_JUDGE_TIMEOUT_MS, retryOptions: NO_SDK_RETRIES, ...(this.options.baseUrl ? { baseUrl: this.options.baseUrl } : {}) };
    this.client =
      'apiKey' in this.credentials
        ? new GoogleGenAI({ vertexai: false, apiKey: this.credentials.apiKey, httpOptions })
        : new GoogleGenAI({ vertexai: true, ...this.credentials.vertex, httpOptions });
    return this.client;
  }

  private redacted<E extends Error>(error: E): E {
    const secret = 'apiKey' in this.credentials ? this.credentials.apiKey : null;
    if (secret && secret.length >= 8 && error.message.includes(secret)) error.message = error.message.replaceAll(secret, '[redacted]');
    return error;
  }
}

/** The answer's JSON text, or why there is none: blocks arrive as HTTP 200. */
export function answerText(response: GeminiResponseLike): string {
  const blockReason = response.promptFeedback?.blockReason;
  if (blockReason) throw new JudgeFailedError(`blocked:${blockReason}`);
  const candidate = response.candidates?.[0];
  if (!candidate) throw new JudgeFailedError('no_answer', 'the response has no candidates');
  if (candidate.finishReason && BLOCKING.has(candidate.finishReason)) throw new JudgeFailedError(`blocked:${candidate.finishReason}`);
  const text = (candidate.content?.parts ?? [])
    .filter((part) => !part.thought && typeof part.text === 'string')
    .map((part) => part.text)
    .join('')
    .trim();
  if (!text) throw new JudgeFailedError('no_answer', `the response has no text (finishReason ${candidate.finishReason ?? 'unset'})`);
  return text;
}

export function usageOf(usage: UsageLike | undefined): JudgeUsage {
  const image = usage?.promptTokensDetails?.find((detail) => detail.modality === 'IMAGE')?.tokenCount;
  const output = (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0);
  return { imageTokens: image ?? null, promptTokens: usage?.promptTokenCount ?? null, outputTokens: usage ? output : null };
}

export function createGeminiJudge(options: Partial<GeminiJudgeOptions> = {}): ImageJudge {
  return new GeminiJudge({ ...options, model: options.model ?? DEFAULT_JUDGE_MODEL });
}
