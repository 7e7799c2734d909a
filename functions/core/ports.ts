/**
 * Ports between the handlers and the cloud. Each has a Google Cloud adapter in
 * functions/adapters and an in-memory one for unit tests.
 */
import type { JudgeClaim, JudgeOutcome } from './judge/index.js';
import type { ImageMetrics } from './quality/index.js';
import type { ParticipantCursor, RunCursor, RunListing } from './access/index.js';
import type { ActiveRun, Participant, Reservation } from './access/index.js';
import type { ObservedState, StaleCutoffs } from './runs/index.js';
import type { CohortLabel, Review, ReviewChange, ReviewsWritten } from './runs/index.js';
import type { SignInVerdict, WriteDecision, WriteKind } from './access/index.js';
import type {
  FailureSummary,
  PromptRecord,
  QualitySummary,
  RunRecord,
  StatusCounts,
} from './runs/index.js';

import type { ReferenceAdmission, ReferenceCursor, ReferenceRecord, ReferenceScreening, ReferenceUsage } from './references/index.js';
export type { AssessmentResult, ClaimOptions, ClaimResult, GeneratedInfo, GeneratedOutcome, ModelCallStart, ReleaseOptions } from './runs/index.js';
import type { AssessmentResult, ClaimOptions, ClaimResult, GeneratedInfo, GeneratedOutcome, ModelCallStart, ReleaseOptions } from './runs/index.js';

export interface RunStore {
  /** Writes every prompt, then the run document: a run is visible only once complete. */
  createRun(run: RunRecord, prompts: PromptRecord[]): Promise<void>;
  getRun(runId: string): Promise<RunRecord | null>;
  /** Runs newest first, all of them or one owner's. */
  listRuns(owner?: string): Promise<RunRecord[]>;
  /** The revisions of a lineage's first run (core/revisions), in no particular order. */
  listRevisions(rootRunId: string): Promise<RunRecord[]>;
  /** Deletes the run document and all its prompts. */
  deleteRun(runId: string): Promise<void>;
  setReview(runId: string, promptId: string, review: Review): Promise<boolean>;
  /**
   * Writes several prompts' reviews (null clears one) in one transaction, leaving alone those that
   * would not change (reviewDiffers); answers each named prompt's review before, in the order given,
   * or, having written nothing, the named prompts that do not exist.
   */
  setReviews(runId: string, changes: ReviewChange[]): Promise<ReviewsWritten>;
  markPublishFailed(runId: string, promptIds: string[], reason: string): Promise<void>;
  getPrompt(runId: string, promptId: string): Promise<PromptRecord | null>;
  listPrompts(runId: string): Promise<PromptRecord[]>;

  /** Transactionally takes the prompt's lease, counting an attempt. */
  claimPrompt(runId: string, promptId: string, options: ClaimOptions): Promise<ClaimResult>;
  /**
   * Records a transient error and releases the lease: at once, or at `backoffUntil` so redeliveries wait.
   * `refundAttempt` gives the claim's attempt back when no model call was made (a wait for a rate-limit slot).
   */
  releaseWithError(runId: string, promptId: string, owner: string, error: string, backoffUntil?: number | null, options?: ReleaseOptions): Promise<void>;
  /** Marks that the lease holder is about to call the model (`go`), before the request goes out; refused if cancelled, gone or taken over. */
  beginModelCall(runId: string, promptId: string, owner: string, now: number): Promise<ModelCallStart>;
  /** Moves generating → generated; never downgrades a prompt the assessor already finished. */
  markGenerated(runId: string, promptId: string, info: GeneratedInfo): Promise<GeneratedOutcome>;
  markFailed(runId: string, promptId: string, reason: string): Promise<void>;

  /** Idempotent per object generation. */
  /** `screening`: the privacy guard's outcome, when the prompt names references, recorded in the same write. */
  recordAssessment(runId: string, promptId: string, generation: string, metrics: ImageMetrics, now: number, screening?: ReferenceScreening): Promise<AssessmentResult>;
  recordAssessmentFailure(runId: string, promptId: string, generation: string, reason: string, now: number): Promise<AssessmentResult>;

