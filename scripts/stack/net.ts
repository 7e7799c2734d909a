import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** Where stacks on this machine note the ports they have chosen but may not have bound yet. */
const DEFAULT_CLAIMS = join(tmpdir(), 'synthetic-image-datasets-ports');
/** A claim outlives the seconds between choosing a port and binding it; after that the port is either bound (and seen taken) or free again. */
const CLAIM_MS = 120_000;

export interface StackPortOptions {
  attempts?: number;
  random?: () => number;
  /** The folder of claims shared by every stack on the machine. */
  claims?: string;
}

/**
 * A random port that is free now, below the ephemeral range, so no outgoing connection can take
 * it before it is bound. Another stack on the same machine (a `npm run dev` beside `npm test`)
 * chooses from the same range, and a function binds its port only after the emulators are up,
 * seconds later: each chosen port is claimed in a file the other stacks respect until it has
 * had time to be bound.
 */
export async function stackPort(options: StackPortOptions = {}): Promise<number> {
  const { attempts = 50, random = Math.random, claims = DEFAULT_CLAIMS } = options;
  const [ephemeralLow] = ephemeralRange();
  const low = Math.max(1024, ephemeralLow - 16_384);
  mkdirSync(claims, { recursive: true });
  for (let i = 0; i < attempts; i++) {
    const port = low + Math.floor(random() * (ephemeralLow - low));
    // functions-framework listens on every interface: free on loopback and on the IPv6 wildcard.
    if (!claimedByOthers(claims, port) && (await portIsFree(port)) && (await portIsFree(port, '::')) && claim(claims, port)) return port;
  }
  return freePort();
}

function claimedByOthers(claims: string, port: number): boolean {
  try {
    return Date.now() - statSync(join(claims, String(port))).mtimeMs < CLAIM_MS;
  } catch (error) {
    // No claim file: nobody claimed it. Anything else (an unreadable folder) is the caller's to see.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Creates the claim file, or replaces a stale one; false when another stack claimed the port first. */
function claim(claims: string, port: number): boolean {
  const file = join(claims, String(port));
  try {
    writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || claimedByOthers(claims, port)) return false;
    rmSync(file, { force: true });
    return claim(claims, port);
  }
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
