import type { ImageMetrics } from '../core/metrics.js';
import type { Review } from '../core/review.js';
import type { AssessmentResult, ClaimOptions, ClaimResult, GeneratedInfo, ReleaseOptions, RunStore } from '../core/ports.js';
import {
  decideAssessment,
  decideClaim,
  decideFailed,
  decideGenerated,
  decideRelease,
  type PromptUpdate,
} from '../core/prompt-transitions.js';
import { summariseQuality } from '../core/quality-summary.js';
import {
  PROMPT_STATUSES,
  type FailureSummary,
  type PromptRecord,
  type QualitySummary,
  type RunRecord,
  type StatusCounts,
} from '../core/run-model.js';

/** In-memory RunStore for unit tests. Single-threaded JS makes each method atomic. */
export class MemoryRunStore implements RunStore {
  readonly runs = new Map<string, RunRecord>();
  readonly prompts = new Map<string, PromptRecord>();

  async createRun(run: RunRecord, prompts: PromptRecord[]): Promise<void> {
    for (const prompt of prompts) this.prompts.set(this.key(run.runId, prompt.promptId), structuredClone(prompt));
    this.runs.set(run.runId, structuredClone(run));
  }

  async getRun(runId: string): Promise<RunRecord | null> {
    return structuredClone(this.runs.get(runId) ?? null);
  }

  async listRuns(owner?: string): Promise<RunRecord[]> {
    return [...this.runs.values()].filter((run) => owner === undefined || run.owner === owner).sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map((run) => structuredClone(run));
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

  async markGenerated(runId: string, promptId: string, info: GeneratedInfo): Promise<void> {
    this.apply(runId, promptId, decideGenerated(await this.getPrompt(runId, promptId), info));
  }

  async markFailed(runId: string, promptId: string, reason: string): Promise<void> {
    this.apply(runId, promptId, decideFailed(await this.getPrompt(runId, promptId), reason));
  }

  async recordAssessment(runId: string, promptId: string, generation: string, metrics: ImageMetrics, now: number): Promise<AssessmentResult> {
    const { result, update } = decideAssessment(await this.getPrompt(runId, promptId), generation, { metrics }, now);
    this.apply(runId, promptId, update);
    return result;
  }

  async recordAssessmentFailure(runId: string, promptId: string, generation: string, reason: string, now: number): Promise<AssessmentResult> {
    const { result, update } = decideAssessment(await this.getPrompt(runId, promptId), generation, { failure: reason }, now);
    this.apply(runId, promptId, update);
    return result;
  }

  async countByStatus(runId: string): Promise<StatusCounts> {
    const counts = Object.fromEntries(PROMPT_STATUSES.map((status) => [status, 0])) as StatusCounts;
    for (const prompt of await this.listPrompts(runId)) counts[prompt.status] += 1;
    return counts;
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

  private key(runId: string, promptId: string): string {
    return `${runId}/${promptId}`;
  }

  private apply(runId: string, promptId: string, update: PromptUpdate | null): void {
    const current = this.prompts.get(this.key(runId, promptId));
    if (current && update) this.prompts.set(this.key(runId, promptId), { ...current, ...structuredClone(update) });
  }
}
