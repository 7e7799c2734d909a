import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generationSubscriptionOptions } from './generation-subscription.js';
import { chooseApiPort, httpOk, stackPort, waitUntil } from './net.js';
import { openLocalData, processStartTime, type LocalData } from './local-data.js';
import { missingPrerequisites } from './prerequisites.js';
import { startProcess, type ManagedProcess } from './processes.js';
import { startStorageRelay, type StorageRelay } from './storage-relay.js';
import type { Stack, StackOptions } from './stack-model.js';
import { startFaultRelay, type FaultRelay } from './fault-relay.js';
import { resumeLine, startReconcileTimer, type ReconcileTimer } from './reconcile-timer.js';
import { startShapeRelays, type LimitRelay } from './limit-relay.js';
import { loadShape, withOverrides, type FunctionName } from './shape.js';
import { pidFileWriter, supervisedProcess, type SupervisedProcess } from './supervisor.js';
import { loadConfig } from '../../functions/config.js';
import { ensureFakeGcsServer, projectRoot } from '../lib/index.js';

export type { Stack, StackOptions } from './stack-model.js';

export const GENERATION_TOPIC = 'image-generation';
const GENERATION_SUBSCRIPTION = 'generate-image-push';
const NOTIFICATION_TOPIC = 'gcs-notifications';
const NOTIFICATION_SUBSCRIPTION = 'assess-image-relay';
const READY_TIMEOUT_MS = 120_000;
const SAVE_INTERVAL_MS = 30_000;
/** How long a request beyond instances × requests-per-instance waits for a slot (docs/deployed-shape.md). */
export const DEFAULT_QUEUE_SECONDS = 5;

const tail = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-20).join('\n') : '');

