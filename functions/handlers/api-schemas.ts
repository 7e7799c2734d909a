/**
 * The shapes of the api's answers, as zod schemas, for the OpenAPI document (openapi.ts).
 * Objects are loose: a field added to an answer is documented here, but an older document
 * stays valid for it. test/integration/openapi.test.ts checks real answers against them.
 */
import { z } from 'zod';
import { PROMPT_STATUSES } from '../core/runs/index.js';

const int = z.number().int();
const time = z.string().describe('ISO 8601 time');

export const errorSchema = z.looseObject({
  error: z.looseObject({
    code: z.string().describe('machine-readable: INVALID_ARGUMENT, UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND, METHOD_NOT_ALLOWED, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, RESOURCE_EXHAUSTED, UNAVAILABLE, INTERNAL'),
    message: z.string().describe('what went wrong and what to do about it'),
    fields: z.array(z.looseObject({ field: z.string(), message: z.string(), suggestion: z.string().optional() })).optional().describe('per-field problems of a run request, with a suggestion where one known name is clearly meant'),
  }),
});

const referenceCost = z.looseObject({ images: int.describe('reference image parts sent, one per reference per prompt'), tokens: int, usd: z.number().nullable(), basis: z.string() });
const costEstimate = z.looseObject({ images: int, usdPerImage: z.number().nullable(), usd: z.number().nullable(), basis: z.string(), references: referenceCost.optional().describe('the references\' input tokens, included in usd; absent without references') });
const referenceIds = z.array(z.string()).optional().describe('the reference photographs that guide this prompt (ids, never content); absent when none');
const balance = z.looseObject({ counts: z.record(z.string(), int), normalisedEntropy: z.number().describe('1 = perfectly even') });
const imageSettings = z.looseObject({ aspectRatio: z.string(), imageSize: z.string() });
const counts = z.looseObject(Object.fromEntries(PROMPT_STATUSES.map((status) => [status, int])) as Record<(typeof PROMPT_STATUSES)[number], typeof int>);
const review = z.looseObject({
  relevance: int.min(1).max(5).nullable(),
  inappropriate: z.boolean(),
  note: z.string(),
  culturalSensitivity: z.enum(['ok', 'concern']).nullable().optional().describe('absent from reviews made before it was asked'),
  scenarioAligned: z.boolean().nullable().optional(),
  labels: z.record(z.string(), z.union([z.boolean(), z.string()]).nullable()).optional().describe('the cohort labels set on this image, by key'),
  reviewedBy: z.string(),
  reviewedAt: time,
});
const interval = z.looseObject({ estimate: z.number(), low: z.number(), high: z.number() });
const runReport = z.looseObject({
  images: int,
  issueCounts: z.record(z.string(), int),
  balance: z.looseObject({ categories: balance, axes: z.record(z.string(), balance) }),
  diversity: z.looseObject({ meanPairwiseHamming: z.number().nullable(), vendiScore: z.number() }),
});

export const createdRunSchema = z.looseObject({ runId: z.string(), planned: int, seed: int, statusUrl: z.string() });

export const runListSchema = z.looseObject({
  runs: z.array(z.looseObject({ runId: z.string(), createdAt: time, scenario: z.string(), planned: int, owner: z.string(), ownerName: z.string().optional() })),
  nextPageToken: z.string().nullable().optional().describe('pass as pageToken for the next page; null on the last page'),
});

export const runStatusSchema = z.looseObject({
  runId: z.string(),
  state: z.enum(['running', 'completed', 'publish_failed']),
  scenario: z.string(),
  provider: z.string(),
  model: z.string(),
  seed: int,
  createdAt: time,
  owner: z.string(),
  image: imageSettings,
  costEstimate,
  planned: int,
  counts,
  verdictsOwed: int.optional().describe('a judged run in its judging stage: every prompt has ended and this many verdicts are still owed'),
  failures: z.array(z.looseObject({ promptId: z.string(), category: z.string(), reason: z.string() })),
  quality: z.looseObject({ assessed: int, meanBrightness: z.number().nullable(), meanColourVariance: z.number().nullable(), meanResolutionScore: z.number().nullable() }),
  report: runReport.nullable().describe('once the run has completed'),
  unknownOutcomes: z.looseObject({ images: int, verdicts: int }).optional().describe('once completed: model calls whose outcome was never stored, ended `unknown_outcome` rather than called again'),
});

export const promptsSchema = z.looseObject({
  run: z.looseObject({ runId: z.string(), scenario: z.looseObject({ name: z.string() }), count: int, seed: int, categories: z.array(z.string()), owner: z.string() }).optional().describe('on the first page only'),
  nextPageToken: z.string().nullable().optional().describe('pass as pageToken for the next page; null on the last page'),
  thresholds: z.record(z.string(), z.number()),
  prompts: z.array(z.looseObject({
    promptId: z.string(),
    category: z.string(),
    prompt: z.string(),
    variables: z.record(z.string(), z.string()),
    referenceIds,
    status: z.enum(PROMPT_STATUSES),
    failureReason: z.string().nullable(),
    metrics: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).nullable(),
    issues: z.array(z.string()),
    duplicateOf: z.string().nullable(),
    review: review.nullable(),
  })),
});

export const reviewAnswerSchema = z.looseObject({ review });

