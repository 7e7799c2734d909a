import type { ImageMetrics } from '../quality/index.js';
import type { PlannedPrompt } from '../scenario/index.js';
import type { JudgeMode } from '../judge/index.js';
import type { JudgeRecord } from '../judge/index.js';
import type { CostEstimate } from './pricing.js';
import type { Review } from './review.js';
import type { RevisionInfo } from './revision-record.js';
import type { ReferenceScreening } from '../references/index.js';
import { DEFAULT_IMAGE_SETTINGS, type ImageSettings, type Scenario } from '../scenario/index.js';

/** Lifecycle of one planned prompt. `assessed` and `failed` are terminal. */
export const PROMPT_STATUSES = ['planned', 'generating', 'generated', 'assessed', 'failed'] as const;
export type PromptStatus = (typeof PROMPT_STATUSES)[number];

export const isTerminal = (status: PromptStatus): boolean => status === 'assessed' || status === 'failed';

export interface RunRecord {
  runId: string;
  scenario: Scenario;
  count: number;
  seed: number;
  categories: string[];
  provider: string;
  model: string;
  createdAt: string;
  /** `accepted` once every message is published; `publish_failed` if some could not be. */
  state: 'accepted' | 'publish_failed';
  /** Free-form owner id; the cohort issue fills it from the caller's token. */
  owner: string;
  image: ImageSettings;
  costEstimate: CostEstimate;
  /** Set once the run has completed: its status and report (core/run-summary.ts), as JSON. */
  summary?: string | null;
  /** Set by the reconciler (or a cancel) once every prompt has ended; null while the run is open. */
  completedAt?: string | null;
  /** Set when the run was cancelled, by its owner, the instructor, or a revoke or purge. */
  cancelledAt?: string | null;
  /** The content judge for this run; absent on runs made before the judge existed (none). */
  judge?: JudgeMode;
  /** Set on a revision: the lineage it belongs to, what it selected and what it amended. */
  revision?: RevisionInfo;
}

export interface PromptRecord extends PlannedPrompt {
  runId: string;
  image: ImageSettings;
  status: PromptStatus;
  /** Number of times a generator claimed this prompt. */
  attempts: number;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  lastError: string | null;
  failureReason: string | null;
  objectName: string | null;
  objectGeneration: string | null;
  model: string | null;
  renderMs: number | null;
  generatedAt: string | null;
  assessedAt: string | null;
  assessedGeneration: string | null;
  metrics: ImageMetrics | null;
  review: Review | null;
  /** Epoch ms its generation message was last published (the run's creation, or the reconciler's re-queue). */
  queuedAt?: number;
  /**
   * Epoch ms the model was sent this prompt, kept until the call's outcome is stored. A later
   * delivery that finds it set with no image knows a call may have been paid for and does not call again.
   */
  modelCallAt?: number | null;
  /** The content judge's verdict for the current object generation; absent until judged. */
  judge?: JudgeRecord | null;
  /** 1 for a slot's original prompt (absent on prompts made before revisions existed), 2 for its first regeneration … */
  version?: number;
  /** On a regenerated prompt, the image it replaces, as `runId/promptId`. */
  replaces?: string | null;
  /** The privacy guard's outcome for the assessed image, when its prompt names references (core/references/screening.ts). */
  referenceScreening?: ReferenceScreening | null;
}

export function newPromptRecord(runId: string, planned: PlannedPrompt, image: ImageSettings = DEFAULT_IMAGE_SETTINGS): PromptRecord {
  return {
    ...planned,
    runId,
    image,
    status: 'planned',
    attempts: 0,
    leaseOwner: null,
    leaseExpiresAt: null,
    lastError: null,
    failureReason: null,
    objectName: null,
    objectGeneration: null,
    model: null,
    renderMs: null,
    generatedAt: null,
    assessedAt: null,
    assessedGeneration: null,
    metrics: null,
    review: null,
  };
}

/** Deterministic object name, so a duplicate delivery can never create a second image. */
export const imageObjectName = (runId: string, category: string, promptId: string): string =>
  `runs/${runId}/${category}/${promptId}.png`;

export type StatusCounts = Record<PromptStatus, number>;

export interface QualitySummary {
  assessed: number;
  meanBrightness: number | null;
  meanColourVariance: number | null;
  meanResolutionScore: number | null;
}

export interface FailureSummary {
  promptId: string;
  category: string;
  reason: string;
}

export type RunState = 'running' | 'completed' | 'publish_failed';

/**
 * A run's state is derived from its prompts' counts rather than stored, so nothing bumps the run
 * document. With the judge on, a run is completed only once no verdict is owed either.
 */
export function deriveRunState(run: RunRecord, counts: StatusCounts, verdictsOwed = 0): RunState {
  const total = PROMPT_STATUSES.reduce((sum, status) => sum + counts[status], 0);
  const done = counts.assessed + counts.failed;
  if (total > 0 && done === total && verdictsOwed === 0) return 'completed';
  return run.state === 'publish_failed' ? 'publish_failed' : 'running';
}
