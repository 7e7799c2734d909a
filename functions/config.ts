import { z } from 'zod';
import type { ReconcileSettings } from './core/runs/index.js';
import { DEFAULT_WRITE_LIMITS, WRITE_KINDS, type WriteLimits } from './core/access/index.js';
import { paidCallReserveMs, SAFETY_MARGIN_MS } from './handlers/after-paid-call.js';
import type { Quotas } from './core/access/index.js';

/**
 * Every environment variable the functions read, validated once. A bad or missing
 * value fails with a message that names the variable.
 */
const envSchema = z.object({
  GOOGLE_CLOUD_PROJECT: z.string().min(1, 'set it to the Google Cloud project id'),
  IMAGE_BUCKET: z.string().min(3, 'set it to the Cloud Storage bucket that holds the images'),
  // Previews live apart from the images: Eventarc's storage trigger filters by bucket only, so a preview stored
  // beside the images would invoke assessImage once more for nothing. Defaults to IMAGE_BUCKET + "-previews".
  PREVIEW_BUCKET: z.string().min(3, 'set it to the Cloud Storage bucket that holds the gallery previews').optional(),
  // Reference photographs live apart from the images bucket, whose finalize trigger assesses every object.
  REFERENCE_BUCKET: z.string().min(3, 'set it to the Cloud Storage bucket that holds reference photographs').optional(),
  GENERATION_TOPIC: z.string().min(1).default('image-generation'),
  IMAGE_PROVIDER: z.enum(['embedded', 'gemini'], { message: 'must be "embedded" or "gemini"' }).default('embedded'),
  GEMINI_MODEL: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'must be a model name such as gemini-2.5-flash-image').default('gemini-2.5-flash-image'),
  GEMINI_RATE_LIMIT_RPM: z.coerce.number().int().min(1).max(100_000).default(60),
  GEMINI_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(600).default(60),
  JUDGE: z.enum(['gemini', 'none'], { message: 'must be "gemini" or "none"' }).default('none'),
  JUDGE_MODEL: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'must be a model name such as gemini-2.5-flash').default('gemini-2.5-flash'),
  JUDGE_RATE_LIMIT_RPM: z.coerce.number().int().min(1).max(100_000).default(60),
  JUDGE_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(300).default(30),
  LEASE_SECONDS: z.coerce.number().int().min(5).max(3600).default(120),
  MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  // Read by the api only; a deployment injects it from Secret Manager.
  INSTRUCTOR_TOKEN: z.string().min(32, 'must be at least 32 characters (128 bits as hex); generate one with: openssl rand -hex 24').optional(),
  DEFAULT_IMAGE_QUOTA: z.coerce.number().int().min(0).max(1_000_000).default(100),
  MAX_IMAGES_PER_RUN: z.coerce.number().int().min(1).max(500).default(100),
  // How long a run's records live; the same number of days as the buckets' lifecycle rule (infra/).
  RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  MAX_RUNS_IN_FLIGHT: z.coerce.number().int().min(1).max(100).default(2),
  // The reconciler: its cadence, when a prompt counts as stuck, and the deadlines past which it fails one.
  RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  RECONCILE_STALE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  GENERATE_DEADLINE_SECONDS: z.coerce.number().int().min(2).max(7 * 86_400).default(5400),
  ASSESS_DEADLINE_SECONDS: z.coerce.number().int().min(2).max(7 * 86_400).default(1800),
  // Set by the local stack when it starts on saved data (epoch ms): work from before it is resumed at once.
  RECONCILE_RESTARTED_AT: z.coerce.number().int().min(0).optional(),
  // Per-caller writes (and run previews) per minute, e.g. "runs=20,reviews=120,participants=60,previews=30"; kinds left out keep their default.
  WRITE_RATE_LIMITS: z
    .string()
    .regex(new RegExp(`^(${WRITE_KINDS.join('|')})=[1-9][0-9]{0,5}(,(${WRITE_KINDS.join('|')})=[1-9][0-9]{0,5})*$`), `must look like runs=20,reviews=120,participants=60,previews=30`)
    .optional(),
  // Local stack only: a file where each function appends the cloud operations it performs (the IAM check reads it).
  OPERATION_LOG: z.string().min(1).optional(),
  STORAGE_API_ENDPOINT: z.url({ message: 'must be a URL such as http://127.0.0.1:4443 (local emulator only; unset on Google Cloud)' }).optional(),
});

export interface Config {
  projectId: string;
  bucket: string;
  previewBucket: string;
  /** Reference photographs' bucket; `<IMAGE_BUCKET>-references` when unset. Never the images bucket. */
  referenceBucket: string;
  generationTopic: string;
  provider: 'embedded' | 'gemini';
  gemini: { model: string; requestsPerMinute: number; timeoutMs: number };
  /** The content judge: `none` unless the deployment has Gemini credentials for it and asks for it. */
  judge: { mode: 'gemini' | 'none'; model: string; requestsPerMinute: number; timeoutMs: number };
  leaseMs: number;
  maxAttempts: number;
  /** Runs and prompts are stamped to expire this long after creation (Firestore TTL on `expireAt`). */
  retentionMs: number;
  storageEndpoint: string | undefined;
  operationLog: string | undefined;
  instructorToken: string | undefined;
  quotas: Quotas;
  reconcile: ReconcileSettings;
  writeLimits: WriteLimits;
}