  /** Takes the judge's lease for one object generation; `done` when a verdict is already recorded. */
  claimJudge(runId: string, promptId: string, generation: string, model: string, options: ClaimOptions): Promise<JudgeClaim>;
  /** Marks that the judge's lease holder is about to call the judge; false when its lease passed on. */
  beginJudgeCall(runId: string, promptId: string, generation: string, owner: string, now: number): Promise<boolean>;
  recordJudge(runId: string, promptId: string, generation: string, owner: string, outcome: JudgeOutcome, now: number): Promise<void>;
  releaseJudge(runId: string, promptId: string, generation: string, owner: string, error: string, backoffUntil: number | null): Promise<void>;

  countByStatus(runId: string): Promise<StatusCounts>;
  /** Assessed images whose verdict has not ended (judged or failed); only meaningful for a judged run. */
  countVerdictsOwed(runId: string): Promise<number>;
  listFailures(runId: string, limit: number): Promise<FailureSummary[]>;
  qualitySummary(runId: string): Promise<QualitySummary>;

  /** Stores a completed run's summary (run-summary.ts, encoded) on the run document; null drops it. A missing run is ignored. */
  saveRunSummary(runId: string, summary: string | null): Promise<void>;
  /** One page of runs, newest first, as summaries (never the scenario). */
  listRunsPage(options: { owner?: string; pageSize: number; after: RunCursor | null }): Promise<{ runs: RunListing[]; next: RunCursor | null }>;
  /** One page of a run's prompts in plan order, after the prompt with index `after`. */
  listPromptsPage(runId: string, options: { pageSize: number; after: number | null }): Promise<{ prompts: PromptRecord[]; next: number | null }>;
}

export interface StoredObject {
  name: string;
  generation: string;
}

export interface ImageBucket {
  /** Creates the object only if no live version exists (generation precondition 0). */
  writeIfAbsent(name: string, bytes: Buffer, metadata: Record<string, string>): Promise<StoredObject & { created: boolean }>;
  stat(name: string): Promise<StoredObject | null>;
  /** Reads bytes; resolves null when the object (or that generation) no longer exists. */
  read(name: string, generation?: string): Promise<Buffer | null>;
  /** Deletes every object whose name starts with `prefix`. */
  deletePrefix(prefix: string): Promise<void>;
  /** Creates an object derived from an image (a preview) only if absent, with its content type. */
  writeDerivedIfAbsent(name: string, bytes: Buffer, contentType: string): Promise<StoredObject & { created: boolean }>;
}

export interface GenerationMessage {
  runId: string;
  promptId: string;
}

export interface PromptPublisher {
  /** Publishes one message per prompt, batched; resolves with the ids that could not be published. */
  publish(messages: GenerationMessage[]): Promise<{ failed: string[]; error?: string }>;
}

export interface ParticipantStore {
  create(participants: Participant[]): Promise<void>;
  get(id: string): Promise<Participant | null>;
  findByTokenHash(tokenHash: string): Promise<Participant | null>;
  list(): Promise<Participant[]>;
  setQuota(id: string, imageQuota: number): Promise<Participant | null>;
  revoke(id: string): Promise<Participant | null>;
  /**
   * Atomically checks and books a run against the participant's quotas. `isFinished` tells
   * which of the participant's active runs have completed; it is asked outside the transaction.
   */
  reserveRun(id: string, run: ActiveRun, images: number, isFinished: (run: ActiveRun) => Promise<boolean>): Promise<Reservation>;
  remove(ids: string[]): Promise<void>;
  /** One page of participants, oldest first. */
  listPage(options: { pageSize: number; after: ParticipantCursor | null }): Promise<{ participants: Participant[]; next: ParticipantCursor | null }>;
  /**
   * Gives `refundImages` images back (never below zero) and, when `finished`, frees the run's
   * in-flight slot. A missing participant is ignored.
   */
  releaseRun(id: string, runId: string, options: { refundImages: number; finished: boolean }): Promise<void>;
}

/**
 * What the reconciler and cancellation need beyond RunStore. The queries read only open runs
 * and stale prompts, never every prompt of every run; `usage` counts documents read and written.
 */
