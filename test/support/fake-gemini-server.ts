import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { COPY_MARKER, copyOfSentImage } from './fake-model-copies.js';

/**
 * A loopback stand-in for the Gemini API's `models/{model}:generateContent`, speaking its REST
 * shapes (bodies, error envelopes, RetryInfo) so the real @google/genai SDK can be tested offline.
 * Faults are chosen by markers in the prompt, e.g. `[fault:503x2]` fails the first two calls for
 * that prompt and then succeeds; `[fault:503]` always fails. `[copy:mirror]` and its kin answer with the
 * request's own image part (fake-model-copies.ts).
 */
export interface FakeGeminiOptions {
  /** The key the x-goog-api-key header must carry. */
  apiKey?: string;
  /** Models that exist; any other name gets the API's 404. */
  models?: string[];
  /** RetryInfo delay sent with `[fault:429]`. */
  retryDelay?: string;
  /** How long `[fault:slow]` waits before answering. */
  slowMs?: number;
  /** Global quota: beyond this many accepted requests in a sliding 60 s window, answer 429. */
  requestsPerMinute?: number;
  /** PNG bytes for a prompt; by default a 64×64 square whose colour is a hash of the prompt. */
  imageFor?: (prompt: string) => Promise<Buffer> | Buffer;
  port?: number;
  onRequest?: (request: ReceivedRequest) => void;
  /**
   * Chooses a fault by code instead of a marker in the prompt: given the prompt and the number of this
   * call for it (1 for the first), the fault kind to answer with (`429`, `429-bare`, `503`, `slow`, …) or null.
   */
  faultFor?: (prompt: string, call: number) => string | null;
}

