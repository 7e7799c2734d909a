/**
 * Ports between the handlers and the cloud. Each has a Google Cloud adapter in
 * functions/adapters and an in-memory one for unit tests.
 */
import type { ImageMetrics } from './metrics.js';
import type { ActiveRun, Participant, Reservation } from './participants.js';
import type { Review } from './review.js';
import type {
  FailureSummary,
  PromptRecord,
  QualitySummary,
  RunRecord,
  StatusCounts,
} from './run-model.js';

export type ClaimResult =
  | { kind: 'claimed'; prompt: PromptRecord }
  /** Already generated, assessed or failed: a duplicate delivery. */
  | { kind: 'finished'; prompt: PromptRecord }
  /** Another worker holds an unexpired lease. */
  | { kind: 'busy'; leaseExpiresAt: number }
  | { kind: 'missing' };

export interface ReleaseOptions {
  refundAttempt?: boolean;
}

export interface ClaimOptions {
  owner: string;
  now: number;
  leaseMs: number;
}

export interface GeneratedInfo {
  objectName: string;
  objectGeneration: string;
  model: string;
  renderMs: number | null;
  now: number;
}

export type AssessmentResult = 'recorded' | 'duplicate' | 'missing';

export interface RunStore {
  /** Writes every prompt, then the run document: a run is visible only once complete. */
  createRun(run: RunRecord, prompts: PromptRecord[]): Promise<void>;
  getRun(runId: string): Promise<RunRecord | null>;
  /** Runs newest first, all of them or one owner's. */
  listRuns(owner?: string): Promise<RunRecord[]>;
  /** Deletes the run document and all its prompts. */
  deleteRun(runId: string): Promise<void>;
  setReview(runId: string, promptId: string, review: Review): Promise<boolean>;
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
  /** Moves generating → generated; never downgrades a prompt the assessor already finished. */
  markGenerated(runId: string, promptId: string, info: GeneratedInfo): Promise<void>;
  markFailed(runId: string, promptId: string, reason: string): Promise<void>;

  /** Idempotent per object generation. */
  recordAssessment(runId: string, promptId: string, generation: string, metrics: ImageMetrics, now: number): Promise<AssessmentResult>;
  recordAssessmentFailure(runId: string, promptId: string, generation: string, reason: string, now: number): Promise<AssessmentResult>;

  countByStatus(runId: string): Promise<StatusCounts>;
  listFailures(runId: string, limit: number): Promise<FailureSummary[]>;
  qualitySummary(runId: string): Promise<QualitySummary>;
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
}

/** A ceiling on model calls per minute across the whole deployment. */
export interface RateLimiter {
  tryAcquire(now: number): Promise<{ granted: true } | { granted: false; retryAfterMs: number }>;
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
