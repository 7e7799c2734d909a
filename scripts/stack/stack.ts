import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PubSub } from '@google-cloud/pubsub';
import { Storage } from '@google-cloud/storage';
import { generationSubscriptionOptions } from './generation-subscription.js';
import { freePort, httpOk, waitUntil } from './net.js';
import { startProcess, type ManagedProcess } from './processes.js';
import { startStorageRelay, type StorageRelay } from './storage-relay.js';
import { ensureFakeGcsServer, projectRoot } from '../lib/tools.js';

/**
 * The whole system on one machine: the Firestore and Pub/Sub emulators from gcloud,
 * fake-gcs-server for Cloud Storage, the three functions under functions-framework (one
 * process each, as deployed), a push subscription into the generator, and the relay that
 * turns storage notifications into the assessor's CloudEvents.
 */
export interface StackOptions {
  projectId?: string;
  bucket?: string;
  apiPort?: number;
  leaseSeconds?: number;
  maxAttempts?: number;
  provider?: 'embedded' | 'gemini';
  /** How long Pub/Sub waits for the generator before redelivering (10–600 s). */
  pushAckDeadlineSeconds?: number;
  /** The instructor's token; one is generated when omitted. */
  instructorToken?: string;
  /** More environment for the function processes (e.g. a Gemini base URL for tests). */
  functionEnv?: Record<string, string>;
  logDir?: string;
  log?: (line: string) => void;
}

export interface Stack {
  projectId: string;
  bucket: string;
  generationTopic: string;
  apiUrl: string;
  generatorUrl: string;
  assessorUrl: string;
  storageUrl: string;
  firestoreHost: string;
  pubsubHost: string;
  logDir: string;
  instructorToken: string;
  /** Environment that points Google Cloud clients at the emulators. */
  clientEnv: Record<string, string>;
  relay: StorageRelay;
  stop(): Promise<void>;
}

const GENERATION_TOPIC = 'image-generation';
const GENERATION_SUBSCRIPTION = 'generate-image-push';
const NOTIFICATION_TOPIC = 'gcs-notifications';
const NOTIFICATION_SUBSCRIPTION = 'assess-image-relay';
const READY_TIMEOUT_MS = 120_000;

