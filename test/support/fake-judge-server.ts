import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { geminiImageTokens } from '../../functions/core/runs/index.js';

/**
 * A loopback stand-in for the Gemini API answering judge requests (`generateContent` with an
 * image part, a text part and `generationConfig.responseJsonSchema`) in its REST shapes: the
 * JSON answer as text in `candidates[0].content.parts[0]`, `usageMetadata` with the image's
 * tokens by Gemini 2.x's tile rule, blocks as HTTP 200, errors in Google's envelope.
 * Faults are chosen by a marker anywhere in the rubric, e.g. `[judge:503x2]` fails two calls.
 */
export type JudgeFault = 'valid' | 'invalid-json' | 'schema' | 'blocked' | '429' | '503' | 'slow';

export interface FakeJudge {
  url: string;
  apiKey: string;
  /** Calls whose rubric contains the substring; all of them without one. */
  calls(substring?: string): number;
  requests(): Array<{ model: string; rubric: string; body: Record<string, unknown>; imageWidth: number; imageHeight: number }>;
  close(): Promise<void>;
}

export const FAKE_JUDGE_KEY = 'fake-judge-test-key';
const ROUTE = /^\/(?:v1beta|v1)\/models\/([^/:]+):generateContent$/;
const MARKER = /\[judge:([a-z0-9-]+?)(?:x(\d+))?\]/;

export interface FakeJudgeOptions {
  slowMs?: number;
  retryDelay?: string;
  relevance?: number;
  /** Chooses a fault by code instead of a marker: given the rubric and the number of this call for it (1 for the first), the fault or null. */
  faultFor?: (rubric: string, call: number) => JudgeFault | null;
}

export async function startFakeJudge(options: FakeJudgeOptions = {}): Promise<FakeJudge> {
  const received: Array<{ model: string; rubric: string; body: Record<string, unknown>; imageWidth: number; imageHeight: number }> = [];
  const timers = new Set<NodeJS.Timeout>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const route = ROUTE.exec(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (req.method !== 'POST' || !route) return sendError(res, 404, 'NOT_FOUND', 'Method not found');
    if (req.headers['x-goog-api-key'] !== FAKE_JUDGE_KEY) return sendError(res, 400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.');
    const body = JSON.parse(await readBody(req)) as { contents?: Array<{ parts?: Array<{ text?: string; inlineData?: { mimeType: string; data: string } }> }>; generationConfig?: Record<string, unknown> };
    const parts = body.contents?.[0]?.parts ?? [];
    const rubric = parts.map((part) => part.text ?? '').join('');
    const image = parts.find((part) => part.inlineData)?.inlineData;
    if (!image || body.generationConfig?.responseMimeType !== 'application/json' || !body.generationConfig.responseJsonSchema) {
      return sendError(res, 400, 'INVALID_ARGUMENT', 'a judge request needs an image part and a JSON response schema');
    }
    const { width = 0, height = 0 } = await sharp(Buffer.from(image.data, 'base64')).metadata();
    const callIndex = received.filter((r) => r.rubric === rubric).length;
    received.push({ model: route[1] as string, rubric, body: body as Record<string, unknown>, imageWidth: width, imageHeight: height });
    const chosen = options.faultFor ? options.faultFor(rubric, callIndex + 1) : undefined;
    const marker = chosen === undefined ? MARKER.exec(rubric) : null;
    const fault = (chosen ?? marker?.[1] ?? 'valid') as JudgeFault;
    const times = marker?.[2] ? Number(marker[2]) : Number.POSITIVE_INFINITY;
    const faulty = chosen !== undefined || callIndex < times;
    const usage = (answer: string) => ({
      promptTokenCount: Math.ceil(rubric.length / 4) + geminiImageTokens(width, height),
      candidatesTokenCount: Math.ceil(answer.length / 4),
      totalTokenCount: Math.ceil(rubric.length / 4) + geminiImageTokens(width, height) + Math.ceil(answer.length / 4),
      promptTokensDetails: [
        { modality: 'TEXT', tokenCount: Math.ceil(rubric.length / 4) },
        { modality: 'IMAGE', tokenCount: geminiImageTokens(width, height) },
      ],
    });
    const answer = (text: string) => sendJson(res, 200, { candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }], usageMetadata: usage(text), modelVersion: route[1] });
    if (faulty && fault === '429') {
      return sendError(res, 429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).', [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: options.retryDelay ?? '1s' }]);
    }
    if (faulty && fault === '503') return sendError(res, 503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
    if (faulty && fault === 'blocked') return sendJson(res, 200, { promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: usage('') });
    if (faulty && fault === 'invalid-json') return answer('{"relevance": 4, "reason": "cut off mid-');
    if (faulty && fault === 'schema') return answer(JSON.stringify({ ...verdict(rubric, options.relevance), relevance: 9 }));
    if (faulty && fault === 'slow') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.slowMs ?? 3000);
        timers.add(timer);
      });
    }
    return answer(JSON.stringify(verdict(rubric, options.relevance)));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => sendError(res, 500, 'INTERNAL', String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey: FAKE_JUDGE_KEY,
    calls: (substring) => received.filter((r) => substring === undefined || r.rubric.includes(substring)).length,
    requests: () => [...received],
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A plausible verdict: every element listed in the rubric ("- name: value") present. */
function verdict(rubric: string, relevance = 4) {
  const elements = [...rubric.matchAll(/^- ([A-Za-z_][A-Za-z0-9_]*): /gm)].map((match) => ({ variable: match[1] as string, present: true }));
  return { relevance, reason: 'The scene matches the prompt.', elements, artifacts: [], inappropriate: false, concerns: [], caption: 'A street scene with people holding placards.', culturalSensitivity: 'ok', scenarioAligned: true };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify(body));
}

function sendError(res: ServerResponse, code: number, status: string, message: string, details?: unknown[]): void {
  sendJson(res, code, { error: { code, message, status, ...(details ? { details } : {}) } });
}
