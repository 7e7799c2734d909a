import { AggregateField, FieldPath, Firestore, type CollectionReference } from '@google-cloud/firestore';
import { expiryFields, recordOf } from './firestore-expiry.js';
import { decideJudgeCall, decideJudgeClaim, decideJudgeRecord, decideJudgeRelease, type JudgeClaim, type JudgeOutcome } from '../core/judge/index.js';
import type { ImageMetrics } from '../core/quality/index.js';
import type { Review, ReviewChange, ReviewsWritten } from '../core/runs/index.js';
import { writeReviews } from './firestore-reviews.js';
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
  type Transition,
} from '../core/runs/index.js';
import {
  PROMPT_STATUSES,
  type FailureSummary,
  type PromptRecord,
  type QualitySummary,
  type RunRecord,
  type StatusCounts,
} from '../core/runs/index.js';

/** Firestore's limit is 500 writes per batch. */
const BATCH_SIZE = 450;
/** And 10 MiB per request: long prompts (up to 16 KiB each, and their variables) fill a batch by size first. */
const BATCH_BYTES = 8 * 1024 * 1024;

function batchesOf(prompts: PromptRecord[]): PromptRecord[][] {
  const batches: PromptRecord[][] = [];
  let current: PromptRecord[] = [];
  let bytes = 0;
  for (const prompt of prompts) {
    const size = Buffer.byteLength(JSON.stringify(prompt));
    if (current.length > 0 && (current.length >= BATCH_SIZE || bytes + size > BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(prompt);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Layout: `runs/{runId}` holds the request and never changes during a run;
 * `runs/{runId}/prompts/{promptId}` holds one prompt each. Progress is read with
 * aggregation queries over the prompts, so no document is written per image but the
 * prompt's own: there is no hot-spot.
 */
export class FirestoreRunStore implements RunStore {
  /** `retentionMs`: how long after its creation a run and its prompts expire (Firestore TTL); never when omitted. */
  constructor(
    private readonly db: Firestore,
    private readonly retentionMs?: number,
  ) {}

  async createRun(run: RunRecord, prompts: PromptRecord[]): Promise<void> {
    const queuedAt = Date.parse(run.createdAt);
    // The run and its prompts expire together, on the same day as the run's images (see infra/firestore.tf).
    const expiry = expiryFields(queuedAt, this.retentionMs);
    for (const chunk of batchesOf(prompts)) {
      const batch = this.db.batch();
      // queuedAt and completedAt are what the reconciler's queries filter on, so they are always present.
      for (const prompt of chunk) batch.create(this.prompts(run.runId).doc(prompt.promptId), { queuedAt, ...prompt, ...expiry });
      await batch.commit();
    }
    await this.db.collection('runs').doc(run.runId).create({ completedAt: null, ...run, ...expiry });
  }

  async getRun(runId: string): Promise<RunRecord | null> {
    const snapshot = await this.db.collection('runs').doc(runId).get();
    return snapshot.exists ? recordOf<RunRecord>(snapshot.data()) : null;
  }

  async listRuns(owner?: string): Promise<RunRecord[]> {
    const runs = this.db.collection('runs');
    const snapshot = await (owner === undefined ? runs : runs.where('owner', '==', owner)).get();
    return snapshot.docs.map((doc) => recordOf<RunRecord>(doc.data())).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async listRevisions(rootRunId: string): Promise<RunRecord[]> {
    // A single-field equality query: Firestore indexes it automatically; a lineage holds at most MAX_REVISIONS.
    const snapshot = await this.db.collection('runs').where('revision.rootRunId', '==', rootRunId).get();
    return snapshot.docs.map((doc) => doc.data() as RunRecord);
  }

  async deleteRun(runId: string): Promise<void> {
    await this.db.recursiveDelete(this.db.collection('runs').doc(runId));
  }

  async setReview(runId: string, promptId: string, review: Review): Promise<boolean> {
    try {
      await this.prompts(runId).doc(promptId).update({ review });
      return true;
    } catch (error) {
      if ((error as { code?: number }).code === 5) return false; // NOT_FOUND
      throw error;
    }
  }

  setReviews(runId: string, changes: ReviewChange[]): Promise<ReviewsWritten> {
    return writeReviews(this.db, this.prompts(runId), changes);
  }

  async markPublishFailed(runId: string, promptIds: string[], reason: string): Promise<void> {
    for (const promptId of promptIds) await this.markFailed(runId, promptId, reason);
    await this.db.collection('runs').doc(runId).update({ state: 'publish_failed' });
  }

  async getPrompt(runId: string, promptId: string): Promise<PromptRecord | null> {
    const snapshot = await this.prompts(runId).doc(promptId).get();
    return snapshot.exists ? recordOf<PromptRecord>(snapshot.data()) : null;
  }

  async listPrompts(runId: string): Promise<PromptRecord[]> {
    const snapshot = await this.prompts(runId).orderBy('index').get();
    return snapshot.docs.map((doc) => recordOf<PromptRecord>(doc.data()));
  }

  claimPrompt(runId: string, promptId: string, options: ClaimOptions): Promise<ClaimResult> {
    return this.transact(runId, promptId, (prompt) => decideClaim(prompt, options));
  }

  releaseWithError(runId: string, promptId: string, owner: string, error: string, backoffUntil: number | null = null, options: ReleaseOptions = {}): Promise<void> {
    return this.transact(runId, promptId, (prompt) => ({ result: undefined, update: decideRelease(prompt, owner, error, backoffUntil, options) }));
  }

  beginModelCall(runId: string, promptId: string, owner: string, now: number): Promise<ModelCallStart> {
    return this.transact(runId, promptId, (prompt) => decideModelCall(prompt, owner, now));
  }

  markGenerated(runId: string, promptId: string, info: GeneratedInfo): Promise<GeneratedOutcome> {
    return this.transact(runId, promptId, (prompt) => ({ result: generatedOutcome(prompt), update: decideGenerated(prompt, info) }));
  }

  markFailed(runId: string, promptId: string, reason: string): Promise<void> {
    return this.transact(runId, promptId, (prompt) => ({ result: undefined, update: decideFailed(prompt, reason) }));
  }

  recordAssessment(runId: string, promptId: string, generation: string, metrics: ImageMetrics, now: number, screening?: ReferenceScreening): Promise<AssessmentResult> {
    return this.transact(runId, promptId, (prompt) => decideAssessment(prompt, generation, { metrics, ...(screening ? { screening } : {}) }, now));
  }

  recordAssessmentFailure(runId: string, promptId: string, generation: string, reason: string, now: number): Promise<AssessmentResult> {
    return this.transact(runId, promptId, (prompt) => decideAssessment(prompt, generation, { failure: reason }, now));
  }

  claimJudge(runId: string, promptId: string, generation: string, model: string, options: ClaimOptions): Promise<JudgeClaim> {
    return this.transact(runId, promptId, (prompt) => decideJudgeClaim(prompt, generation, model, options));
  }

  beginJudgeCall(runId: string, promptId: string, generation: string, owner: string, now: number): Promise<boolean> {
    return this.transact(runId, promptId, (prompt) => decideJudgeCall(prompt, generation, owner, now));
  }

  recordJudge(runId: string, promptId: string, generation: string, owner: string, outcome: JudgeOutcome, now: number): Promise<void> {
    return this.transact(runId, promptId, (prompt) => ({ result: undefined, update: decideJudgeRecord(prompt, generation, owner, outcome, now) }));
  }

  releaseJudge(runId: string, promptId: string, generation: string, owner: string, error: string, backoffUntil: number | null): Promise<void> {
    return this.transact(runId, promptId, (prompt) => ({ result: undefined, update: decideJudgeRelease(prompt, generation, owner, error, backoffUntil) }));
  }

  /**
   * Three count queries (single-field indexes): assessed images less verdicts that ended. A verdict
   * about an older object generation would count as ended here; listVerdictsOwed checks exactly.
   */
  async countVerdictsOwed(runId: string): Promise<number> {
    const [assessed, judged, failed] = await Promise.all(
      [this.prompts(runId).where('status', '==', 'assessed'), this.prompts(runId).where('judge.status', '==', 'judged'), this.prompts(runId).where('judge.status', '==', 'failed')].map(async (query) => (await query.count().get()).data().count),
    );
    return Math.max(0, (assessed ?? 0) - (judged ?? 0) - (failed ?? 0));
  }

  async countByStatus(runId: string): Promise<StatusCounts> {
    const counts = await Promise.all(
      PROMPT_STATUSES.map(async (status) => {
        const snapshot = await this.prompts(runId).where('status', '==', status).count().get();
        return [status, snapshot.data().count] as const;
      }),
    );
    return Object.fromEntries(counts) as StatusCounts;
  }

  async listFailures(runId: string, limit: number): Promise<FailureSummary[]> {
    const snapshot = await this.prompts(runId).where('status', '==', 'failed').limit(limit).get();
    return snapshot.docs
      .map((doc) => recordOf<PromptRecord>(doc.data()))
      .sort((a, b) => a.index - b.index)
      .map((prompt) => ({ promptId: prompt.promptId, category: prompt.category, reason: prompt.failureReason ?? 'unknown' }));
  }

  async qualitySummary(runId: string): Promise<QualitySummary> {
    const snapshot = await this.prompts(runId)
      .where('status', '==', 'assessed')
      .aggregate({
        assessed: AggregateField.count(),
        meanBrightness: AggregateField.average('metrics.brightness'),
        meanColourVariance: AggregateField.average('metrics.colourVariance'),
        meanResolutionScore: AggregateField.average('metrics.resolutionScore'),
      })
      .get();
    const data = snapshot.data();
    const rounded = (value: number | null | undefined): number | null => (value == null ? null : Math.round(value * 10_000) / 10_000);
    return {
      assessed: data.assessed,
      meanBrightness: rounded(data.meanBrightness),
      meanColourVariance: rounded(data.meanColourVariance),
      meanResolutionScore: rounded(data.meanResolutionScore),
    };
  }

  async saveRunSummary(runId: string, summary: string | null): Promise<void> {
    try {
      await this.db.collection('runs').doc(runId).update({ summary });
    } catch (error) {
      if ((error as { code?: number }).code !== 5) throw error; // NOT_FOUND: the run was purged
    }
  }

  /** Only the listed fields are fetched (a projection), so a page never carries the runs' scenarios. */
  async listRunsPage(options: { owner?: string; pageSize: number; after: RunCursor | null }): Promise<{ runs: RunListing[]; next: RunCursor | null }> {
    const runs = this.db.collection('runs');
    let query = (options.owner === undefined ? runs : runs.where('owner', '==', options.owner))
      .orderBy('createdAt', 'desc')
      .orderBy(FieldPath.documentId(), 'desc')
      .select('createdAt', 'owner', 'count', 'scenario.name');
    if (options.after) query = query.startAfter(...options.after);
    const snapshot = await query.limit(options.pageSize).get();
    const listed = snapshot.docs.map((doc) => {
      const data = doc.data() as { createdAt: string; owner: string; count: number; scenario?: { name?: string } };
      return { runId: doc.id, createdAt: data.createdAt, owner: data.owner, planned: data.count, scenario: data.scenario?.name ?? '' };
    });
    const last = listed.at(-1);
    return { runs: listed, next: listed.length === options.pageSize && last ? [last.createdAt, last.runId] : null };
  }

  async listPromptsPage(runId: string, options: { pageSize: number; after: number | null }): Promise<{ prompts: PromptRecord[]; next: number | null }> {
    let query = this.prompts(runId).orderBy('index');
    if (options.after !== null) query = query.startAfter(options.after);
    const snapshot = await query.limit(options.pageSize).get();
    const prompts = snapshot.docs.map((doc) => recordOf<PromptRecord>(doc.data()));
    const last = prompts.at(-1);
    return { prompts, next: prompts.length === options.pageSize && last ? last.index : null };
  }

  private prompts(runId: string): CollectionReference {
    return this.db.collection('runs').doc(runId).collection('prompts');
  }

  private transact<R>(runId: string, promptId: string, decide: (prompt: PromptRecord | null) => Transition<R>): Promise<R> {
    const ref = this.prompts(runId).doc(promptId);
    return this.db.runTransaction(async (transaction) => {
      const snapshot = await transaction.get(ref);
      const { result, update } = decide(snapshot.exists ? recordOf<PromptRecord>(snapshot.data()) : null);
      if (update) transaction.update(ref, update);
      return result;
    });
  }
}
