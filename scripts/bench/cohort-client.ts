/**
 * The cohort's HTTP traffic for bench:cohort: every request timed and labelled by route, every
 * answer's status kept, and ETags remembered per participant so a second gallery open
 * revalidates as a browser's cache would.
 */
export interface Answer {
  status: number;
  body: unknown;
  bytes: number;
}

export class CohortTraffic {
  readonly latencies = new Map<string, number[]>();
  readonly unexpected: string[] = [];
  /** Every answer's status, and how many of them the platform's limits gave (the local limit relay marks those). */
  readonly statuses = new Map<number, number>();
  platformRefusals = 0;
  notModified = 0;

  constructor(private readonly base: string) {}

  async request(token: string, method: string, path: string, options: { body?: unknown; etags?: Map<string, string>; discardBody?: boolean } = {}): Promise<Answer> {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const cached = options.etags?.get(path);
    if (cached) headers['If-None-Match'] = cached;
    const started = performance.now();
    const response = await fetch(`${this.base}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
    // A dataset is counted, not kept: 30 of them would not fit in this process.
    const raw = options.discardBody ? Buffer.alloc(0) : Buffer.from(await response.arrayBuffer());
    const bytes = options.discardBody ? await drain(response) : raw.length;
    this.statuses.set(response.status, (this.statuses.get(response.status) ?? 0) + 1);
    if (response.headers.get('x-local-platform')) this.platformRefusals += 1;
    const elapsed = performance.now() - started;
    const label = `${method} ${routeOf(path)}`;
    this.latencies.set(label, [...(this.latencies.get(label) ?? []), elapsed]);
    const etag = response.headers.get('etag');
    if (etag && options.etags) options.etags.set(path, etag);
    if (response.status === 304 && cached) this.notModified += 1;
    else if (response.status < 200 || response.status > 299) this.unexpected.push(`${label} → ${response.status} ${raw.toString('utf8').slice(0, 200)}`);
    const json = (response.headers.get('content-type') ?? '').includes('json');
    return { status: response.status, body: json && !options.discardBody ? JSON.parse(raw.toString('utf8')) : null, bytes };
  }

  /** The answer's JSON, or null for a non-2xx answer (already recorded), as a page that shows an error and carries on. */
  async tryJson<T>(token: string, method: string, path: string): Promise<T | null> {
    const answer = await this.request(token, method, path);
    return answer.status >= 200 && answer.status <= 299 ? (answer.body as T) : null;
  }

  async json<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.request(token, method, path, body === undefined ? {} : { body });
    if (answer.status < 200 || answer.status > 299) throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body as T;
  }
}

async function drain(response: Response): Promise<number> {
  let bytes = 0;
  for await (const chunk of response.body ?? []) bytes += (chunk as Uint8Array).length;
  return bytes;
}

/** `/v1/runs/20261130-…/images/p0003?size=thumb` → `/v1/runs/{id}/images/{p}?size=thumb`. */
export function routeOf(path: string): string {
  const [pathname, query] = path.split('?');
  const route = (pathname ?? '').replace(/^\/v1\/runs\/[^/]+/, '/v1/runs/{id}').replace(/\/(images|prompts)\/p\d+/, '/$1/{p}');
  const size = new URLSearchParams(query ?? '').get('size');
  return size ? `${route}?size=${size}` : route;
}

export function latencyRows(latencies: Map<string, number[]>): Array<[string, string]> {
  return [...latencies.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([label, values]) => {
    const sorted = [...values].sort((x, y) => x - y);
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
    return [label, `n ${String(sorted.length).padStart(5)} · p50 ${at(0.5).toFixed(0).padStart(5)} ms · p95 ${at(0.95).toFixed(0).padStart(5)} ms · max ${(sorted.at(-1) ?? NaN).toFixed(0).padStart(5)} ms`];
  });
}
