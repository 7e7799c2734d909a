import type { GenerationMessage, RunLifecycleStore } from '../core/ports.js';
import { decideCancel, decideLost, decideOrphanRelease, type ObservedState, type StaleCutoffs } from '../core/runs/index.js';
import { isTerminal, verdictOwed, type PromptRecord, type RunRecord } from '../core/runs/index.js';
import { decideJudgeLost } from '../core/judge/index.js';
import type { MemoryRunStore } from './memory-store.js';

/** In-memory RunLifecycleStore over a MemoryRunStore's maps, for unit tests and the bench's figures. */
export class MemoryLifecycleStore implements RunLifecycleStore {
  private reads = 0;
  private writes = 0;

  constructor(private readonly store: MemoryRunStore) {}

  usage() {
    return { reads: this.reads, writes: this.writes };
  }

  async listOpenRuns(limit: number): Promise<RunRecord[]> {
    const open = [...this.store.runs.values()].filter((run) => !run.completedAt).sort((a, b) => a.createdAt.localeCompare(b.createdAt)).slice(0, limit);
    this.reads += Math.max(1, open.length);
    return structuredClone(open);
  }

  async findStalePrompts(cutoffs: StaleCutoffs, limit: number): Promise<PromptRecord[]> {
    const all = [...this.store.prompts.values()];
    const stages: Array<(prompt: PromptRecord) => boolean> = [
      (prompt) => prompt.status === 'planned' && prompt.queuedAt !== undefined && prompt.queuedAt < cutoffs.queuedBefore,
      (prompt) => prompt.status === 'generating' && prompt.leaseExpiresAt !== null && prompt.leaseExpiresAt < cutoffs.leaseExpiredBefore,
      (prompt) => prompt.status === 'generated' && prompt.generatedAt !== null && prompt.generatedAt < cutoffs.generatedBefore,
    ];
    const found = stages.flatMap((matches) => all.filter(matches).slice(0, limit));
    this.reads += stages.length + found.length;
    return structuredClone(found);
  }

  async countUnfinished(runId: string): Promise<number> {
    this.reads += 1;
    return [...this.store.prompts.values()].filter((prompt) => prompt.runId === runId && !isTerminal(prompt.status)).length;
  }

  async markQueued(messages: GenerationMessage[], now: number): Promise<void> {
    for (const { runId, promptId } of messages) {
      const prompt = this.store.prompts.get(`${runId}/${promptId}`);
      if (prompt) prompt.queuedAt = now;
    }
    this.writes += messages.length;
  }

  async markLost(runId: string, promptId: string, observed: ObservedState, reason: string): Promise<boolean> {
    this.reads += 1;
    return this.update(runId, promptId, (prompt) => decideLost(prompt, observed, reason));
  }

  async releaseOrphanedLease(runId: string, promptId: string, observed: ObservedState): Promise<boolean> {
    this.reads += 1;
    return this.update(runId, promptId, (prompt) => decideOrphanRelease(prompt, observed));
  }

  async markRunCompleted(runId: string, now: number): Promise<void> {
    const run = this.store.runs.get(runId);
    if (run) run.completedAt = new Date(now).toISOString();
    this.writes += 1;
  }

  async listVerdictsOwed(runId: string, limit: number): Promise<PromptRecord[]> {
    const owed = [...this.store.prompts.values()].filter((prompt) => prompt.runId === runId && verdictOwed(prompt)).slice(0, limit);
    this.reads += Math.max(1, owed.length);
    return structuredClone(owed);
  }

  async markVerdictLost(runId: string, promptId: string, generation: string, reason: string, now: number): Promise<boolean> {
    this.reads += 1;
    return this.update(runId, promptId, (prompt) => decideJudgeLost(prompt, generation, prompt?.judge?.model ?? 'gemini', reason, now));
  }

  async cancelPrompts(runId: string, now: number): Promise<number> {
    const targets = [...this.store.prompts.values()].filter((prompt) => prompt.runId === runId && (prompt.status === 'planned' || prompt.status === 'generating'));
    this.reads += targets.length;
    let cancelled = 0;
    for (const prompt of targets) if (this.update(runId, prompt.promptId, decideCancel)) cancelled += 1;
    const run = this.store.runs.get(runId);
    if (run) run.cancelledAt = new Date(now).toISOString();
    this.writes += 1;
    return cancelled;
  }

  private update(runId: string, promptId: string, decide: (prompt: PromptRecord | null) => Partial<PromptRecord> | null): boolean {
    const key = `${runId}/${promptId}`;
    const current = this.store.prompts.get(key) ?? null;
    const update = decide(current ? structuredClone(current) : null);
    if (!current || !update) return false;
    this.store.prompts.set(key, { ...current, ...update });
    this.writes += 1;
    return true;
  }
}
