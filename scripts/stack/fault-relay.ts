import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Fault injection for tests: the Pub/Sub push subscription points here instead of at the
 * generator, and a set fraction of messages is acknowledged (204) without being delivered, as
 * if lost. The storage relay asks the same object whether to drop a finalize event. Drops are
 * spread evenly (the n-th message is dropped when ⌊n·rate⌋ grows), so 10 % of 40 is exactly 4.
 * Rates are read and set over HTTP at `/__faults`, so a test in another process can steer them.
 */
export interface FaultRates {
  generationDropRate: number;
  finalizeDropRate: number;
}

export interface FaultState extends FaultRates {
  dropped: { generation: number; finalize: number };
  seen: { generation: number; finalize: number };
}

export interface FaultRelay {
  url: string;
  controlUrl: string;
  /** Whether to drop the next finalize event (counts it). */
  dropFinalize(): boolean;
  state(): FaultState;
  stop(): Promise<void>;
}

/** Bresenham-style: true for exactly ⌊n·rate⌋ of the first n calls, evenly spread. */
export function evenDrop(seen: number, rate: number): boolean {
  return Math.floor((seen + 1) * rate) > Math.floor(seen * rate);
}

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

export async function startFaultRelay(options: { targetOrigin: string; log?: (line: string) => void }): Promise<FaultRelay> {
  const state: FaultState = { generationDropRate: 0, finalizeDropRate: 0, dropped: { generation: 0, finalize: 0 }, seen: { generation: 0, finalize: 0 } };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (req.url === '/__faults') {
      if (req.method === 'PUT') {
        const rates = JSON.parse(body.toString('utf8')) as Partial<FaultRates>;
        state.generationDropRate = rates.generationDropRate ?? state.generationDropRate;
        state.finalizeDropRate = rates.finalizeDropRate ?? state.finalizeDropRate;
        state.dropped = { generation: 0, finalize: 0 };
        state.seen = { generation: 0, finalize: 0 };
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(state));
      return;
    }
    const drop = evenDrop(state.seen.generation, state.generationDropRate);
    state.seen.generation += 1;
    if (drop) {
      state.dropped.generation += 1;
      options.log?.(`fault relay: dropped a generation message (${state.dropped.generation} so far)`);
      res.writeHead(204).end();
      return;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => name !== 'host' && name !== 'content-length')) as Record<string, string>;
    try {
      const response = await fetch(`${options.targetOrigin}${req.url ?? '/'}`, { method: req.method ?? 'POST', headers, body: body.length > 0 ? new Uint8Array(body) : undefined, signal: AbortSignal.timeout(600_000) });
      res.writeHead(response.status).end(Buffer.from(await response.arrayBuffer()));
    } catch {
      // The generator is down (restarting): the push is refused and Pub/Sub retries it.
      res.writeHead(502).end();
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    controlUrl: `${url}/__faults`,
    dropFinalize() {
      const drop = evenDrop(state.seen.finalize, state.finalizeDropRate);
      state.seen.finalize += 1;
      if (drop) state.dropped.finalize += 1;
      return drop;
    },
    state: () => structuredClone(state),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