const tail = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-20).join('\n') : '');

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const log = options.log ?? (() => {});
  // The emulators accept any id; a real one set by the user is kept so Vertex AI calls bill the right project.
  const projectId = options.projectId ?? process.env.GOOGLE_CLOUD_PROJECT ?? 'demo-synthetic-images';
  const bucket = options.bucket ?? 'synthetic-images';
  const logDir = options.logDir ?? join(projectRoot, '.stack-logs');
  const instructorToken = options.instructorToken ?? randomBytes(24).toString('hex');
  const functionsEntry = join(projectRoot, 'dist', 'functions', 'index.js');
  if (!existsSync(functionsEntry)) throw new Error(`${functionsEntry} is missing: run "npm run build" first`);

  const processes: ManagedProcess[] = [];
  let relay: StorageRelay | undefined;
  const stop = async (): Promise<void> => {
    await relay?.stop().catch(() => {});
    await Promise.all(processes.splice(0).reverse().map((p) => p.stop()));
  };
  const start = (name: string, command: string, args: string[], env: Record<string, string> = {}): ManagedProcess => {
    const managed = startProcess(name, command, args, { env, logFile: join(logDir, `${name}.log`), cwd: projectRoot });
    processes.push(managed);
    return managed;
  };
  const ready = (managed: ManagedProcess, url: string, body?: string) =>
    waitUntil(`${managed.name} (${url})`, async () => {
      if (managed.child.exitCode !== null) throw new Error(`${managed.name} exited with code ${managed.child.exitCode}\n${tail(managed.logFile)}`);
      return httpOk(url, body);
    }, { timeoutMs: READY_TIMEOUT_MS, onTimeout: () => tail(managed.logFile) });

  try {
    const fakeGcs = await ensureFakeGcsServer(log);
    const [firestorePort, pubsubPort, storagePort, apiPort, generatorPort, assessorPort] = await Promise.all([
      freePort(), freePort(), freePort(), options.apiPort ?? freePort(), freePort(), freePort(),
    ]);
    const firestoreHost = `127.0.0.1:${firestorePort}`;
    const pubsubHost = `127.0.0.1:${pubsubPort}`;
    const storageUrl = `http://127.0.0.1:${storagePort}`;
    const gcloudEnv = { CLOUDSDK_CORE_DISABLE_PROMPTS: '1' };

    log('starting the Firestore and Pub/Sub emulators…');
    const firestore = start('firestore-emulator', 'gcloud', ['emulators', 'firestore', 'start', `--host-port=${firestoreHost}`], gcloudEnv);
    const pubsub = start('pubsub-emulator', 'gcloud', ['beta', 'emulators', 'pubsub', 'start', `--project=${projectId}`, `--host-port=${pubsubHost}`], gcloudEnv);
    await Promise.all([ready(firestore, `http://${firestoreHost}/`, 'Ok'), ready(pubsub, `http://${pubsubHost}/`, 'Ok')]);

    const clientEnv = {
      GOOGLE_CLOUD_PROJECT: projectId,
      FIRESTORE_EMULATOR_HOST: firestoreHost,
      PUBSUB_EMULATOR_HOST: pubsubHost,
      // Not STORAGE_EMULATOR_HOST: with it the SDK ignores apiEndpoint and expects /storage/v1 in the value.
      STORAGE_API_ENDPOINT: storageUrl,
      // The gRPC clients probe the GCE metadata server even against emulators; there is none here.
      METADATA_SERVER_DETECTION: 'none',
    };
    Object.assign(process.env, clientEnv);
    const pubsubClient = new PubSub({ projectId });
    const [generationTopic] = await pubsubClient.createTopic(GENERATION_TOPIC);
    await generationTopic.createSubscription(
      GENERATION_SUBSCRIPTION,
      generationSubscriptionOptions(`http://127.0.0.1:${generatorPort}/projects/${projectId}/topics/${GENERATION_TOPIC}`, options.pushAckDeadlineSeconds ?? 60),
    );
    const [notificationTopic] = await pubsubClient.createTopic(NOTIFICATION_TOPIC);
    await notificationTopic.createSubscription(NOTIFICATION_SUBSCRIPTION, { ackDeadlineSeconds: 60 });

    log('starting fake-gcs-server…');
    const storage = start('fake-gcs-server', fakeGcs, [
      '-scheme', 'http', '-host', '127.0.0.1', '-port', String(storagePort), '-backend', 'memory',
      '-external-url', storageUrl, '-public-host', `127.0.0.1:${storagePort}`, '-log-level', 'warn',
      '-event.pubsub-project-id', projectId, '-event.pubsub-topic', NOTIFICATION_TOPIC, '-event.list', 'finalize',
    ], { PUBSUB_EMULATOR_HOST: pubsubHost });
    await ready(storage, `${storageUrl}/storage/v1/b`);
    await new Storage({ projectId, apiEndpoint: storageUrl }).createBucket(bucket);

    log('starting the functions…');
    const functionEnv = {
      ...clientEnv,
      IMAGE_BUCKET: bucket,
      GENERATION_TOPIC,
      IMAGE_PROVIDER: options.provider ?? 'embedded',
      INSTRUCTOR_TOKEN: instructorToken,
      ...(options.leaseSeconds ? { LEASE_SECONDS: String(options.leaseSeconds) } : {}),
      ...(options.maxAttempts ? { MAX_ATTEMPTS: String(options.maxAttempts) } : {}),
      ...options.functionEnv,
    };
    const framework = join(projectRoot, 'node_modules', '@google-cloud', 'functions-framework', 'build', 'src', 'main.js');
    const serve = (name: string, target: string, signature: string, port: number) =>
      start(name, process.execPath, [framework, `--target=${target}`, `--signature-type=${signature}`, `--port=${port}`, `--source=${projectRoot}`], functionEnv);
    const api = serve('api', 'api', 'http', apiPort);
    const generator = serve('generateImage', 'generateImage', 'cloudevent', generatorPort);
    const assessor = serve('assessImage', 'assessImage', 'cloudevent', assessorPort);
    const answers = (port: number) => async () => (await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) })).status > 0;
    await Promise.all([
      ready(api, `http://127.0.0.1:${apiPort}/healthz`),
      waitUntil('generateImage', answers(generatorPort), { timeoutMs: READY_TIMEOUT_MS, onTimeout: () => tail(generator.logFile) }),
      waitUntil('assessImage', answers(assessorPort), { timeoutMs: READY_TIMEOUT_MS, onTimeout: () => tail(assessor.logFile) }),
    ]);

    const assessorUrl = `http://127.0.0.1:${assessorPort}/`;
    relay = startStorageRelay({ pubsub: pubsubClient, subscription: NOTIFICATION_SUBSCRIPTION, targetUrl: assessorUrl, onError: (error) => log(`storage relay: ${String(error)}`) });
    return {
      projectId,
      bucket,
      generationTopic: GENERATION_TOPIC,
      apiUrl: `http://127.0.0.1:${apiPort}`,
      generatorUrl: `http://127.0.0.1:${generatorPort}/projects/${projectId}/topics/${GENERATION_TOPIC}`,
      assessorUrl,
      storageUrl,
      firestoreHost,
      pubsubHost,
      logDir,
      instructorToken,
      clientEnv,
      relay,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
