import type { ImageMetrics } from '../core/quality/index.js';
import { reviewDiffers, type Review, type ReviewChange, type ReviewsWritten } from '../core/runs/index.js';
import type { ReferenceScreening } from '../core/references/index.js';
import type { RunCursor, RunListing } from '../core/access/index.js';
import type { AssessmentResult, ClaimOptions, ClaimResult, GeneratedInfo, GeneratedOutcome, ModelCallStart, ReleaseOptions, RunStore } from '../core/ports.js';
import {
  decideAssessment,
  decideClaim,
  decideFailed,
  decideGenerated,
  decideModelCall,
  decideRelease,
  generatedOutcome,
  type PromptUpdate,
} from '../core/runs/index.js';
import { decideJudgeCall, decideJudgeClaim, decideJudgeRecord, decideJudgeRelease, type JudgeClaim, type JudgeOutcome } from '../core/judge/index.js';
import { summariseQuality, verdictOwed } from '../core/runs/index.js';
import {
  PROMPT_STATUSES,
  type FailureSummary,
  type PromptRecord,
  type QualitySummary,
  type RunRecord,
  type StatusCounts,
} from '../core/runs/index.js';

/** In-memory RunStore for unit tests. Single-threaded JS makes each method atomic. */
export class MemoryRunStore implements RunStore {
  readonly runs = new Map<string, RunRecord>();
  readonly prompts = new Map<string, PromptRecord>();

  async createRun(run: RunRecord, prompts: PromptRecord[]): Promise<void> {
    const queuedAt = Date.parse(run.createdAt);
    for (const prompt of prompts) this.prompts.set(this.key(run.runId, prompt.promptId), structuredClone({ queuedAt, ...prompt }));
    this.runs.set(run.runId, structuredClone({ completedAt: null, ...run }));
  }

  async getRun(runId: string): Promise<RunRecord | null> {
    return structuredClone(this.runs.get(runId) ?? null);
  }

  async listRuns(owner?: string): Promise<RunRecord[]> {
    return [...this.runs.values()].filter((run) => owner === undefined || run.owner === owner).sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map((run) => structuredClone(run));
  }

  async listRevisions(rootRunId: string): Promise<RunRecord[]> {
    return [...this.runs.values()].filter((run) => run.revision?.rootRunId === rootRunId).map((run) => structuredClone(run));
  }

  async deleteRun(runId: string): Promise<void> {
    this.runs.delete(runId);
    for (const key of [...this.prompts.keys()]) if (key.startsWith(`${runId}/`)) this.prompts.delete(key);
  }

  async setReview(runId: string, promptId: string, review: Review): Promise<boolean> {
    const prompt = this.prompts.get(this.key(runId, promptId));
    if (prompt) prompt.review = structuredClone(review);
    return prompt !== undefined;
  }

  async setReviews(runId: string, changes: ReviewChange[]): Promise<ReviewsWritten> {
    const prompts = changes.map((change) => this.prompts.get(this.key(runId, change.promptId)));
    const missing = changes.filter((_, i) => prompts[i] === undefined).map((change) => change.promptId);
    if (missing.length > 0) return { ok: false, missing };
    const previous = changes.map((change, i) => ({ promptId: change.promptId, review: structuredClone(prompts[i]!.review ?? null) }));
    for (const [i, change] of changes.entries()) if (reviewDiffers(prompts[i]!.review, change.review)) prompts[i]!.review = structuredClone(change.review);
    return { ok: true, previous };
  }

  async markPublishFailed(runId: string, promptIds: string[], reason: string): Promise<void> {
    for (const promptId of promptIds) await this.markFailed(runId, promptId, reason);
    const run = this.runs.get(runId);
    if (run) run.state = 'publish_failed';
  }

  async getPrompt(runId: string, promptId: string): Promise<PromptRecord | null> {
    return structuredClone(this.prompts.get(this.key(runId, promptId)) ?? null);
  }

  async listPrompts(runId: string): Promise<PromptRecord[]> {
    return [...this.prompts.values()]
      .filter((prompt) => prompt.runId === runId)
      .sort((a, b) => a.index - b.index)
      .map((prompt) => structuredClone(prompt));
  }

  async claimPrompt(runId: string, promptId: string, options: ClaimOptions): Promise<ClaimResult> {
    const { result, update } = decideClaim(await this.getPrompt(runId, promptId), options);
    this.apply(runId, promptId, update);
    return result;
  }

  async releaseWithError(runId: string, promptId: string, owner: string, error: string, backoffUntil: number | null = null, options: ReleaseOptions = {}): Promise<void> {
    this.apply(runId, promptId, decideRelease(await this.getPrompt(runId, promptId), owner, error, backoffUntil, options));
  }

  async beginModelCall(runId: string, promptId: string, owner: string, now: number): Promise<ModelCallStart> {
    const { result, update } = decideModelCall(await this.getPrompt(runId, promptId), owner, now);
    this.apply(runId, promptId, update);
    return result;
  }

  async markGenerated(runId: string, promptId: string, info: GeneratedInfo): Promise<GeneratedOutcome> {
    const prompt = await this.getPrompt(runId, promptId);
    this.apply(runId, promptId, decideGenerated(prompt, info));
    return generatedOutcome(prompt);
  }

