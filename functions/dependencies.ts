import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { Storage } from '@google-cloud/storage';
import { createEmbeddedProvider } from './adapters/embedded/embedded-provider.js';
import { FirestoreRunStore } from './adapters/firestore-store.js';
import { decodeImage } from './adapters/image-decoder.js';
import { createJsonLogger } from './adapters/log.js';
import { PubSubPromptPublisher } from './adapters/pubsub-publisher.js';
import { GcsImageBucket } from './adapters/storage-bucket.js';
import type { Config } from './config.js';
import type { ImageProvider } from './core/image-provider.js';
import type { ApiDependencies } from './handlers/api.js';
import type { AssessDependencies } from './handlers/assess.js';
import type { GenerateDependencies } from './handlers/generate.js';
import { builtinScenarios, DEFAULT_SCENARIO } from './scenarios/index.js';

/** Builds the real cloud clients. Called on a function's first invocation, never at import. */
function clients(config: Config) {
  const firestore = new Firestore({ projectId: config.projectId, ignoreUndefinedProperties: true });
  const storage = new Storage({ projectId: config.projectId, ...(config.storageEndpoint ? { apiEndpoint: config.storageEndpoint } : {}) });
  return {
    store: new FirestoreRunStore(firestore),
    bucket: new GcsImageBucket(storage.bucket(config.bucket)),
  };
}

export function createProvider(config: Config): ImageProvider {
  switch (config.provider) {
    case 'embedded':
      return createEmbeddedProvider();
  }
}

export function apiDependencies(config: Config): ApiDependencies {
  const provider = createProvider(config);
  return {
    ...clients(config),
    publisher: new PubSubPromptPublisher(new PubSub({ projectId: config.projectId }), config.generationTopic),
    log: createJsonLogger('api'),
    builtins: builtinScenarios,
    defaultScenario: DEFAULT_SCENARIO,
    provider: { name: provider.name, model: provider.model },
  };
}

export function generateDependencies(config: Config): GenerateDependencies {
  return {
    ...clients(config),
    provider: createProvider(config),
    log: createJsonLogger('generateImage'),
    leaseMs: config.leaseMs,
    maxAttempts: config.maxAttempts,
  };
}

export function assessDependencies(config: Config): AssessDependencies {
  return { ...clients(config), decode: decodeImage, log: createJsonLogger('assessImage') };
}
