import type { DocumentReference, Firestore, Query, QuerySnapshot } from '@google-cloud/firestore';
import { recordOf } from './firestore-expiry.js';
import type { GenerationMessage, RunLifecycleStore } from '../core/ports.js';
import { decideCancel, decideLost, decideOrphanRelease, type ObservedState, type StaleCutoffs } from '../core/runs/index.js';
import { verdictOwed, type PromptRecord, type RunRecord } from '../core/runs/index.js';
import { decideJudgeLost } from '../core/judge/index.js';

/**
 * Prompts per batch or transaction (Firestore allows 500): small, so a cancel holds each prompt's
 * lock only briefly and generators claiming the same prompts are neither starved nor starving it.
 */
const CHUNK = 25;
const UNFINISHED = ['planned', 'generating', 'generated'];

/**
 * The reconciler's and cancellation's reads and writes. Open runs are found by
 * `completedAt == null` (single-field index); stale prompts by three collection-group
 * queries, each an equality on `status` and a range on one time field (composite indexes in
 * infra/firestore.tf), so a tick reads what is stuck and not every prompt of every run.
 */
export class FirestoreLifecycleStore implements RunLifecycleStore {
  private reads = 0;
  private writes = 0;

  constructor(private readonly db: Firestore) {}

  usage() {
    return { reads: this.reads, writes: this.writes };
  }

  async listOpenRuns(limit: number): Promise<RunRecord[]> {
    const snapshot = await this.count(this.db.collection('runs').where('completedAt', '==', null).limit(limit).get());
    // Sorted here rather than in the query, which would need a composite index for no gain.
    return snapshot.docs.map((doc) => recordOf<RunRecord>(doc.data())).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async findStalePrompts(cutoffs: StaleCutoffs, limit: number): Promise<PromptRecord[]> {
    const prompts = this.db.collectionGroup('prompts');
    const queries: Query[] = [
      prompts.where('status', '==', 'planned').where('queuedAt', '<', cutoffs.queuedBefore).orderBy('queuedAt').limit(limit),
      prompts.where('status', '==', 'generating').where('leaseExpiresAt', '<', cutoffs.leaseExpiredBefore).orderBy('leaseExpiresAt').limit(limit),
      prompts.where('status', '==', 'generated').where('generatedAt', '<', cutoffs.generatedBefore).orderBy('generatedAt').limit(limit),
    ];
    const snapshots = await Promise.all(queries.map((query) => this.count(query.get())));
    return snapshots.flatMap((snapshot) => snapshot.docs.map((doc) => recordOf<PromptRecord>(doc.data())));
  }

  async countUnfinished(runId: string): Promise<number> {
    const snapshot = await this.prompts(runId).where('status', 'in', UNFINISHED).count().get();
    // An aggregation is billed as one read per 1,000 index entries it counts.
    this.reads += Math.max(1, Math.ceil(snapshot.data().count / 1000));
    return snapshot.data().count;
  }

  async markQueued(messages: GenerationMessage[], now: number): Promise<void> {
    for (let start = 0; start < messages.length; start += CHUNK) {
      const batch = this.db.batch();
      const chunk = messages.slice(start, start + CHUNK);
      // A field update: it cannot undo a claim or a result that lands meanwhile.
      for (const { runId, promptId } of chunk) batch.update(this.prompts(runId).doc(promptId), { queuedAt: now });
      await batch.commit();
      this.writes += chunk.length;
    }
  }

  async markLost(runId: string, promptId: string, observed: ObservedState, reason: string): Promise<boolean> {
    return this.updateIf(runId, promptId, (prompt) => decideLost(prompt, observed, reason));
  }

  /** Reads the run's assessed prompts: asked only once every prompt has ended and verdicts are still owed (countVerdictsOwed). */
  async listVerdictsOwed(runId: string, limit: number): Promise<PromptRecord[]> {
    const snapshot = await this.count(this.prompts(runId).where('status', '==', 'assessed').get());
    return snapshot.docs.map((doc) => doc.data() as PromptRecord).filter(verdictOwed).slice(0, limit);
  }

  async markVerdictLost(runId: string, promptId: string, generation: string, reason: string, now: number): Promise<boolean> {
    return this.updateIf(runId, promptId, (prompt) => decideJudgeLost(prompt, generation, prompt?.judge?.model ?? 'gemini', reason, now));
  }

  async releaseOrphanedLease(runId: string, promptId: string, observed: ObservedState): Promise<boolean> {
    return this.updateIf(runId, promptId, (prompt) => decideOrphanRelease(prompt, observed));
  }

  /** Applies `decide`'s update in a transaction; resolves whether there was one. */
  private updateIf(runId: string, promptId: string, decide: (prompt: PromptRecord | null) => Partial<PromptRecord> | null): Promise<boolean> {
    const ref = this.prompts(runId).doc(promptId);
    return this.db.runTransaction(async (transaction) => {
      const snapshot = await transaction.get(ref);
      this.reads += 1;
      const update = decide(snapshot.exists ? recordOf<PromptRecord>(snapshot.data()) : null);
      if (!update) return false;
      transaction.update(ref, update);
      this.writes += 1;
      return true;
    });
  }

  async markRunCompleted(runId: string, now: number): Promise<void> {
    await this.db.collection('runs').doc(runId).update({ completedAt: new Date(now).toISOString() });
    this.writes += 1;
  }

  async cancelPrompts(runId: string, now: number): Promise<number> {
    const snapshot = await this.count(this.prompts(runId).where('status', 'in', ['planned', 'generating']).get());
    const refs = snapshot.docs.map((doc) => doc.ref);
    let cancelled = 0;
    for (let start = 0; start < refs.length; start += CHUNK) cancelled += await this.cancelChunk(refs.slice(start, start + CHUNK));
    await this.db.collection('runs').doc(runId).update({ cancelledAt: new Date(now).toISOString() });
    this.writes += 1;
    return cancelled;
  }

  /** Re-reads each prompt in the transaction, so one a worker finished meanwhile is left alone. */
  private cancelChunk(refs: DocumentReference[]): Promise<number> {
    return this.db.runTransaction(async (transaction) => {
      const snapshots = await transaction.getAll(...refs);
      this.reads += snapshots.length;
      let changed = 0;
      for (const snapshot of snapshots) {
        const update = decideCancel(snapshot.exists ? recordOf<PromptRecord>(snapshot.data()) : null);
        if (!update) continue;
        transaction.update(snapshot.ref, update);
        changed += 1;
      }
      this.writes += changed;
      return changed;
    });
  }

  private prompts(runId: string) {
    return this.db.collection('runs').doc(runId).collection('prompts');
  }

  /** A query is billed at least one read, even when it returns nothing. */
  private async count(pending: Promise<QuerySnapshot>): Promise<QuerySnapshot> {
    const snapshot = await pending;
    this.reads += Math.max(1, snapshot.size);
    return snapshot;
  }
}
