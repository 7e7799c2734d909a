import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for Vertex AI's `publishers/google/models/{model}:generateContent` and for
 * the security token service a workload-identity (`external_account`) credentials file names, so
 * the @google/genai Vertex path runs offline end to end. It speaks Vertex's REST shapes: a bearer
 * token from the token exchange, 429 RESOURCE_EXHAUSTED without RetryInfo, 400 for an unsupported
 * location. Markers in the prompt choose the answer: `[vertex:429]`, `[vertex:400]`, else an image,
 * or, for a request that asks for JSON (the judge), a verdict.
 */
export interface FakeVertex {
  url: string;
  /** The token exchange's endpoint, for the credentials file's `token_url`. */
  tokenUrl: string;
  accessToken: string;
  /** generateContent requests as received: path and authorization header. */
  requests: Array<{ path: string; authorization: string | undefined; prompt: string; inlineData: Array<{ mimeType?: string; data?: string }> }>;
  tokenExchanges: Array<Record<string, string>>;
  close(): Promise<void>;
}

const ROUTE = /^\/v1beta1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/google\/models\/([^/:]+):generateContent$/;

const body = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const send = (res: ServerResponse, status: number, json: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));

export async function startFakeVertex(options: { png: Buffer; imageLocations?: string[] }): Promise<FakeVertex> {
  const accessToken = 'fake-vertex-access-token';
  const requests: FakeVertex['requests'] = [];
  const tokenExchanges: FakeVertex['tokenExchanges'] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const text = await body(req);
      if (req.method === 'POST' && url.pathname === '/sts') {
        tokenExchanges.push(Object.fromEntries(new URLSearchParams(text)));
        return send(res, 200, { access_token: accessToken, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: 3600 });
      }
      const route = ROUTE.exec(url.pathname);
      if (req.method !== 'POST' || !route) return send(res, 404, { error: { code: 404, message: `not found: ${url.pathname}`, status: 'NOT_FOUND' } });
      const parsed = JSON.parse(text) as { contents?: Array<{ parts?: Array<{ text?: string; inlineData?: { mimeType?: string; data?: string } }> }>; generationConfig?: { responseMimeType?: string } };
      const parts = (parsed.contents ?? []).flatMap((content) => content.parts ?? []);
      const prompt = parts.map((part) => part.text ?? '').join(' ');
      const inlineData = parts.flatMap((part) => (part.inlineData ? [part.inlineData] : []));
      requests.push({ path: url.pathname, authorization: req.headers.authorization, prompt, inlineData });
      if (req.headers.authorization !== `Bearer ${accessToken}`) return send(res, 401, { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } });
      const location = route[2] ?? '';
      const model = route[3] ?? '';
      if (prompt.includes('[vertex:400]') || !(options.imageLocations ?? ['global']).includes(location)) {
        return send(res, 400, { error: { code: 400, message: `Gemini model ${model} is not supported in location ${location}.`, status: 'INVALID_ARGUMENT' } });
      }
      if (prompt.includes('[vertex:429]')) {
        return send(res, 429, { error: { code: 429, message: 'Resource exhausted. Please try again later.', status: 'RESOURCE_EXHAUSTED' } });
      }
      if (parsed.generationConfig?.responseMimeType === 'application/json') {
        const verdict = { relevance: 4, reason: 'The scene matches the prompt.', elements: [], artifacts: [], inappropriate: false, concerns: [], caption: 'A harbour at dawn.', culturalSensitivity: 'ok', scenarioAligned: true };
        return send(res, 200, { candidates: [{ content: { role: 'model', parts: [{ text: JSON.stringify(verdict) }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 300, candidatesTokenCount: 40, totalTokenCount: 340 } });
      }
      return send(res, 200, {
        candidates: [{ content: { role: 'model', parts: [{ inlineData: { mimeType: 'image/png', data: options.png.toString('base64') } }] }, finishReason: 'STOP' }],
        usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 1290, totalTokenCount: 1300 },
      });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tokenUrl: `http://127.0.0.1:${port}/sts`,
    accessToken,
    requests,
    tokenExchanges,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