export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const values = parsed.data;
  // A model call, and every bounded retry of the steps after it, must end before the lease does, or a
  // redelivery would find the call's in-flight mark and give up an image that was on its way.
  const needed = values.GEMINI_TIMEOUT_SECONDS * 1000 + paidCallReserveMs() + SAFETY_MARGIN_MS;
  if (values.IMAGE_PROVIDER === 'gemini' && values.LEASE_SECONDS * 1000 < needed) {
    throw new ConfigError(`invalid configuration: LEASE_SECONDS (${values.LEASE_SECONDS}) must be at least GEMINI_TIMEOUT_SECONDS (${values.GEMINI_TIMEOUT_SECONDS}) + ${Math.ceil((needed / 1000) - values.GEMINI_TIMEOUT_SECONDS)}`);
  }
  if (values.REFERENCE_BUCKET === values.IMAGE_BUCKET) {
    throw new ConfigError('invalid configuration: REFERENCE_BUCKET must differ from IMAGE_BUCKET: every object in the images bucket is assessed as a generated image');
  }
  // A prompt must get at least one chance to be queued again before it can be declared lost.
  for (const name of ['GENERATE_DEADLINE_SECONDS', 'ASSESS_DEADLINE_SECONDS'] as const) {
    if (values[name] <= values.RECONCILE_STALE_SECONDS) {
      throw new ConfigError(`invalid configuration: ${name} (${values[name]}) must be greater than RECONCILE_STALE_SECONDS (${values.RECONCILE_STALE_SECONDS})`);
    }
  }
  return {
    projectId: values.GOOGLE_CLOUD_PROJECT,
    bucket: values.IMAGE_BUCKET,
    previewBucket: values.PREVIEW_BUCKET ?? `${values.IMAGE_BUCKET}-previews`,
    referenceBucket: values.REFERENCE_BUCKET ?? `${values.IMAGE_BUCKET}-references`,
    generationTopic: values.GENERATION_TOPIC,
    provider: values.IMAGE_PROVIDER,
    gemini: { model: values.GEMINI_MODEL, requestsPerMinute: values.GEMINI_RATE_LIMIT_RPM, timeoutMs: values.GEMINI_TIMEOUT_SECONDS * 1000 },
    judge: { mode: values.JUDGE, model: values.JUDGE_MODEL, requestsPerMinute: values.JUDGE_RATE_LIMIT_RPM, timeoutMs: values.JUDGE_TIMEOUT_SECONDS * 1000 },
    leaseMs: values.LEASE_SECONDS * 1000,
    maxAttempts: values.MAX_ATTEMPTS,
    retentionMs: values.RETENTION_DAYS * 86_400_000,
    storageEndpoint: values.STORAGE_API_ENDPOINT,
    operationLog: values.OPERATION_LOG,
    instructorToken: values.INSTRUCTOR_TOKEN,
    quotas: { defaultImageQuota: values.DEFAULT_IMAGE_QUOTA, maxImagesPerRun: values.MAX_IMAGES_PER_RUN, maxRunsInFlight: values.MAX_RUNS_IN_FLIGHT },
    reconcile: {
      intervalMs: values.RECONCILE_INTERVAL_SECONDS * 1000,
      staleMs: values.RECONCILE_STALE_SECONDS * 1000,
      generateDeadlineMs: values.GENERATE_DEADLINE_SECONDS * 1000,
      assessDeadlineMs: values.ASSESS_DEADLINE_SECONDS * 1000,
      ...(values.RECONCILE_RESTARTED_AT === undefined ? {} : { restartedAt: values.RECONCILE_RESTARTED_AT, leaseMs: values.LEASE_SECONDS * 1000 }),
    },
    writeLimits: parseWriteLimits(values.WRITE_RATE_LIMITS),
  };
}

function parseWriteLimits(text: string | undefined): WriteLimits {
  const limits = { ...DEFAULT_WRITE_LIMITS };
  for (const entry of text ? text.split(',') : []) {
    const [kind, perMinute] = entry.split('=') as [keyof WriteLimits, string];
    limits[kind] = Number(perMinute);
  }
  return limits;
}

/** The variables loadConfig reads, for the deployment check. */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape);

/** Variables only the local emulator stack sets; a deployment leaves them unset. */
export const LOCAL_ONLY_VARIABLES = ['STORAGE_API_ENDPOINT', 'RECONCILE_RESTARTED_AT', 'OPERATION_LOG'];
