import { join } from 'node:path';
import { PubSub } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../scripts/client/api-client.js';
import { projectRoot } from '../../scripts/lib/tools.js';
import { startStack, type Stack } from '../../scripts/stack/stack.js';
import { startStorageRelay, type StorageRelay } from '../../scripts/stack/storage-relay.js';
import { startFakeJudge, type FakeJudge } from '../support/fake-judge-server.js';
import { waitForRun } from '../support/stack-clients.js';

/** What each judge marker must end as, and how many judge calls it may take. */
const EXPECTED = [
  { marker: '[judge:valid]', status: 'judged', reason: null, calls: 1 },
  { marker: '[judge:invalid-json]', status: 'failed', reason: /^invalid_json$/, calls: 1 },
  { marker: '[judge:schema]', status: 'failed', reason: /^schema: /, calls: 1 },
  { marker: '[judge:blocked]', status: 'failed', reason: /^blocked:PROHIBITED_CONTENT$/, calls: 1 },
  { marker: '[judge:429x1]', status: 'judged', reason: null, calls: 2 },
  { marker: '[judge:503x1]', status: 'judged', reason: null, calls: 2 },
  { marker: '[judge:slowx1]', status: 'judged', reason: null, calls: 1 },
] as const;

/**
 * The whole pipeline with JUDGE=gemini: the real @google/genai client in the real assessor process,
 * a fake Gemini API answering judge requests, and every storage event delivered twice (a second
 * relay sends each one to the assessor again, concurrently with the first).
 */
describe('the content judge through the emulator stack, every event delivered twice', () => {
  let fake: FakeJudge;
  let stack: Stack;
  let secondRelay: StorageRelay;
  let pubsub: PubSub;

  beforeAll(async () => {
    // The slow answer (12 s) outlives the relay's redelivery of its duplicate: the duplicate finds the judge's lease held.
    fake = await startFakeJudge({ slowMs: 12_000, retryDelay: '1s' });
    stack = await startStack({
      logDir: join(projectRoot, '.stack-logs', 'test-judge'),
      maxAttempts: 3,
      functionEnv: { JUDGE: 'gemini', GEMINI_API_KEY: fake.apiKey, GOOGLE_GEMINI_BASE_URL: fake.url, JUDGE_TIMEOUT_SECONDS: '20', JUDGE_RATE_LIMIT_RPM: '600' },
    });
    pubsub = new PubSub({ projectId: stack.projectId }); // startStack pointed PUBSUB_EMULATOR_HOST at its emulator
    await pubsub.topic('gcs-notifications').createSubscription('assess-image-relay-judge-duplicate', { ackDeadlineSeconds: 60 });
    secondRelay = startStorageRelay({ pubsub, subscription: 'assess-image-relay-judge-duplicate', bucket: stack.bucket, targetUrl: stack.assessorUrl });
  });

  afterAll(async () => {
    await secondRelay?.stop();
    await pubsub?.subscription('assess-image-relay-judge-duplicate').delete().catch(() => {});
    await stack?.stop();
    await fake?.close();
  });

  it('judges each image once, ends every verdict judged or failed with its reason, and keeps every pixel assessment', async () => {
    const api = new ApiClient(stack.apiUrl, stack.instructorToken);
    const scenario = { name: 'judge faults', variables: { fault: EXPECTED.map((entry) => entry.marker) }, categories: { street: { template: 'A quiet street scene, case {fault}.' } } };
    const created = await api.createRun({ scenario, count: EXPECTED.length, seed: 1, judge: 'gemini' });
    const status = await waitForRun(api, created.runId, 120_000);
    expect(status.counts.assessed).toBe(EXPECTED.length);
    expect(status.costEstimate).toMatchObject({ usdPerImage: 0, judge: { model: 'gemini-2.5-flash' } });

    // Completed means judged: no verdict is still owed once the run says completed.
    const prompts = (await api.getPrompts(created.runId)).prompts;
    expect(prompts.filter((p) => !p.judge || p.judge.status === 'judging').map((p) => p.prompt)).toEqual([]);
    // Let trailing duplicate deliveries arrive before counting calls.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    for (const expected of EXPECTED) {
      const prompt = prompts.find((p) => p.prompt.includes(`case ${expected.marker}.`))!;
      expect(prompt.status, expected.marker).toBe('assessed');
      expect(prompt.judge?.status, expected.marker).toBe(expected.status);
      if (expected.reason) expect(prompt.judge?.reason, expected.marker).toMatch(expected.reason);
      expect(fake.calls(expected.marker), `judge calls for ${expected.marker}`).toBe(expected.calls);
    }
    expect(fake.requests().every((r) => r.imageWidth <= 384 && r.imageHeight <= 384)).toBe(true);
  });

  it('makes no judge call for a run that asks for none', async () => {
    const api = new ApiClient(stack.apiUrl, stack.instructorToken);
    const before = fake.calls();
    const created = await api.createRun({ count: 2, seed: 3, judge: 'none' });
    await waitForRun(api, created.runId, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(fake.calls()).toBe(before);
  });
});
