import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FUNCTION_NAMES, type DeployedShape, type FunctionName } from './shape.js';

/**
 * Stands in front of one local function process and holds it to its deployed shape, as Cloud
 * Run does: at most instances × requests-per-instance requests run at once; a request beyond
 * that waits up to `queueMs` for a slot and is then refused with 429; a request still running
 * at the timeout is cut off with 504 (or, when its answer has already begun, its connection is
 * closed). For an event function a 504 is a failed delivery, so Pub/Sub (or the storage relay)
 * delivers the event again. Bodies are streamed both ways, so a large download is not buffered.
 */
export interface LimitRelayOptions {
  name: string;
  targetOrigin: string;
  concurrency: number;
  timeoutMs: number;
  queueMs: number;
  /** The port to listen on (the api's pinned port); a free one when omitted. */
  port?: number;
  log?: (line: string) => void;
}

export interface LimitCounts {
  admitted: number;
  /** Refused with 429 after waiting `queueMs` for a slot. */
  refused: number;
  /** Cut off at the timeout. */
  timedOut: number;
  peakConcurrency: number;
}

export interface LimitRelay {
  url: string;
  counts(): LimitCounts;
  stop(): Promise<void>;
}

/** First come, first served: a waiter is either handed a slot or gives up at its deadline, never both. */
class Slots {
  private active = 0;
  private readonly waiting: Array<(granted: boolean) => void> = [];
  peak = 0;

  constructor(private readonly capacity: number) {}

  acquire(waitMs: number): Promise<boolean> {
    if (this.active < this.capacity) return Promise.resolve(this.take());
    return new Promise((resolve) => {
      const waiter = (granted: boolean) => {
        clearTimeout(timer);
        resolve(granted);
      };
      const timer = setTimeout(() => {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
        resolve(false);
      }, waitMs);
      this.waiting.push(waiter);
    });
  }

  release(): void {
    this.active -= 1;
    const next = this.waiting.shift();
    if (next) next(this.take());
  }

  private take(): true {
    this.active += 1;
    this.peak = Math.max(this.peak, this.active);
    return true;
  }
}

const platformError = (res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void => {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-local-platform': 'limit', ...headers }).end(`${message}\n`);
};

export async function startLimitRelay(options: LimitRelayOptions): Promise<LimitRelay> {
  const slots = new Slots(options.concurrency);
  const counts: LimitCounts = { admitted: 0, refused: 0, timedOut: 0, peakConcurrency: 0 };
  const target = new URL(options.targetOrigin);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let gone = false;
    res.once('close', () => (gone = true));
    const granted = await slots.acquire(options.queueMs);
    // The caller hung up while waiting: its slot goes to the next one.
    if (granted && gone) {
      slots.release();
      return;
    }
    if (!granted) {
      counts.refused += 1;
      // The first refusal and every hundredth after it, so a flood does not flood the log too.
      if (counts.refused % 100 === 1) options.log?.(`${options.name}: 429 (${counts.refused} so far), all ${options.concurrency} request slots busy for ${options.queueMs} ms`);
      // The body was never read; the connection is not reused for it.
      platformError(res, 429, `${options.name}: no instance available (${options.concurrency} requests at once); try again`, { 'retry-after': '1', connection: 'close' });
      return;
    }
    counts.admitted += 1;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      slots.release();
    };
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    const timer = setTimeout(() => {
      counts.timedOut += 1;
      options.log?.(`${options.name}: ${req.method} ${req.url?.split('?')[0]} ran past its ${options.timeoutMs / 1000} s timeout; cut off`);
      upstream.destroy();
      platformError(res, 504, `${options.name}: the request ran past the function's timeout`);
      release();
    }, options.timeoutMs);
    upstream.on('error', () => {
      // The process is down (restarting) or the request was cut off: the caller sees 502 unless 504 went out.
      platformError(res, 502, `${options.name}: the function is not answering`);
      release();
    });
    res.on('close', () => {
      upstream.destroy();
      release();
    });
    req.pipe(upstream);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => platformError(res, 500, `${options.name}: relay failure`));
  });
  // Cloud Run's front end keeps a caller's idle connection far longer than Node's 5 s default. With 5 s,
  // a client reusing a connection as the relay closes it sees "other side closed", more often the busier the machine.
  server.keepAliveTimeout = IDLE_CONNECTION_MS;
  server.headersTimeout = IDLE_CONNECTION_MS + 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts: () => ({ ...counts, peakConcurrency: slots.peak }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** How long the relay keeps a caller's idle connection open. */
const IDLE_CONNECTION_MS = 65_000;

/** Hop-by-hop headers describe the function's connection to the relay, not the relay's to its caller (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept: IncomingHttpHeaders = Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
  // A function that closes its connection (a body it did not read) closes the caller's too.
  if (/\bclose\b/i.test(String(headers.connection ?? ''))) kept.connection = 'close';
  return kept;
}

/** One relay per function, each holding its process (listening on `processPorts`) to the declared shape. */
export async function startShapeRelays(
  shape: DeployedShape,
  processPorts: Record<FunctionName, number>,
  options: { queueMs: number; ports?: Partial<Record<FunctionName, number>>; log?: (line: string) => void },
): Promise<Record<FunctionName, LimitRelay>> {
  const relays = await Promise.all(FUNCTION_NAMES.map((name) => startLimitRelay({
    name,
    targetOrigin: `http://127.0.0.1:${processPorts[name]}`,
    concurrency: shape[name].max_instances * shape[name].requests_per_instance,
    timeoutMs: shape[name].timeout_seconds * 1000,
    queueMs: options.queueMs,
    // Ports chosen by the caller with the processes' own, so a relay never takes a port a process is about to bind.
    ...(options.ports?.[name] ? { port: options.ports[name] } : {}),
    ...(options.log ? { log: options.log } : {}),
  })));
  return Object.fromEntries(FUNCTION_NAMES.map((name, i) => [name, relays[i]])) as Record<FunctionName, LimitRelay>;
}
