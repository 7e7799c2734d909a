import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startStack } from '../../scripts/stack/stack.js';
import { projectRoot } from '../../scripts/lib/tools.js';

export interface StackInfo {
  apiUrl: string;
  generatorUrl: string;
  assessorUrl: string;
  projectId: string;
  bucket: string;
  previewBucket: string;
  /** Where the functions record the cloud operations they perform (the IAM check reads it). */
  operationLog: string;
  generationTopic: string;
  logDir: string;
  clientEnv: Record<string, string>;
  instructorToken: string;
  leaseSeconds: number;
  maxAttempts: number;
  reconcileUrl: string;
  processFile: string;
  faultControlUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

/**
 * Boots the real emulator stack once for the integration tests, with a short lease so crash
 * recovery is quick, a reconciler that ticks every 2 s and re-queues after 8 s of no progress
 * (its deadlines stay long, so a slow machine never fails a prompt as lost), and the
 * fault-injecting relays (dropping nothing until a test asks).
 */
export default async function setup(project: TestProject) {
  const leaseSeconds = 6;
  const maxAttempts = 4;
  const operationLog = join(projectRoot, '.stack-logs', 'test', 'operations.jsonl');
  const stack = await startStack({
    operationLog,
    logDir: join(projectRoot, '.stack-logs', 'test'),
    leaseSeconds,
    maxAttempts,
    faults: true,
    functionEnv: { WRITE_RATE_LIMITS: 'runs=600,participants=600,reviews=30,previews=600', RECONCILE_INTERVAL_SECONDS: '2', RECONCILE_STALE_SECONDS: '8', GENERATE_DEADLINE_SECONDS: '900', ASSESS_DEADLINE_SECONDS: '900' },
    log: (line) => console.error(`[stack] ${line}`),
  });
  const { apiUrl, generatorUrl, assessorUrl, projectId, bucket, previewBucket, generationTopic, logDir, clientEnv, instructorToken, reconcileUrl, processFile, faultControlUrl } = stack;
  project.provide('stack', {
    apiUrl, generatorUrl, assessorUrl, projectId, bucket, previewBucket, operationLog, generationTopic, logDir, clientEnv, instructorToken, leaseSeconds, maxAttempts,
    reconcileUrl, processFile, faultControlUrl: faultControlUrl as string,
  });
  return async () => {
    await stack.stop();
  };
}
