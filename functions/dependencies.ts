import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { Storage } from '@google-cloud/storage';
import { createEmbeddedProvider } from './adapters/embedded/embedded-provider.js';
import { FirestoreLifecycleStore } from './adapters/firestore-lifecycle.js';
import { FirestoreCohortLabels } from './adapters/firestore-cohort-labels.js';
import { FirestoreDownloadTickets } from './adapters/firestore-download-tickets.js';
import { softwareVersions } from './adapters/versions.js';
import { FirestoreParticipantStore } from './adapters/firestore-participants.js';
import { FirestoreReferenceStore } from './adapters/firestore-references.js';
import { prepareReference } from './adapters/reference-image.js';
import { referenceLoader } from './adapters/reference-loader.js';
import { FirestoreRateLimiter } from './adapters/firestore-rate-limiter.js';
import { FirestoreWriteLimiter } from './adapters/firestore-write-limiter.js';
import { makeThumbnail, previewFromPixels } from './adapters/thumbnail.js';
import { operationRecorder, type OperationRecorder } from './adapters/operation-log.js';
import { makeAuthorize } from './handlers/auth.js';
import { FirestoreSignInFailures } from './adapters/firestore-sign-in-failures.js';
import { FirestoreRunStore } from './adapters/firestore-store.js';
import { createGeminiJudge } from './adapters/gemini/gemini-judge.js';
import { createGeminiProvider, resolveGeminiCredentials } from './adapters/gemini/gemini-provider.js';
import { judgeImageOf } from './adapters/judge-image.js';
import { decodeImage } from './adapters/image-decoder.js';
import { createJsonLogger } from './adapters/log.js';
import { PubSubPromptPublisher } from './adapters/pubsub-publisher.js';
import { GcsImageBucket } from './adapters/storage-bucket.js';
import { ConfigError, type Config } from './config.js';
import type { ImageProvider } from './core/objects/index.js';
import { cursorKey } from './core/access/index.js';
import type { ApiDependencies } from './handlers/api.js';
import type { AssessDependencies } from './handlers/assess.js';
import type { GenerateDependencies } from './handlers/generate.js';
import { makeAssessHandler } from './handlers/assess.js';
import type { JudgeDependencies } from './handlers/judge-step.js';
import { STORAGE_CLIENT_MAX_RETRIES, STORAGE_WRITE_TOTAL_TIMEOUT_MS } from './handlers/after-paid-call.js';
import { reassessWith, type ReconcileDependencies } from './handlers/reconcile.js';
import { builtinScenarios, DEFAULT_SCENARIO } from './scenarios/index.js';
import { REFERENCE_LIMITS } from './core/references/index.js';

/**
 * Builds the real cloud clients. Called on a function's first invocation, never at import. Every
 * port is built through `recorder`, which (on the local stack only) records the operations the
 * function performs, for the IAM check; `firestore` itself is handed only to adapters built here.
 */
function clients(config: Config, functionName: string, firestoreSettings: Record<string, unknown> = {}) {
  const firestore = new Firestore({ projectId: config.projectId, ignoreUndefinedProperties: true, ...firestoreSettings });
  // Bounded, so the image write's own retries multiply a known figure that fits the lease (after-paid-call.ts).
  const retryOptions = { autoRetry: true, maxRetries: STORAGE_CLIENT_MAX_RETRIES, maxRetryDelay: 2, totalTimeout: STORAGE_WRITE_TOTAL_TIMEOUT_MS / 1000 };
  const storage = new Storage({ projectId: config.projectId, retryOptions, ...(config.storageEndpoint ? { apiEndpoint: config.storageEndpoint } : {}) });
  const recorder = operationRecorder(config.operationLog, functionName);
  const inFirestore = <T extends object>(port: T, name: string): T => recorder.wrap(port, name, 'firestore', 'project');
  return {
    firestore,
    recorder,
    inFirestore,
    store: inFirestore(new FirestoreRunStore(firestore, config.retentionMs), 'RunStore'),
    bucket: recorder.wrap(new GcsImageBucket(storage.bucket(config.bucket)), 'ImageBucket', 'storage', 'IMAGE_BUCKET'),
    previews: recorder.wrap(new GcsImageBucket(storage.bucket(config.previewBucket)), 'ImageBucket', 'storage', 'PREVIEW_BUCKET'),
    publisher: () => recorder.wrap(new PubSubPromptPublisher(new PubSub({ projectId: config.projectId }), config.generationTopic), 'PromptPublisher', 'pubsub', 'GENERATION_TOPIC'),
    referenceBucket: recorder.wrap(new GcsImageBucket(storage.bucket(config.referenceBucket)), 'ImageBucket', 'storage', 'REFERENCE_BUCKET'),
  };
}

