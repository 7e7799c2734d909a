import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Asks the OS for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Where the OS hands out ephemeral ports, for outgoing connections as well as `listen(0)`: a port
 * chosen there and bound seconds later (a function process starts after the emulators) may be taken
 * meanwhile by any connection on the machine, as a stack's own emulator traffic makes by the hundred.
 */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && high && low > 2048) return [low, high];
  } catch {
    // Not Linux: the IANA dynamic range, which macOS and Windows use.
  }
  return [49152, 65535];
}

/** A random port that is free now, below the ephemeral range, so nothing but another listener can take it before it is bound. */
export async function stackPort(attempts = 50): Promise<number> {
  const [ephemeralLow] = ephemeralRange();
  const low = Math.max(1024, ephemeralLow - 16_384);
  for (let i = 0; i < attempts; i++) {
    const port = low + Math.floor(Math.random() * (ephemeralLow - low));
    // functions-framework listens on every interface: free on loopback and on the IPv6 wildcard.
    if ((await portIsFree(port)) && (await portIsFree(port, '::'))) return port;
  }
  return freePort();
}

/** Whether `port` can be listened on now on loopback (nothing else holds it). */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(host === '::' && error.code === 'EAFNOSUPPORT'));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** API_PORT if set; else the data folder's last port while it is free; else any free port. */
export async function chooseApiPort(requested: number | undefined, saved: number | null | undefined, log: (line: string) => void): Promise<number> {
  if (requested !== undefined) return requested;
  if (saved) {
    if (await portIsFree(saved)) return saved;
    log(`the data folder's api port ${saved} is taken now; using another one (set API_PORT to choose)`);
  }
  return stackPort();
}

/** Polls until `check` resolves true; fails with `what` named, and the given log, on timeout. */
export async function waitUntil(what: string, check: () => Promise<boolean>, options: { timeoutMs: number; intervalMs?: number; onTimeout?: () => string; signal?: AbortSignal }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    // Given up elsewhere (another process failed to start): stop polling.
    if (options.signal?.aborted) throw new Error(`${what}: start-up abandoned`);
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
  const detail = options.onTimeout?.() ?? '';
  throw new Error(`${what} was not ready after ${Math.round(options.timeoutMs / 1000)} s${detail ? `\n${detail}` : ''}`);
}

export async function httpOk(url: string, expectBody?: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  if (!response.ok) return false;
  return expectBody === undefined || (await response.text()).trim() === expectBody;
}