export interface ReceivedRequest {
  model: string;
  prompt: string;
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

export interface FakeGemini {
  /** Base URL for `httpOptions.baseUrl` or GOOGLE_GEMINI_BASE_URL, e.g. http://127.0.0.1:PORT */
  url: string;
  apiKey: string;
  /** generateContent calls (past authentication) whose prompt contains the substring; all of them without one. */
  calls(promptSubstring?: string): number;
  totalCalls(): number;
  requests(): ReceivedRequest[];
  /** Epoch milliseconds of every request the rate limiter let through, to compute achieved RPM. */
  acceptedTimestamps(): number[];
  reset(): void;
  close(): Promise<void>;
}

export const FAKE_GEMINI_KEY = 'fake-gemini-test-key';
export const FAKE_GEMINI_MODELS = ['gemini-2.5-flash-image', 'gemini-3.1-flash-image', 'gemini-3-pro-image'];
const WINDOW_MS = 60_000;
const ROUTE = /^\/(?:v1beta|v1|v1alpha)\/models\/([^/:]+):generateContent$/;
const FAULT = /\[fault:([a-z0-9-]+?)(?:x(\d+))?\]/;

export async function startFakeGemini(options: FakeGeminiOptions = {}): Promise<FakeGemini> {
  const apiKey = options.apiKey ?? FAKE_GEMINI_KEY;
  const models = new Set(options.models ?? FAKE_GEMINI_MODELS);
  const imageFor = options.imageFor ?? hashColourPng;
  const callsByPrompt = new Map<string, number>();
  const received: ReceivedRequest[] = [];
  const accepted: number[] = [];
  const pendingTimers = new Set<NodeJS.Timeout>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = ROUTE.exec(url.pathname);
    if (req.method !== 'POST' || !route) return sendError(res, 404, 'NOT_FOUND', `Method not found: ${req.method} ${url.pathname}`);
    const key = req.headers['x-goog-api-key'] ?? url.searchParams.get('key');
    if (!key) {
      return sendError(res, 403, 'PERMISSION_DENIED', "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
    }
    if (key !== apiKey) {
      // The real API answers a wrong key with 400, not 401/403.
      return sendError(res, 400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' },
      ]);
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    } catch {
      return sendError(res, 400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
    }
    const model = decodeURIComponent(route[1] ?? '');
    if (!models.has(model)) {
      return sendError(res, 404, 'NOT_FOUND', `models/${model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`);
    }
    const prompt = promptOf(body);
    const call = (callsByPrompt.get(prompt) ?? 0) + 1;
    callsByPrompt.set(prompt, call);
    const request = { model, prompt, body, headers: req.headers };
    received.push(request);
    options.onRequest?.(request);

    const quotaWait = rateLimitWaitMs();
    if (quotaWait !== null) return sendQuotaExceeded(res, model, `${Math.ceil(quotaWait / 1000)}s`);
    accepted.push(Date.now());

    const chosen = options.faultFor?.(prompt, call) ?? null;
    const fault = chosen === null ? FAULT.exec(prompt) : null;
    const kind = chosen ?? fault?.[1];
    const failingCalls = fault?.[2] === undefined ? Infinity : Number(fault[2]);
    const failsNow = chosen !== null || call <= failingCalls;
    if (kind === '429' && failsNow) return sendQuotaExceeded(res, model, options.retryDelay ?? '2s');
    if (kind === '429-bare' && failsNow) return sendError(res, 429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).');
    if (kind === '500' && failsNow) return sendError(res, 500, 'INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting');
    if (kind === '503' && failsNow) return sendError(res, 503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
    if (kind === 'block-prompt') return sendJson(res, 200, { promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: usage(prompt, 0), modelVersion: model });
    if (kind === 'block-finish') return sendCandidate(res, model, prompt, { content: { role: 'model' }, finishReason: 'IMAGE_SAFETY' });
    if (kind === 'no-image') return sendCandidate(res, model, prompt, { content: { role: 'model' }, finishReason: 'NO_IMAGE' });
    const modalities = (body.generationConfig as { responseModalities?: string[] } | undefined)?.responseModalities;
    if (kind === 'text-only' || (modalities && !modalities.includes('IMAGE'))) {
      const text = 'I cannot create that picture, but here is a description of the scene you asked for instead.';
      return sendCandidate(res, model, prompt, { content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP' });
    }
    const copy = COPY_MARKER.exec(prompt)?.[1];
    const png = copy ? await copyOfSentImage(body, copy) : await imageFor(prompt);
    const bytes = kind === 'jpeg-as-png' ? await sharp(png).jpeg().toBuffer() : png;
    const candidate = {
      content: { role: 'model', parts: [{ inlineData: { mimeType: 'image/png', data: bytes.toString('base64') } }] },
      finishReason: 'STOP',
      index: 0,
    };
    if (kind !== 'slow') return sendCandidate(res, model, prompt, candidate);
    const timer = setTimeout(() => {
      pendingTimers.delete(timer);
      sendCandidate(res, model, prompt, candidate);
    }, options.slowMs ?? 3_000);
    pendingTimers.add(timer);
  }

  /** Milliseconds until the sliding window has room, or null when this request may pass. */
  function rateLimitWaitMs(): number | null {
    const limit = options.requestsPerMinute;
    if (limit === undefined) return null;
    const now = Date.now();
    const inWindow = accepted.filter((at) => at > now - WINDOW_MS);
    if (inWindow.length < limit) return null;
    return (inWindow[inWindow.length - limit] ?? now) + WINDOW_MS - now;
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => sendError(res, 500, 'INTERNAL', `fake server error: ${String(error)}`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    calls: (substring) => [...callsByPrompt].reduce((sum, [prompt, n]) => (substring === undefined || prompt.includes(substring) ? sum + n : sum), 0),
    totalCalls: () => [...callsByPrompt.values()].reduce((sum, n) => sum + n, 0),
    requests: () => [...received],
    acceptedTimestamps: () => [...accepted],
    reset: () => {
      callsByPrompt.clear();
      received.length = 0;
      accepted.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of pendingTimers) clearTimeout(timer);
        pendingTimers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The SDK turns a string prompt into `contents: [{ role: 'user', parts: [{ text }] }]`; join every text part. */
function promptOf(body: Record<string, unknown>): string {
  const contents = Array.isArray(body.contents) ? (body.contents as Array<{ parts?: Array<{ text?: unknown }> }>) : [];
  return contents
    .flatMap((content) => content.parts ?? [])
    .map((part) => (typeof part.text === 'string' ? part.text : ''))
    .join('\n');
}

async function hashColourPng(prompt: string): Promise<Buffer> {
  const [r = 0, g = 0, b = 0] = createHash('sha256').update(prompt).digest();
  return sharp({ create: { width: 64, height: 64, channels: 3, background: { r, g, b } } }).png().toBuffer();
}

function usage(prompt: string, imageTokens: number): Record<string, unknown> {
  const promptTokenCount = Math.max(1, Math.ceil(prompt.length / 4));
  return {
    promptTokenCount,
    candidatesTokenCount: imageTokens,
    totalTokenCount: promptTokenCount + imageTokens,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokenCount }],
    ...(imageTokens > 0 ? { candidatesTokensDetails: [{ modality: 'IMAGE', tokenCount: imageTokens }] } : {}),
  };
}

function sendCandidate(res: ServerResponse, model: string, prompt: string, candidate: Record<string, unknown>): void {
  const imageTokens = JSON.stringify(candidate).includes('inlineData') ? 1290 : 0;
  sendJson(res, 200, { candidates: [candidate], usageMetadata: usage(prompt, imageTokens), modelVersion: model, responseId: randomUUID() });
}

/** The quota error as the real API sends it: QuotaFailure, Help and RetryInfo details. */
function sendQuotaExceeded(res: ServerResponse, model: string, retryDelay: string): void {
  sendError(res, 429, 'RESOURCE_EXHAUSTED', `You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_paid_tier_requests, model: ${model}\nPlease retry in ${retryDelay}.`, [
    {
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_paid_tier_requests', quotaId: 'GenerateRequestsPerMinutePerProjectPerModel', quotaDimensions: { model, location: 'global' } }],
    },
    { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
    { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay },
  ]);
}

function sendError(res: ServerResponse, code: number, status: string, message: string, details?: unknown[]): void {
  sendJson(res, code, { error: { code, message, status, ...(details ? { details } : {}) } });
}

function sendJson(res: ServerResponse, code: number, payload: unknown): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(code, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(payload));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Standalone use needs compiled JavaScript (Node 20 has no TypeScript loader here and tsx is not installed):
 * `npx tsc -p tsconfig.json` then `node dist/test/support/fake-gemini-server.js --port 8089 [--rpm 10] [--key K]`.
 */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const flag = (name: string): string | undefined => {
    const index = argv.indexOf(`--${name}`);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const rpm = flag('rpm');
  const fake = await startFakeGemini({
    port: Number(flag('port') ?? 0),
    apiKey: flag('key') ?? FAKE_GEMINI_KEY,
    ...(rpm ? { requestsPerMinute: Number(rpm) } : {}),
  });
  console.log(`fake Gemini listening on ${fake.url} (key: ${fake.apiKey}); set GOOGLE_GEMINI_BASE_URL=${fake.url}`);
  const stop = (): void => void fake.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
