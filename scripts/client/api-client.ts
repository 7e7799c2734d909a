import type { ExportedPrompt } from '../../functions/core/export/index.js';
import { MAX_COUNT } from '../../functions/core/scenario/index.js';
import type { CostEstimate } from '../../functions/core/runs/index.js';
import type { Thresholds } from '../../functions/core/quality/index.js';
import type { RunReport } from '../../functions/core/quality/index.js';
import type { FailureSummary, QualitySummary, RunRecord, RunState, SpotCheckReport, StatusCounts } from '../../functions/core/runs/index.js';

export interface RunStatus {
  runId: string;
  state: RunState;
  scenario: string;
  provider: string;
  model: string;
  seed: number;
  createdAt: string;
  image: { aspectRatio: string; imageSize: string };
  costEstimate: CostEstimate;
  planned: number;
  counts: StatusCounts;
  /** A judged run in its judging stage: every prompt has ended and this many verdicts are still owed. */
  verdictsOwed?: number;
  failures: FailureSummary[];
  quality: QualitySummary;
  /** Built once the run has completed. */
  report: RunReport | null;
}

export interface CreatedRun {
  runId: string;
  planned: number;
  seed: number;
  statusUrl: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A list the server pages wrongly: a loop of page tokens, or more than it said it holds. */
export class PagingError extends Error {}

/** What bounds a listing: how many items a page carries, and how many the first page says there are in all. */
export interface PageBound<T> {
  items?: (page: T) => number;
  total?: (first: T) => number;
}

/** Enough for 500 participants a page times 10,000: far beyond any cohort, and still a bound. */
const MAX_PAGES = 10_000;

/** A small client for the api function, local or deployed. GETs are retried on network errors and 5xx. */
export class ApiClient {
  private readonly base: string;

  constructor(baseUrl: string, private readonly token?: string) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  createRun(body: Record<string, unknown>): Promise<CreatedRun> {
    return this.json('POST', '/v1/runs', body);
  }

  getRun(runId: string): Promise<RunStatus> {
    return this.json('GET', `/v1/runs/${encodeURIComponent(runId)}`);
  }

  /** Every prompt of a run, following the pages; the run comes with the first page and says how many prompts there are. */
  async getPrompts(runId: string): Promise<{ run: RunRecord; thresholds: Thresholds; prompts: ExportedPrompt[] }> {
    type Page = { run?: RunRecord; thresholds: Thresholds; prompts: ExportedPrompt[] };
    const path = `/v1/runs/${encodeURIComponent(runId)}/prompts`;
    const pages = await this.allPages<Page>(path, {
      items: (page) => (Array.isArray(page.prompts) ? page.prompts.length : 0),
      // No run plans more than MAX_COUNT prompts, whatever a server claims.
      total: (first) => Math.min(Number.isSafeInteger(first.run?.count) ? (first.run?.count as number) : MAX_COUNT, MAX_COUNT),
    });
    const first = pages[0] as Page;
    if (!first.run) throw new Error(`GET ${path} gave no run on its first page`);
    return { run: first.run, thresholds: first.thresholds, prompts: pages.flatMap((page) => page.prompts) };
  }

  /** The run's lineage, oldest first: its first run and every revision (one entry for a run never regenerated). */
  /** The run's spot check as it stands now (its reviews change it), without the run id. */
  async getSpotCheck(runId: string): Promise<SpotCheckReport> {
    const { runId: _runId, ...report } = await this.json<SpotCheckReport & { runId: string }>('GET', `/v1/runs/${encodeURIComponent(runId)}/spot-check`);
    return report;
  }

  async getLineage(runId: string): Promise<{ rootRunId: string; runIds: string[] }> {
    const answer = await this.json<{ rootRunId?: unknown; runs?: unknown }>('GET', `/v1/runs/${encodeURIComponent(runId)}/revisions`);
    const runIds = Array.isArray(answer.runs) ? answer.runs.map((run: { runId?: unknown }) => run?.runId) : [];
    if (typeof answer.rootRunId !== 'string' || !runIds.every((id): id is string => typeof id === 'string')) throw new Error(`GET /v1/runs/${runId}/revisions gave no lineage`);
    return { rootRunId: answer.rootRunId, runIds };
  }

  /**
   * Every page of a list route, following `nextPageToken`. A server that sends a token it sent
   * before (a loop), or more items than the first page's total allows, or a page with no items but
   * a next token, stops the listing with an error instead of keeping it fetching forever.
   */
  async allPages<T>(path: string, bound: PageBound<T> = {}): Promise<T[]> {
    const pages: T[] = [];
    const seen = new Set<string>();
    let items = 0;
    let total = Infinity;
    for (let token: string | null = null; ; ) {
      const separator = path.includes('?') ? '&' : '?';
      const page: T & { nextPageToken?: string | null } = await this.json('GET', token ? `${path}${separator}pageToken=${encodeURIComponent(token)}` : path);
      pages.push(page);
      if (pages.length === 1 && bound.total) total = bound.total(page);
      const count = bound.items?.(page) ?? 1;
      items += count;
      if (items > total) throw new PagingError(`GET ${path}: the server listed more than the ${total} items its first page announced; stopped after ${pages.length} pages`);
      const next = page.nextPageToken;
      if (!next) return pages;
      if (typeof next !== 'string' || seen.has(next) || next === token) throw new PagingError(`GET ${path}: the server sent a page token it had sent before (a loop); stopped after ${pages.length} pages`);
      if (count === 0) throw new PagingError(`GET ${path}: the server sent an empty page with a next page token; stopped after ${pages.length} pages`);
      if (pages.length >= MAX_PAGES) throw new PagingError(`GET ${path}: more than ${MAX_PAGES} pages; stopped`);
      seen.add(next);
      token = next;
    }
  }

  async getImage(runId: string, promptId: string): Promise<Buffer> {
    const response = await this.request('GET', `/v1/runs/${encodeURIComponent(runId)}/images/${encodeURIComponent(promptId)}`);
    return Buffer.from(await response.arrayBuffer());
  }

  /** Any JSON route, for tools such as the cohort CLI. */
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    return this.json(method, path, body);
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await (await this.request(method, path, body)).json()) as T;
  }

  private async request(method: string, path: string, body?: unknown): Promise<Response> {
    const attempts = method === 'GET' ? 4 : 1;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(`${this.base}${path}`, {
          method,
          headers: {
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
            ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(60_000),
        });
      } catch (error) {
        if (attempt < attempts) {
          await pause(attempt);
          continue;
        }
        throw new Error(`cannot reach ${this.base}: ${(error as Error).cause ?? (error as Error).message}`, { cause: error });
      }
      if (response.ok) return response;
      if (response.status >= 500 && attempt < attempts) {
        await pause(attempt);
        continue;
      }
      const text = await response.text();
      let parsed: { error?: { code?: string; message?: string } } = {};
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not one of our JSON errors (a proxy's or the framework's page): report the status.
      }
      throw new ApiError(response.status, parsed.error?.code ?? `HTTP_${response.status}`, parsed.error?.message ?? `${method} ${path} answered ${response.status}`);
    }
  }
}

const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
