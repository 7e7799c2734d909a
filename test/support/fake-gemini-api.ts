import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeGemini, type FakeGemini, type FakeGeminiOptions } from './fake-gemini-server.js';
import { FAKE_JUDGE_KEY, startFakeJudge, type FakeJudge, type FakeJudgeOptions } from './fake-judge-server.js';

/**
 * One Gemini API base URL for both image generation and the judge, as a user's single
 * GEMINI_API_KEY and GOOGLE_GEMINI_BASE_URL give: each `generateContent` request goes to the fake
 * that speaks its shape. A judge request asks for JSON (`generationConfig.responseMimeType`), an
 * image request does not; both fakes accept the same key.
 */
export interface FakeGeminiApi {
  url: string;
  apiKey: string;
  images: FakeGemini;
  judge: FakeJudge;
  close(): Promise<void>;
}

export async function startFakeGeminiApi(options: { images?: Omit<FakeGeminiOptions, 'apiKey'>; judge?: FakeJudgeOptions } = {}): Promise<FakeGeminiApi> {
  const images = await startFakeGemini({ ...options.images, apiKey: FAKE_JUDGE_KEY });
  const judge = await startFakeJudge(options.judge);
  const server = createServer((req, res) => {
    forward(req)
      .then(({ status, body }) => res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }).end(body))
      .catch((error: unknown) => res.writeHead(502, { 'content-type': 'text/plain' }).end(`fake router: ${String(error)}`));
  });

  async function forward(req: IncomingMessage): Promise<{ status: number; body: string }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const asksForJson = /"responseMimeType"\s*:\s*"application\/json"/.test(body);
    const key = req.headers['x-goog-api-key'];
    const answer = await fetch(`${asksForJson ? judge.url : images.url}${req.url ?? '/'}`, {
      method: req.method ?? 'POST',
      headers: { 'content-type': 'application/json', ...(typeof key === 'string' ? { 'x-goog-api-key': key } : {}) },
      ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body }),
    });
    return { status: answer.status, body: await answer.text() };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey: FAKE_JUDGE_KEY,
    images,
    judge,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([images.close(), judge.close()]);
    },
  };
}
