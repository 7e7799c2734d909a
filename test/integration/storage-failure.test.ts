import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeminiProvider } from '../../functions/adapters/gemini/gemini-provider.js';
import { GcsImageBucket } from '../../functions/adapters/storage-bucket.js';
import { customMetadataBytes, MAX_CUSTOM_METADATA_BYTES } from '../../functions/core/objects/index.js';
import { newPromptRecord, type RunRecord } from '../../functions/core/runs/index.js';
import { makeGenerateHandler } from '../../functions/handlers/generate.js';
import { startFakeGemini, type FakeGemini } from '../support/fake-gemini-server.js';
import { stackClients } from '../support/stack-clients.js';
import { silent } from '../support/kit.js';

/**
 * Issue 11, billing safety, on the emulators: the real Firestore store, the real Cloud Storage
 * client against fake-gcs-server, the real @google/genai SDK against a fake Gemini API. A write
 * that fails after the model answered ends the prompt; redeliveries never call the model again.
 */

describe('a storage write that fails after the model answered', () => {
  const { stack, store, bucket: realBucket } = stackClients();
  let fake: FakeGemini;
  let provider: GeminiProvider;

  beforeAll(async () => {
    fake = await startFakeGemini();
    provider = new GeminiProvider({ model: 'gemini-2.5-flash-image', apiKey: fake.apiKey, baseUrl: fake.url, timeoutMs: 10_000 });
  });
  afterAll(async () => fake?.close());

  const newRun = async (prompt: string): Promise<string> => {
    const runId = `storage-failure-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    const run: RunRecord = {
      runId, scenario: { name: 's', variables: {}, categories: { c: { template: 't', variables: {}, weight: 1 } } }, count: 1, seed: 1,
      categories: ['c'], provider: 'gemini', model: 'gemini-2.5-flash-image', createdAt: new Date().toISOString(), state: 'accepted', owner: 'local',
      image: { aspectRatio: '1:1', imageSize: '1K' }, costEstimate: { images: 1, usdPerImage: 0.039, usd: 0.039, basis: 'test' },
    };
    await store.createRun(run, [newPromptRecord(runId, { promptId: 'p0001', index: 1, category: 'c', prompt, variables: {}, seed: 3 })]);
    return runId;
  };

  const deliver = async (bucket: GcsImageBucket, runId: string, times: number): Promise<string[]> => {
    const generate = makeGenerateHandler({ store, bucket, provider, log: silent, leaseMs: 1000, maxAttempts: 5, sleep: async () => {} });
    const data = { message: { data: Buffer.from(JSON.stringify({ runId, promptId: 'p0001' })).toString('base64') } };
    const outcomes: string[] = [];
    for (let i = 0; i < times; i++) {
      outcomes.push(await generate({ specversion: '1.0', id: `m${i}`, source: 'test', type: 'google.cloud.pubsub.topic.v1.messagePublished', data }).then((r) => r.done, () => 'retry'));
      await new Promise((resolve) => setTimeout(resolve, 1100)); // past the lease, as a late redelivery would be
    }
    return outcomes;
  };

  // No client-side retries, so an unreachable endpoint fails at once; the handler's own retries still run.
  const storageAt = (apiEndpoint: string) => new Storage({ projectId: stack.projectId, apiEndpoint, retryOptions: { autoRetry: false } });

  it.each([
    { name: 'the bucket refuses it (404)', bucket: () => storageAt(stack.clientEnv.STORAGE_API_ENDPOINT!).bucket('no-such-bucket'), detail: /refused the write \(404\)/ },
    { name: 'storage is unreachable', bucket: () => storageAt('http://127.0.0.1:9').bucket(stack.bucket), detail: /ECONNREFUSED|fetch failed|connect/ },
  ])('$name: exactly one model call, the prompt fails with the reason', async ({ bucket, detail }) => {
    const prompt = `A lighthouse at dawn, case ${Math.random()}`;
    const runId = await newRun(prompt);
    const outcomes = await deliver(new GcsImageBucket(bucket()), runId, 3);
    expect(outcomes).toEqual(['failed', 'skipped', 'skipped']);
    expect(fake.calls(prompt)).toBe(1);
    const record = await store.getPrompt(runId, 'p0001');
    expect(record?.status).toBe('failed');
    expect(record?.failureReason).toMatch(/^storage_error: the image was generated but could not be stored: /);
    expect(record?.failureReason).toMatch(detail);
  });

  it('a prompt far over 8 KiB is stored with a hash and an excerpt, within Cloud Storage\'s metadata limit', async () => {
    const prompt = `${'Banners over a crowded square, umbrellas, a brass band; '.repeat(300)}${Math.random()}`;
    const runId = await newRun(prompt);
    expect(await deliver(new GcsImageBucket(realBucket), runId, 1)).toEqual(['generated']);
    expect(fake.calls(prompt)).toBe(1);
    const [metadata] = await realBucket.file(`runs/${runId}/c/p0001.png`).getMetadata();
    const custom = metadata.metadata as Record<string, string>;
    expect(custom).not.toHaveProperty('prompt');
    expect(custom.promptExcerpt?.length).toBeLessThanOrEqual(200);
    expect(customMetadataBytes(custom)).toBeLessThanOrEqual(MAX_CUSTOM_METADATA_BYTES);
  });
});
