import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startLimitRelay, type LimitRelay } from '../../scripts/stack/limit-relay.js';

/** A function process whose requests stay open until the test answers them. */
interface HeldUpstream {
  origin: string;
  held: Array<{ req: IncomingMessage; res: ServerResponse }>;
  peak: number;
  closedEarly: number;
  arrived(count: number): Promise<void>;
  server: Server;
}

async function heldUpstream(): Promise<HeldUpstream> {
  const waiters: Array<() => void> = [];
  let open = 0;
  const upstream: HeldUpstream = {
    origin: '',
    held: [],
    peak: 0,
    closedEarly: 0,
    arrived: (count) => new Promise<void>((resolve) => {
      const check = () => (upstream.held.length >= count ? resolve() : waiters.push(check));
      check();
    }),
    server: createServer((req, res) => {
      open += 1;
      upstream.peak = Math.max(upstream.peak, open);
      res.on('close', () => {
        open -= 1;
        if (!res.writableEnded) upstream.closedEarly += 1;
      });
      upstream.held.push({ req, res });
      waiters.splice(0).forEach((waiter) => waiter());
    }),
  };
  await new Promise<void>((resolve) => upstream.server.listen(0, '127.0.0.1', resolve));
  upstream.origin = `http://127.0.0.1:${(upstream.server.address() as AddressInfo).port}`;
  return upstream;
}

let relay: LimitRelay | undefined;
let upstream: HeldUpstream | undefined;
afterEach(async () => {
  await relay?.stop();
  upstream?.server.closeAllConnections();
  await new Promise((resolve) => upstream?.server.close(resolve));
});

describe('the limit relay in front of a local function', () => {
  it('runs at most instances × requests-per-instance at once and refuses one more with 429 after its wait', async () => {
    upstream = await heldUpstream();
    relay = await startLimitRelay({ name: 'api', targetOrigin: upstream.origin, concurrency: 2, timeoutMs: 60_000, queueMs: 300 });
    const first = [fetch(relay.url), fetch(relay.url)];
    await upstream.arrived(2);
    const third = await fetch(`${relay.url}/third`);
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('1');
    expect(upstream.held.map(({ req }) => req.url)).toEqual(['/', '/']);
    upstream.held.forEach(({ res }) => res.writeHead(200).end('ok'));
    expect((await Promise.all(first)).map((r) => r.status)).toEqual([200, 200]);
    expect(relay.counts()).toMatchObject({ admitted: 2, refused: 1, peakConcurrency: 2 });
  });

  it('lets a request beyond the limit wait for a slot that frees within the wait', async () => {
    upstream = await heldUpstream();
    relay = await startLimitRelay({ name: 'api', targetOrigin: upstream.origin, concurrency: 1, timeoutMs: 60_000, queueMs: 60_000 });
    const first = fetch(`${relay.url}/a`);
    await upstream.arrived(1);
    const second = fetch(`${relay.url}/b`, { method: 'POST', body: 'payload' });
    upstream.held[0]!.res.writeHead(200).end('a');
    await upstream.arrived(2);
    const { req, res } = upstream.held[1]!;
    let body = '';
    for await (const chunk of req) body += String(chunk);
    res.writeHead(201, { 'x-kept': 'yes' }).end(`got ${body}`);
    const answer = await second;
    expect([answer.status, answer.headers.get('x-kept'), await answer.text(), (await first).status]).toEqual([201, 'yes', 'got payload', 200]);
    expect(upstream.peak).toBe(1);
  });

  it('cuts a request off at the timeout with 504 and closes it upstream', async () => {
    upstream = await heldUpstream();
    relay = await startLimitRelay({ name: 'generateImage', targetOrigin: upstream.origin, concurrency: 1, timeoutMs: 300, queueMs: 1000 });
    const answer = await fetch(relay.url, { method: 'POST', body: '{}' });
    expect(answer.status).toBe(504);
    expect(relay.counts().timedOut).toBe(1);
    // The slot is free again: the next request reaches the process.
    const next = fetch(`${relay.url}/next`);
    await upstream.arrived(2);
    upstream.held[1]!.res.writeHead(204).end();
    expect((await next).status).toBe(204);
    expect(upstream.closedEarly).toBe(1);
  });

  it("keeps a caller's idle connection as long as a front end does, and never passes on the function's own connection headers", async () => {
    upstream = await heldUpstream();
    relay = await startLimitRelay({ name: 'api', targetOrigin: upstream.origin, concurrency: 1, timeoutMs: 60_000, queueMs: 1000 });
    const kept = fetch(`${relay.url}/kept`);
    await upstream.arrived(1);
    // functions-framework answers with Node's own keep-alive hint, for its connection to the relay.
    upstream.held[0]!.res.writeHead(200, { 'keep-alive': 'timeout=5', 'x-kept': 'yes' }).end('ok');
    const answer = await kept;
    expect([answer.headers.get('keep-alive'), answer.headers.get('x-kept'), await answer.text()]).toEqual(['timeout=65', 'yes', 'ok']);
    const closing = fetch(`${relay.url}/closing`);
    await upstream.arrived(2);
    upstream.held[1]!.res.writeHead(413, { connection: 'close' }).end('too large');
    expect((await closing).headers.get('connection')).toBe('close');
  });
});