/** A secret the platform injects into the environment from Secret Manager, read with the function's own account. */
function recordSecret(recorder: OperationRecorder, name: string, present: boolean): void {
  if (present) recorder.record('secretmanager', name, 'Secret.access');
}

/** Which secret a Gemini client reads: none with Vertex AI (the service account authenticates). */
function recordGeminiKey(recorder: OperationRecorder, env: Record<string, string | undefined>): void {
  recordSecret(recorder, 'GEMINI_API_KEY', 'apiKey' in resolveGeminiCredentials(env));
}

/** The provider that generates images. Gemini needs credentials: a key, or Vertex AI with the service account. */
export function createProvider(config: Config, env: Record<string, string | undefined>): ImageProvider {
  switch (config.provider) {
    case 'embedded':
      return createEmbeddedProvider();
    case 'gemini':
      return createGeminiProvider({ model: config.gemini.model, timeoutMs: config.gemini.timeoutMs, ...resolveGeminiCredentials(env) });
  }
}

/** What the api records on a run; it never needs the provider's credentials. */
function providerIdentity(config: Config): { name: string; model: string } {
  return config.provider === 'gemini' ? { name: 'gemini', model: config.gemini.model } : { name: 'embedded', model: createEmbeddedProvider().model };
}

/** `firestoreSettings` lets a benchmark meter the api's Firestore calls; deployments pass none. */
export function apiDependencies(config: Config, firestoreSettings: Record<string, unknown> = {}): ApiDependencies {
  if (!config.instructorToken) {
    throw new ConfigError('invalid configuration: INSTRUCTOR_TOKEN: the api needs the instructor token; generate one with: openssl rand -hex 24');
  }
  const { firestore, store, bucket, previews, referenceBucket, recorder, inFirestore, publisher } = clients(config, 'api', firestoreSettings);
  recordSecret(recorder, 'INSTRUCTOR_TOKEN', true);
  const participants = inFirestore(new FirestoreParticipantStore(firestore, config.quotas), 'ParticipantStore');
  return {
    store,
    lifecycle: inFirestore(new FirestoreLifecycleStore(firestore), 'RunLifecycleStore'),
    bucket,
    previews,
    participants,
    authorize: makeAuthorize({ participants, instructorToken: config.instructorToken, failures: inFirestore(new FirestoreSignInFailures(firestore), 'SignInFailures') }),
    quotas: config.quotas,
    thumbnail: makeThumbnail,
    writeLimiter: inFirestore(new FirestoreWriteLimiter(firestore, config.writeLimits), 'WriteLimiter'),
    publisher: publisher(),
    log: createJsonLogger('api'),
    builtins: builtinScenarios,
    defaultScenario: DEFAULT_SCENARIO,
    provider: providerIdentity(config),
    tickets: inFirestore(new FirestoreDownloadTickets(firestore), 'DownloadTicketStore'),
    cohortLabels: inFirestore(new FirestoreCohortLabels(firestore), 'CohortLabelStore'),
    cursorKey: cursorKey(config.instructorToken),
    versions: softwareVersions,
    judge: config.judge.mode === 'gemini' ? { model: config.judge.model } : null,
    references: { store: inFirestore(new FirestoreReferenceStore(firestore), 'ReferenceStore'), bucket: referenceBucket, prepare: prepareReference, limits: REFERENCE_LIMITS },
  };
}

