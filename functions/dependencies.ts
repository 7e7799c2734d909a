import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { Storage } from '@google-cloud/storage';
import { createEmbeddedProvider } from './adapters/embedded/embedded-provider.js';
import { FirestoreLifecycleStore } from './adapters/firestore-lifecycle.js';
import { FirestoreDownloadTickets } from './adapters/firestore-download-tickets.js';
import { softwareVersions } from './adapters/versions.js';
import { FirestoreParticipantStore } from './adapters/firestore-participants.js';
import { FirestoreReferenceStore } from './adapters/firestore-references.js';
import { prepareReference } from './adapters/reference-image.js';
import { FirestoreRateLimiter } from './adapters/firestore-rate-limiter.js';
import { FirestoreWriteLimiter } from './adapters/firestore-write-limiter.js';
import { makeThumbnail, previewFromPixels } from './adapters/thumbnail.js';
import { makeAuthorize } from './handlers/auth.js';
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
import type { ApiDependencies } from './handlers/api.js';
import type { AssessDependencies } from './handlers/assess.js';
import type { GenerateDependencies } from './handlers/generate.js';
import { makeAssessHandler } from './handlers/assess.js';
import { reassessWith, type ReconcileDependencies } from './handlers/reconcile.js';
import { builtinScenarios, DEFAULT_SCENARIO } from './scenarios/index.js';
import { REFERENCE_LIMITS } from './core/references/index.js';

/** Builds the real cloud clients. Called on a function's first invocation, never at import. */
function clients(config: Config, firestoreSettings: Record<string, unknown> = {}) {
  const firestore = new Firestore({ projectId: config.projectId, ignoreUndefinedProperties: true, ...firestoreSettings });
  const storage = new Storage({ projectId: config.projectId, ...(config.storageEndpoint ? { apiEndpoint: config.storageEndpoint } : {}) });
  return {
    firestore,
    store: new FirestoreRunStore(firestore),
    bucket: new GcsImageBucket(storage.bucket(config.bucket)),
    referenceBucket: new GcsImageBucket(storage.bucket(config.referenceBucket)),
  };
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
  const { firestore, store, bucket, referenceBucket } = clients(config, firestoreSettings);
  const participants = new FirestoreParticipantStore(firestore, config.quotas);
  return {
    store,
    lifecycle: new FirestoreLifecycleStore(firestore),
    bucket,
    participants,
    authorize: makeAuthorize({ participants, instructorToken: config.instructorToken }),
    quotas: config.quotas,
    thumbnail: makeThumbnail,
    writeLimiter: new FirestoreWriteLimiter(firestore, config.writeLimits),
    publisher: new PubSubPromptPublisher(new PubSub({ projectId: config.projectId }), config.generationTopic),
    log: createJsonLogger('api'),
    builtins: builtinScenarios,
    defaultScenario: DEFAULT_SCENARIO,
    provider: providerIdentity(config),
    tickets: new FirestoreDownloadTickets(firestore),
    versions: softwareVersions,
    judge: config.judge.mode === 'gemini' ? { model: config.judge.model } : null,
    references: { store: new FirestoreReferenceStore(firestore), bucket: referenceBucket, prepare: prepareReference, limits: REFERENCE_LIMITS },
  };
}

export function generateDependencies(config: Config, env: Record<string, string | undefined>): GenerateDependencies {
  const { firestore, store, bucket } = clients(config);
  const gemini = config.provider === 'gemini';
  return {
    store,
    bucket,
    provider: createProvider(config, env),
    log: createJsonLogger('generateImage'),
    leaseMs: config.leaseMs,
    maxAttempts: config.maxAttempts,
    ...(gemini ? { rateLimiter: new FirestoreRateLimiter(firestore, 'gemini', config.gemini.requestsPerMinute), callBudgetMs: config.gemini.timeoutMs } : {}),
  };
}

export function assessDependencies(config: Config, env: Record<string, string | undefined> = process.env): AssessDependencies {
  const { firestore, store, bucket } = clients(config);
  const base = { store, bucket, decode: decodeImage, preview: previewFromPixels, log: createJsonLogger('assessImage') };
  if (config.judge.mode !== 'gemini') return base;
  const judge = createGeminiJudge({ model: config.judge.model, timeoutMs: config.judge.timeoutMs, credentials: resolveGeminiCredentials(env) });
  return {
    ...base,
    judge: {
      judge,
      encode: judgeImageOf,
      // Its own bucket: judging never eats image generation's quota, and vice versa.
      rateLimiter: new FirestoreRateLimiter(firestore, 'gemini-judge', config.judge.requestsPerMinute),
      leaseMs: config.judge.timeoutMs + 30_000,
      maxAttempts: config.maxAttempts,
    },
  };
}

/**
 * The reconciler publishes re-queued prompts and assesses, in process, images whose finalize event
 * was lost. It writes their previews too; it holds no Gemini credentials, so it never judges.
 */
export function reconcileDependencies(config: Config): ReconcileDependencies {
  const { firestore, store, bucket } = clients(config);
  const assess = makeAssessHandler({ store, bucket, decode: decodeImage, preview: previewFromPixels, log: createJsonLogger('reconcile') });
  return {
    lifecycle: new FirestoreLifecycleStore(firestore),
    store,
    publisher: new PubSubPromptPublisher(new PubSub({ projectId: config.projectId }), config.generationTopic),
    participants: new FirestoreParticipantStore(firestore, config.quotas),
    reassess: reassessWith(assess, bucket, config.bucket),
    settings: config.reconcile,
    log: createJsonLogger('reconcile'),
  };
}