export const bulkReviewAnswerSchema = z.looseObject({
  changed: int.describe('how many of the named images now have a different review (the others were left as they were)'),
  previous: z.array(z.looseObject({ promptId: z.string(), review: review.nullable() })).describe("each named image's review before this request, in the order named: send them back to undo it"),
});

export const spotCheckSchema = z.looseObject({
  runId: z.string(),
  seed: int.describe('the same seed gives the same sample back; the run seed unless ?seed= says otherwise'),
  promptIds: z.array(z.string()).describe('12 images with an image, stratified by category'),
  sampled: int,
  reviewed: int,
  rejected: int.describe('reviewed sample images rated below 3 or marked inappropriate'),
  defectRate: interval.nullable().describe('rejected / reviewed with its 95 % Wilson interval; null until one is reviewed'),
  flagged: z.looseObject({ images: int, flagged: int, share: z.number().nullable() }).describe('the automatic flags over every image of the run, beside the estimate'),
});

export const previewSchema = z.looseObject({
  planned: int,
  seed: int.describe('start the run with this seed to get exactly these prompts'),
  prompts: z.array(z.looseObject({ promptId: z.string(), category: z.string(), prompt: z.string(), variables: z.record(z.string(), z.string()), referenceIds })),
  balance: z.looseObject({ categories: balance, axes: z.record(z.string(), balance) }),
  costEstimate,
  quota: z.looseObject({ used: int, left: int.nullable().describe('null: no quota (the instructor)') }),
  scenario: z.string(),
  image: imageSettings,
});

const selection = z.union([z.enum(['not-usable', 'rejected', 'flagged', 'failed']), z.looseObject({ promptIds: z.array(z.string()) })]);

export const createdRevisionSchema = z.looseObject({ runId: z.string(), rootRunId: z.string(), parentRunId: z.string(), revision: int, planned: int, seed: int, statusUrl: z.string() });

export const revisionPreviewSchema = z.looseObject({
  rootRunId: z.string(),
  parentRunId: z.string(),
  revision: int.describe('the number the revision would get in its lineage'),
  select: selection,
  planned: int,
  slots: z.array(
    z.looseObject({
      promptId: z.string(),
      category: z.string(),
      variables: z.record(z.string(), z.string()),
      version: int,
      replaces: z.string().describe('the image replaced, as runId/promptId'),
      prompt: z.string(),
      previousPrompt: z.string(),
    }),
  ),
  costEstimate,
  quota: z.looseObject({ used: int, left: int.nullable().describe('null: no quota (the instructor)') }),
});

export const revisionsSchema = z.looseObject({
  rootRunId: z.string(),
  runs: z.array(
    z.looseObject({
      runId: z.string(),
      createdAt: time,
      planned: int,
      revision: z.looseObject({ number: int, parentRunId: z.string(), select: selection, slots: z.array(z.string()), amend: z.unknown(), note: z.string().nullable() }).nullable().describe('null for the first run'),
    }),
  ),
});

export const ticketSchema = z.looseObject({ url: z.string().describe('single use, valid for 60 s, no token needed'), expiresAt: time });

export const meSchema = z.looseObject({ id: z.string(), name: z.string(), role: z.enum(['instructor', 'participant']), imageQuota: int.nullable(), imagesUsed: int });

const createdParticipant = z.looseObject({ id: z.string(), name: z.string(), token: z.string().describe('shown once'), imageQuota: int });
export const createdParticipantSchema = createdParticipant;
export const createdParticipantsSchema = z.looseObject({ participants: z.array(createdParticipant) });

const publicParticipant = z.looseObject({ id: z.string(), name: z.string(), revoked: z.boolean(), imageQuota: int, imagesUsed: int, activeRuns: z.array(z.looseObject({ runId: z.string(), reservedAt: int })), createdAt: time });
export const participantSchema = publicParticipant;
export const participantsSchema = z.looseObject({ participants: z.array(publicParticipant), nextPageToken: z.string().nullable().optional() });
export const cancelledRunSchema = z.looseObject({ runId: z.string(), cancelled: int.describe('prompts ended `failed: cancelled` by this call'), unfinished: int });

export const deletedRunsSchema = z.looseObject({ deletedRuns: int });
export const cohortLabelsAnswerSchema = z.looseObject({
  labels: z.array(z.looseObject({ key: z.string(), name: z.string().optional(), type: z.enum(['yesno', 'choice']), choices: z.array(z.string()).optional() })),
});
export const purgedCohortSchema = z.looseObject({ deletedRuns: int, deletedParticipants: int });
export const healthSchema = z.looseObject({ status: z.literal('ok') });

export const createdReferenceSchema = z.looseObject({ referenceId: z.string(), name: z.string(), width: int, height: int, sha256: z.string().describe('of the stored, downscaled copy') });
const publicReference = z.looseObject({ referenceId: z.string(), name: z.string(), width: int, height: int, sha256: z.string(), bytes: int, shared: z.boolean(), owner: z.string(), createdAt: time });
export const referenceSchema = publicReference;
export const referenceListSchema = z.looseObject({ references: z.array(publicReference), nextPageToken: z.string().nullable().optional() });
export const deletedReferenceSchema = z.looseObject({ referenceId: z.string(), deleted: z.literal(true) });