  async markFailed(runId: string, promptId: string, reason: string): Promise<void> {
    this.apply(runId, promptId, decideFailed(await this.getPrompt(runId, promptId), reason));
  }

  async recordAssessment(runId: string, promptId: string, generation: string, metrics: ImageMetrics, now: number, screening?: ReferenceScreening): Promise<AssessmentResult> {
    const { result, update } = decideAssessment(await this.getPrompt(runId, promptId), generation, { metrics, ...(screening ? { screening } : {}) }, now);
    this.apply(runId, promptId, update);
    return result;
  }

  async recordAssessmentFailure(runId: string, promptId: string, generation: string, reason: string, now: number): Promise<AssessmentResult> {
    const { result, update } = decideAssessment(await this.getPrompt(runId, promptId), generation, { failure: reason }, now);
    this.apply(runId, promptId, update);
    return result;
  }

  async claimJudge(runId: string, promptId: string, generation: string, model: string, options: ClaimOptions): Promise<JudgeClaim> {
    const { result, update } = decideJudgeClaim(await this.getPrompt(runId, promptId), generation, model, options);
    this.apply(runId, promptId, update);
    return result;
  }

  async beginJudgeCall(runId: string, promptId: string, generation: string, owner: string, now: number): Promise<boolean> {
    const { result, update } = decideJudgeCall(await this.getPrompt(runId, promptId), generation, owner, now);
    this.apply(runId, promptId, update);
    return result;
  }

  async recordJudge(runId: string, promptId: string, generation: string, owner: string, outcome: JudgeOutcome, now: number): Promise<void> {
    this.apply(runId, promptId, decideJudgeRecord(await this.getPrompt(runId, promptId), generation, owner, outcome, now));
  }

  async releaseJudge(runId: string, promptId: string, generation: string, owner: string, error: string, backoffUntil: number | null): Promise<void> {
    this.apply(runId, promptId, decideJudgeRelease(await this.getPrompt(runId, promptId), generation, owner, error, backoffUntil));
  }

  async countByStatus(runId: string): Promise<StatusCounts> {
    const counts = Object.fromEntries(PROMPT_STATUSES.map((status) => [status, 0])) as StatusCounts;
    for (const prompt of await this.listPrompts(runId)) counts[prompt.status] += 1;
    return counts;
  }

  async countVerdictsOwed(runId: string): Promise<number> {
    return (await this.listPrompts(runId)).filter(verdictOwed).length;
  }

  async listFailures(runId: string, limit: number): Promise<FailureSummary[]> {
    return (await this.listPrompts(runId))
      .filter((prompt) => prompt.status === 'failed')
      .slice(0, limit)
      .map((prompt) => ({ promptId: prompt.promptId, category: prompt.category, reason: prompt.failureReason ?? 'unknown' }));
  }

  async qualitySummary(runId: string): Promise<QualitySummary> {
    return summariseQuality((await this.listPrompts(runId)).flatMap((prompt) => (prompt.status === 'assessed' && prompt.metrics ? [prompt.metrics] : [])));
  }

  async saveRunSummary(runId: string, summary: string | null): Promise<void> {
    const run = this.runs.get(runId);
    if (run) run.summary = summary;
  }

  async listRunsPage(options: { owner?: string; pageSize: number; after: RunCursor | null }): Promise<{ runs: RunListing[]; next: RunCursor | null }> {
    const newestFirst = (a: RunCursor, b: RunCursor) => b[0].localeCompare(a[0]) || (b[1] < a[1] ? -1 : b[1] > a[1] ? 1 : 0);
    const after = options.after;
    const page = [...this.runs.values()]
      .filter((run) => options.owner === undefined || run.owner === options.owner)
      .filter((run) => after === null || newestFirst(after, [run.createdAt, run.runId]) < 0)
      .sort((a, b) => newestFirst([a.createdAt, a.runId], [b.createdAt, b.runId]))
      .slice(0, options.pageSize)
      .map((run) => ({ runId: run.runId, createdAt: run.createdAt, owner: run.owner, planned: run.count, scenario: run.scenario.name }));
    const last = page.at(-1);
    return { runs: page, next: page.length === options.pageSize && last ? [last.createdAt, last.runId] : null };
  }

  async listPromptsPage(runId: string, options: { pageSize: number; after: number | null }): Promise<{ prompts: PromptRecord[]; next: number | null }> {
    const prompts = (await this.listPrompts(runId)).filter((prompt) => options.after === null || prompt.index > options.after).slice(0, options.pageSize);
    const last = prompts.at(-1);
    return { prompts, next: prompts.length === options.pageSize && last ? last.index : null };
  }

  private key(runId: string, promptId: string): string {
    return `${runId}/${promptId}`;
  }

  private apply(runId: string, promptId: string, update: PromptUpdate | null): void {
    const current = this.prompts.get(this.key(runId, promptId));
    if (current && update) this.prompts.set(this.key(runId, promptId), { ...current, ...structuredClone(update) });
  }
}