/** Fails as soon as `managed` exits, with the end of its log: a process that dies while starting never becomes ready. */
function failOnExit(managed: ManagedProcess): Promise<never> {
  const failed = managed.exited.then(async (code): Promise<never> => {
    await managed.closed;
    const lines = managed.recentOutput().trimEnd().split('\n').slice(-20).join('\n');
    throw new Error(`${managed.name} exited while starting${code === -1 ? '' : ` (code ${code})`}; the end of its log (${managed.logFile}):\n${lines}`);
  });
  // Only a race that is still running reports it; an exit after start-up (at stop) is not an error here.
  failed.catch(() => {});
  return failed;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const log = options.log ?? (() => {});
  // The emulators accept any id; a real one set by the user is kept so Vertex AI calls bill the right project.
  const projectId = options.projectId ?? process.env.GOOGLE_CLOUD_PROJECT ?? 'demo-synthetic-images';
  const bucket = options.bucket ?? 'synthetic-images';
  const previewBucket = `${bucket}-previews`;
  const logDir = options.logDir ?? join(projectRoot, '.stack-logs');
  let instructorToken = options.instructorToken ?? randomBytes(24).toString('hex');
  const functionSource = options.functionSource ?? projectRoot;
  const functionsEntry = join(functionSource, 'dist', 'functions', 'index.js');
  if (!existsSync(functionsEntry)) throw new Error(`${functionsEntry} is missing: run "npm run build" first`);
  const fakeGcsInstalled = existsSync(join(projectRoot, '.tools', 'bin', 'fake-gcs-server'));
  const missing = await missingPrerequisites({ needGo: !fakeGcsInstalled });
  if (missing.length > 0) throw new Error(missing.join('\n'));
  // Loaded after the checks, so a missing tool is reported without waiting for the client libraries.
  const [{ PubSub }, { Storage }] = await Promise.all([import('@google-cloud/pubsub'), import('@google-cloud/storage')]);

  const processes: ManagedProcess[] = [];
  let relay: StorageRelay | undefined;
  let data: LocalData | undefined;
  let faultRelay: FaultRelay | undefined;
  let timer: ReconcileTimer | undefined;
  const limitRelays: LimitRelay[] = [];
  const stop = async (): Promise<void> => {
    timer?.stop();
    await relay?.stop().catch(() => {});
    await Promise.all(limitRelays.splice(0).map((limit) => limit.stop().catch(() => {})));
    // Saved while the emulator still runs; a failed save keeps the previous one.
    await data?.save().catch((error) => log(`could not save the Firestore data: ${(error as Error).message}`));
    await faultRelay?.stop().catch(() => {});
    await Promise.all(processes.splice(0).reverse().map((p) => p.stop()));
    data?.release();
  };
  const start = (name: string, command: string, args: string[], env: Record<string, string> = {}): ManagedProcess => {
    const managed = startProcess(name, command, args, { env, logFile: join(logDir, `${name}.log`), cwd: projectRoot });
    processes.push(managed);
    return managed;
  };
  const starting = new AbortController();
  const waitFor = (managed: ManagedProcess, what: string, check: () => Promise<boolean>) =>
    Promise.race([failOnExit(managed), waitUntil(what, check, { timeoutMs: READY_TIMEOUT_MS, onTimeout: () => tail(managed.logFile), signal: starting.signal })]);
  const ready = (managed: ManagedProcess, url: string, body?: string) => waitFor(managed, `${managed.name} (${url})`, () => httpOk(url, body));

  try {
    if (options.dataDir) {
      data = await openLocalData(options.dataDir, { fresh: options.fresh ?? false, log });
      log(data.importFile ? `data: ${data.dir} (loading the saved Firestore data)` : `data: ${data.dir} (empty)`);
      const generated = instructorToken;
      instructorToken = options.instructorToken ?? data.instructorToken(() => generated);
    }
    const fakeGcs = await ensureFakeGcsServer(log);
    const shape = withOverrides(loadShape(), options.shapeOverrides);
    // The api's public port (its limit relay's): API_PORT, else the one the data folder kept, else any.
    const publicApiPort = await chooseApiPort(options.apiPort, data?.savedApiPort, log);
    // Nothing holds that port until the relay starts: skip it. Every port is chosen here, distinct, and
    // below the ephemeral range (net.ts), so no outgoing connection can take one before it is bound.
    const taken = new Set([publicApiPort]);
    const otherPort = async (): Promise<number> => {
      const port = await stackPort();
      if (taken.has(port)) return otherPort();
      taken.add(port);
      return port;
    };
    const [firestorePort, pubsubPort, storagePort, apiProcessPort, generatorProcessPort, assessorProcessPort, reconcileProcessPort, generatorRelayPort, assessorRelayPort, reconcileRelayPort] = await Promise.all([
      otherPort(), otherPort(), otherPort(), otherPort(), otherPort(), otherPort(), otherPort(), otherPort(), otherPort(), otherPort(),
    ]);
    // Every caller reaches a function through its limit relay, as every request reaches Cloud Run through its front end.
    const limits = await startShapeRelays(shape, { api: apiProcessPort, generateImage: generatorProcessPort, assessImage: assessorProcessPort, reconcile: reconcileProcessPort }, {
      queueMs: (options.queueSeconds ?? DEFAULT_QUEUE_SECONDS) * 1000, log,
      ports: { api: publicApiPort, generateImage: generatorRelayPort, assessImage: assessorRelayPort, reconcile: reconcileRelayPort },
    });
    limitRelays.push(...Object.values(limits));
    const portOf = (limit: LimitRelay) => Number(new URL(limit.url).port);
    const [apiPort, generatorPort, assessorPort, reconcilePort] = [limits.api, limits.generateImage, limits.assessImage, limits.reconcile].map(portOf) as [number, number, number, number];
    const firestoreHost = `127.0.0.1:${firestorePort}`;
    const pubsubHost = `127.0.0.1:${pubsubPort}`;
    const storageUrl = `http://127.0.0.1:${storagePort}`;
    const gcloudEnv = { CLOUDSDK_CORE_DISABLE_PROMPTS: '1' };

    log('starting the Firestore and Pub/Sub emulators…');
    const importData = data?.importFile ? [`--import-data=${data.importFile}`] : [];
    const firestore = start('firestore-emulator', 'gcloud', ['emulators', 'firestore', 'start', `--host-port=${firestoreHost}`, ...importData], gcloudEnv);
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
    if (options.faults) faultRelay = await startFaultRelay({ targetOrigin: `http://127.0.0.1:${generatorPort}`, log });
    const pushOrigin = faultRelay?.url ?? `http://127.0.0.1:${generatorPort}`;
    await generationTopic.createSubscription(
      GENERATION_SUBSCRIPTION,
      generationSubscriptionOptions(`${pushOrigin}/projects/${projectId}/topics/${GENERATION_TOPIC}`, options.pushAckDeadlineSeconds ?? 60),
    );
    const [notificationTopic] = await pubsubClient.createTopic(NOTIFICATION_TOPIC);
    await notificationTopic.createSubscription(NOTIFICATION_SUBSCRIPTION, { ackDeadlineSeconds: 60 });

    log('starting fake-gcs-server…');
    const storage = start('fake-gcs-server', fakeGcs, [
      '-scheme', 'http', '-host', '127.0.0.1', '-port', String(storagePort), ...(data ? ['-backend', 'filesystem', '-filesystem-root', data.storageDir] : ['-backend', 'memory']),
      '-external-url', storageUrl, '-public-host', `127.0.0.1:${storagePort}`, '-log-level', 'warn',
      '-event.pubsub-project-id', projectId, '-event.pubsub-topic', NOTIFICATION_TOPIC, '-event.list', 'finalize',
    ], { PUBSUB_EMULATOR_HOST: pubsubHost });
    await ready(storage, `${storageUrl}/storage/v1/b`);
    const storageClient = new Storage({ projectId, apiEndpoint: storageUrl });
    // The images, the previews and reference photographs, each in a bucket of its own.
    for (const name of [bucket, previewBucket, `${bucket}-references`]) {
      await storageClient.createBucket(name).catch((error: { code?: number }) => {
        // Kept from the last session.
        if (!(data && error.code === 409)) throw error;
      });
    }
    if (options.operationLog) {
      mkdirSync(dirname(options.operationLog), { recursive: true });
      writeFileSync(options.operationLog, '');
    }

    log('starting the functions…');
    const startedAt = Date.now();
    const resuming = data?.importFile !== null && data?.importFile !== undefined;
    const functionEnv = {
      ...clientEnv,
      // As deployed: Express's default error page (a malformed JSON body) then has no stack trace or path.
      NODE_ENV: 'production',
      IMAGE_BUCKET: bucket,
      PREVIEW_BUCKET: previewBucket,
      ...(options.operationLog ? { OPERATION_LOG: options.operationLog } : {}),
      GENERATION_TOPIC,
      IMAGE_PROVIDER: options.provider ?? 'embedded',
      INSTRUCTOR_TOKEN: instructorToken,
      ...(options.leaseSeconds ? { LEASE_SECONDS: String(options.leaseSeconds) } : {}),
      ...(options.maxAttempts ? { MAX_ATTEMPTS: String(options.maxAttempts) } : {}),
      // Work saved before this start lost its messages with the old Pub/Sub emulator: the reconciler resumes it at once.
      ...(resuming ? { RECONCILE_RESTARTED_AT: String(startedAt) } : {}),
      ...options.functionEnv,
    };
    const framework = options.functionSource
      ? join(options.functionSource, 'node_modules', '.bin', 'functions-framework')
      : join(projectRoot, 'node_modules', '@google-cloud', 'functions-framework', 'build', 'src', 'main.js');
    const declared = options.declaredEnv;
    const envOf = (name: FunctionName): Record<string, string> =>
      declared ? { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...clientEnv, ...declared[name], K_SERVICE: name } : functionEnv;
    const processFile = join(logDir, 'processes.json');
    const recordPid = pidFileWriter(processFile);
    // Function processes are supervised as Cloud Run supervises instances: one that dies is restarted.
    const serve = (name: FunctionName, target: string, signature: string, port: number): SupervisedProcess => {
      const args = [framework, `--target=${target}`, `--signature-type=${signature}`, `--port=${port}`, `--source=${functionSource}`];
      const env = envOf(name);
      const managed = supervisedProcess((restart) => startProcess(name, process.execPath, args, { env, inheritEnv: !declared, logFile: join(logDir, `${name}.log`), cwd: functionSource, appendLog: restart }), {
        log: (line) => log(`supervisor: ${line}`),
        onStart: recordPid,
      });
      processes.push(managed);
      return managed;
    };
    const reconcileEvery = loadConfig(envOf('reconcile')).reconcile.intervalMs;
    const api = serve('api', 'api', 'http', apiProcessPort);
    const generator = serve('generateImage', 'generateImage', 'cloudevent', generatorProcessPort);
    const assessor = serve('assessImage', 'assessImage', 'cloudevent', assessorProcessPort);
    const reconciler = serve('reconcile', 'reconcile', 'http', reconcileProcessPort);
    // Readiness is asked of the processes directly, so it takes none of the shape's slots.
    const answers = (port: number) => async () => (await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) })).status > 0;
    await Promise.all([
      ready(api, `http://127.0.0.1:${apiProcessPort}/healthz`),
      waitFor(generator, 'generateImage', answers(generatorProcessPort)),
      waitFor(assessor, 'assessImage', answers(assessorProcessPort)),
      waitFor(reconciler, 'reconcile', answers(reconcileProcessPort)),
    ]);
    for (const managed of [api, generator, assessor, reconciler]) managed.supervise();
    data?.attach({ projectId, firestoreHost, apiUrl: `http://127.0.0.1:${apiPort}`, processes: processes.map((p) => ({ name: p.name, pid: p.child.pid ?? 0, startedAt: processStartTime(p.child.pid ?? 0) })) }, options.saveIntervalMs ?? SAVE_INTERVAL_MS);
    data?.keepApiPort(apiPort);
    const reconcileUrl = `http://127.0.0.1:${reconcilePort}/`;
    timer = startReconcileTimer({ url: reconcileUrl, intervalMs: reconcileEvery, log, ...(resuming ? { firstTickMs: 0, onFirstTick: (counts) => log(resumeLine(counts)) } : {}) });

    const assessorUrl = `http://127.0.0.1:${assessorPort}/`;
    // Only images' events are dropped: a lost event of anything else tests nothing, since nothing else is assessed.
    const dropFinalize = faultRelay?.dropFinalize;
    // fake-gcs-server notifies for every bucket; Eventarc's trigger, like this relay, delivers only the images bucket's.
    relay = startStorageRelay({ pubsub: pubsubClient, subscription: NOTIFICATION_SUBSCRIPTION, bucket, targetUrl: assessorUrl, onError: (error) => log(`storage relay: ${String(error)}`), ...(dropFinalize ? { shouldDrop: (name: string) => name.endsWith('.png') && dropFinalize() } : {}) });
    return {
      projectId,
      bucket,
      previewBucket,
      generationTopic: GENERATION_TOPIC,
      apiUrl: `http://127.0.0.1:${apiPort}`,
      generatorUrl: `http://127.0.0.1:${generatorPort}/projects/${projectId}/topics/${GENERATION_TOPIC}`,
      assessorUrl,
      storageUrl,
      firestoreHost,
      pubsubHost,
      logDir,
      dataDir: data?.dir ?? null,
      instructorToken,
      clientEnv,
      relay,
      reconcileUrl,
      processFile,
      faultControlUrl: faultRelay?.controlUrl,
      shape,
      limits,
      stop,
    };
  } catch (error) {
    starting.abort();
    await stop();
    throw error;
  }
}
