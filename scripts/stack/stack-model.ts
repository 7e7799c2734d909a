/** What `startStack` takes and what it answers: the local stack's options and its running parts. */
import type { DeployedShape, FunctionName, ShapeOverrides } from './shape.js';
import type { LimitRelay } from './limit-relay.js';
import type { StorageRelay } from './storage-relay.js';

/**
 * The whole system on one machine: the Firestore and Pub/Sub emulators from gcloud,
 * fake-gcs-server for Cloud Storage, the three functions under functions-framework (one
 * process each, as deployed), a push subscription into the generator, and the relay that
 * turns storage notifications into the assessor's CloudEvents.
 */
export interface StackOptions {
  projectId?: string;
  bucket?: string;
  /** Record every cloud operation the functions perform into this file (JSON lines), emptied at start. */
  operationLog?: string;
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
  /** Tests only: route generation messages and finalize events through a relay that can drop a share of them. */
  faults?: boolean;
  logDir?: string;
  log?: (line: string) => void;
  /** Keep Firestore and Cloud Storage data in this folder across restarts; in memory when omitted (the tests). */
  dataDir?: string;
  /** Empty `dataDir` first. */
  fresh?: boolean;
  /** How often Firestore is saved into `dataDir`, so a crash loses at most this much. */
  saveIntervalMs?: number;
  /** Tests and benchmarks only: limits that differ from infra/shape.json (e.g. 2 instances × 1 request). */
  shapeOverrides?: ShapeOverrides;
  /** How long a request beyond the shape's concurrency waits for a slot before its 429. */
  queueSeconds?: number;
  /** The deploy rehearsal: run the functions from this installed source folder, with the functions-framework it installed. */
  functionSource?: string;
  /**
   * The deploy rehearsal: each function's exact environment (what infra/ declares), plus only the
   * emulators' connection, PATH, HOME and K_SERVICE (which Cloud Run sets); nothing else from the
   * stack's defaults or the caller's shell, so a variable infra/ fails to set cannot be made up for.
   */
  declaredEnv?: Record<FunctionName, Record<string, string>>;
}

export interface Stack {
  projectId: string;
  bucket: string;
  /** Gallery previews: a bucket apart, so storing one never notifies the assessor (as with Eventarc). */
  previewBucket: string;
  generationTopic: string;
  apiUrl: string;
  generatorUrl: string;
  assessorUrl: string;
  storageUrl: string;
  firestoreHost: string;
  pubsubHost: string;
  logDir: string;
  /** The data folder, when data is kept across restarts. */
  dataDir: string | null;
  instructorToken: string;
  /** Environment that points Google Cloud clients at the emulators. */
  clientEnv: Record<string, string>;
  relay: StorageRelay;
  /** The reconcile function; the stack's timer calls it every RECONCILE_INTERVAL_SECONDS. */
  reconcileUrl: string;
  /** `{ name: pid }` of the supervised function processes, rewritten on every restart. */
  processFile: string;
  /** With `faults`: where to read and set the drop rates (`PUT {"generationDropRate":0.1,…}`). */
  faultControlUrl: string | undefined;
  /** The shape the limit relays enforce: infra/shape.json with any overrides. */
  shape: DeployedShape;
  /** The relay in front of each function, with its counts of admitted, refused and cut-off requests. */
  limits: Record<FunctionName, LimitRelay>;
  stop(): Promise<void>;
}