export function generateDependencies(config: Config, env: Record<string, string | undefined>): GenerateDependencies {
  const { firestore, store, bucket, referenceBucket, recorder, inFirestore } = clients(config, 'generateImage');
  const gemini = config.provider === 'gemini';
  if (gemini) recordGeminiKey(recorder, env);
  return {
    store,
    bucket,
    provider: createProvider(config, env),
    log: createJsonLogger('generateImage'),
    leaseMs: config.leaseMs,
    maxAttempts: config.maxAttempts,
    loadReferences: referenceLoader(inFirestore(new FirestoreReferenceStore(firestore), 'ReferenceStore'), referenceBucket),
    ...(gemini ? { rateLimiter: inFirestore(new FirestoreRateLimiter(firestore, 'gemini', config.gemini.requestsPerMinute), 'RateLimiter'), callBudgetMs: config.gemini.timeoutMs } : {}),
  };
}

export function assessDependencies(config: Config, env: Record<string, string | undefined> = process.env): AssessDependencies {
  const { firestore, store, bucket, previews, recorder, inFirestore } = clients(config, 'assessImage');
  const references = inFirestore(new FirestoreReferenceStore(firestore), 'ReferenceStore');
  const base = { store, bucket, decode: decodeImage, preview: { encode: previewFromPixels, bucket: previews }, log: createJsonLogger('assessImage'), references };
  if (config.judge.mode !== 'gemini') return base;
  return { ...base, judge: judgeDependencies(config, firestore, recorder, inFirestore, env) };
}

function judgeDependencies(
  config: Config,
  firestore: Firestore,
  recorder: OperationRecorder,
  inFirestore: <T extends object>(port: T, name: string) => T,
  env: Record<string, string | undefined>,
): JudgeDependencies {
  recordGeminiKey(recorder, env);
  return {
    judge: createGeminiJudge({ model: config.judge.model, timeoutMs: config.judge.timeoutMs, credentials: resolveGeminiCredentials(env) }),
    encode: judgeImageOf,
    // Its own bucket: judging never eats image generation's quota, and vice versa.
    rateLimiter: inFirestore(new FirestoreRateLimiter(firestore, 'gemini-judge', config.judge.requestsPerMinute), 'RateLimiter'),
    leaseMs: config.judge.timeoutMs + 30_000,
    callBudgetMs: config.judge.timeoutMs,
    maxAttempts: config.maxAttempts,
  };
}

/**
 * The reconciler publishes re-queued prompts and assesses, in process, images whose finalize event
 * was lost, writing their previews too. With the judge on it holds the judge's credentials, so an
 * owed verdict is judged again through the assessor's own code, under the same lease and rate limit.
 */
export function reconcileDependencies(config: Config, env: Record<string, string | undefined> = process.env): ReconcileDependencies {
  const { firestore, store, bucket, previews, recorder, inFirestore, publisher } = clients(config, 'reconcile');
  // The same privacy guard as assessImage: an image assessed here is screened against its references too.
  const references = inFirestore(new FirestoreReferenceStore(firestore), 'ReferenceStore');
  const base = { store, bucket, decode: decodeImage, preview: { encode: previewFromPixels, bucket: previews }, log: createJsonLogger('reconcile'), references };
  const assess = makeAssessHandler(config.judge.mode === 'gemini' ? { ...base, judge: judgeDependencies(config, firestore, recorder, inFirestore, env) } : base);
  return {
    lifecycle: inFirestore(new FirestoreLifecycleStore(firestore), 'RunLifecycleStore'),
    store,
    publisher: publisher(),
    participants: inFirestore(new FirestoreParticipantStore(firestore, config.quotas), 'ParticipantStore'),
    reassess: reassessWith(assess, bucket, config.bucket),
    settings: config.reconcile,
    log: createJsonLogger('reconcile'),
  };
}