export interface RunLifecycleStore {
  /** Runs not yet marked completed, oldest first. */
  listOpenRuns(limit: number): Promise<RunRecord[]>;
  /** Prompts of any run that made no progress since the cutoffs, at most `limit` per stage. */
  findStalePrompts(cutoffs: StaleCutoffs, limit: number): Promise<PromptRecord[]>;
  /** Prompts not yet assessed or failed. */
  countUnfinished(runId: string): Promise<number>;
  /** Records that the prompts were queued again at `now`. */
  markQueued(prompts: GenerationMessage[], now: number): Promise<void>;
  /** Fails the prompt with `reason` if it is still as observed; resolves whether it did. */
  markLost(runId: string, promptId: string, observed: ObservedState, reason: string): Promise<boolean>;
  markRunCompleted(runId: string, now: number): Promise<void>;
  /** A judged run's assessed prompts whose verdict has not ended, at most `limit`. */
  listVerdictsOwed(runId: string, limit: number): Promise<PromptRecord[]>;
  /** Ends an owed verdict `failed` with `reason`, unless it ended meanwhile or a worker holds it; resolves whether it did. */
  markVerdictLost(runId: string, promptId: string, generation: string, reason: string, now: number): Promise<boolean>;
  /** Frees the lease of a worker that died with the local stack, if the prompt is still as observed; resolves whether it did. */
  releaseOrphanedLease(runId: string, promptId: string, observed: ObservedState): Promise<boolean>;
  /** Fails every prompt that has no image yet with reason `cancelled`; resolves how many it changed. */
  cancelPrompts(runId: string, now: number): Promise<number>;
  usage(): { reads: number; writes: number };
}

/** A ceiling on model calls per minute across the whole deployment. */
export interface RateLimiter {
  tryAcquire(now: number): Promise<{ granted: true } | { granted: false; retryAfterMs: number }>;
}

/** Per-caller ceilings on writes (runs, reviews, participants), shared across api instances. */
export interface WriteLimiter {
  take(principalId: string, kind: WriteKind, now: number): Promise<WriteDecision>;
}

/** Failed sign-ins per client address, shared across api instances (see access/auth-throttle.ts). */
export interface SignInFailures {
  /** Counts one failed sign-in from `address` and says whether to refuse it with 429. */
  record(address: string, now: number): Promise<SignInVerdict>;
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A short-lived, single-use permission to download one run's dataset, so no token goes into a URL. */
export interface DownloadTicket {
  runId: string;
  principal: { id: string; name: string; role: 'instructor' | 'participant' };
  expiresAt: number;
}

export interface DownloadTicketStore {
  /** Stores a ticket under the SHA-256 of its secret; the secret itself is never stored. */
  issue(ticketHash: string, ticket: DownloadTicket): Promise<void>;
  /** Takes the ticket out, once: a second redeem, or one after `expiresAt`, resolves null. */
  redeem(ticketHash: string, now: number): Promise<DownloadTicket | null>;
}

/** Reference photographs' records; their bytes live in a bucket of their own. */
export interface ReferenceStore {
  /** Creates the record and counts it against its owner, atomically, only if `admit` accepts the owner's usage. */
  create(record: ReferenceRecord, admit: (usage: ReferenceUsage) => ReferenceAdmission): Promise<ReferenceAdmission>;
  get(referenceId: string): Promise<ReferenceRecord | null>;
  /** One page, newest first: the viewer's own references and the shared ones (every one when `viewer` is undefined). */
  listPage(options: { viewer?: string; pageSize: number; after: ReferenceCursor | null }): Promise<{ references: ReferenceRecord[]; next: ReferenceCursor | null }>;
  setShared(referenceId: string, shared: boolean): Promise<ReferenceRecord | null>;
  /** Deletes the record and gives its count and bytes back to its owner; resolves the record removed, or null. */
  remove(referenceId: string): Promise<ReferenceRecord | null>;
}

/** The cohort's label declaration: one document, replaced whole by the instructor. */
export interface CohortLabelStore {
  /** The declared labels, in declaration order; none until the instructor declares some. */
  get(): Promise<CohortLabel[]>;
  set(labels: CohortLabel[]): Promise<void>;
}
