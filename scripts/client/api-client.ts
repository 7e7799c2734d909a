import type { ExportedPrompt } from '../../functions/core/export/index.js';
import type { CostEstimate } from '../../functions/core/runs/index.js';
import type { Thresholds } from '../../functions/core/quality/index.js';
import type { RunReport } from '../../functions/core/quality/index.js';
import type { FailureSummary, QualitySummary, RunRecord, RunState, StatusCounts } from '../../functions/core/runs/index.js';

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

  /** Every prompt of a run, following the pages; the run comes with the first page. */
  async getPrompts(runId: string): Promise<{ run: RunRecord; thresholds: Thresholds; prompts: ExportedPrompt[] }> {
    type Page = { run?: RunRecord; thresholds: Thresholds; prompts: ExportedPrompt[] };
    const pages = await this.allPages<Page>(`/v1/runs/${encodeURIComponent(runId)}/prompts`);
    const first = pages[0] as Page;
    if (!first.run) throw new Error(`GET /v1/runs/${runId}/prompts gave no run on its first page`);
    return { run: first.run, thresholds: first.thresholds, prompts: pages.flatMap((page) => page.prompts) };
  }

  /** Every page of a list route, following `nextPageToken`. */
  async allPages<T>(path: string): Promise<T[]> {
    const pages: T[] = [];
    for (let token: string | null = null; ; ) {
      const separator = path.includes('?') ? '&' : '?';
      const page: T & { nextPageToken?: string | null } = await this.json('GET', token ? `${path}${separator}pageToken=${encodeURIComponent(token)}` : path);
      pages.push(page);
      if (!page.nextPageToken || page.nextPageToken === token) return pages;
      token = page.nextPageToken;
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
