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
  generationTopic: string;
  logDir: string;
  clientEnv: Record<string, string>;
  instructorToken: string;
  leaseSeconds: number;
  maxAttempts: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

/** Boots the real emulator stack once for the integration tests, with a short lease so crash recovery is quick. */
export default async function setup(project: TestProject) {
  const leaseSeconds = 6;
  const maxAttempts = 4;
  const stack = await startStack({
    logDir: join(projectRoot, '.stack-logs', 'test'),
    leaseSeconds,
    maxAttempts,
    // Tests start many runs as one principal; hostile-input.test.ts floods reviews past a burst of 15.
    functionEnv: { WRITE_RATE_LIMITS: 'runs=600,participants=600,reviews=30' },
    log: (line) => console.error(`[stack] ${line}`),
  });
  const { apiUrl, generatorUrl, assessorUrl, projectId, bucket, generationTopic, logDir, clientEnv, instructorToken } = stack;
  project.provide('stack', { apiUrl, generatorUrl, assessorUrl, projectId, bucket, generationTopic, logDir, clientEnv, instructorToken, leaseSeconds, maxAttempts });
  return async () => {
    await stack.stop();
  };
}
