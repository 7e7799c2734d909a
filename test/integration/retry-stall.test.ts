import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PubSub, type Topic } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GeminiProvider } from '../../functions/adapters/gemini/gemini-provider.js';
import { MemoryImageBucket } from '../../functions/adapters/memory-bucket.js';
import { MemoryRunStore } from '../../functions/adapters/memory-store.js';
import { newPromptRecord, type RunRecord } from '../../functions/core/runs/index.js';
import { makeGenerateHandler } from '../../functions/handlers/generate.js';
import { generationSubscriptionOptions, LOCAL_REDELIVERY_SECONDS } from '../../scripts/stack/generation-subscription.js';
import { startFakeGemini, type FakeGemini } from '../support/fake-gemini-server.js';
import { silent } from '../support/kit.js';

/**
 * Issue 17: a prompt that got a 429 (RetryInfo 2 s) was never asked again. The real Pub/Sub
 * emulator pushes into the real generate handler (real @google/genai SDK, fake Gemini API that
 * 429s chosen prompts); the test decides when two pushes are answered. Two prompts nacked in
 * the same instant used to break the emulator's retry-policy timer, and the next prompt that
 * got a 429 then waited forever.
 */
const RETRY_DELAY_S = 2;
const CHOSEN = ['alpha', 'bravo', 'charlie'];

const run: RunRecord = {
  runId: 'stall', scenario: { name: 's', variables: {}, categories: { c: { template: 't', variables: {}, weight: 1 } } }, count: 3, seed: 1,
  categories: ['c'], provider: 'gemini', model: 'gemini-2.5-flash-image', createdAt: new Date(0).toISOString(), state: 'accepted', owner: 'local',
  image: { aspectRatio: '1:1', imageSize: '1K' }, costEstimate: { images: 3, usdPerImage: 0.039, usd: 0.117, basis: 'test' },
};

describe('a prompt that got a 429 is asked again', () => {
  let fake: FakeGemini;
  let server: Server;
  let topic: Topic;
  const deliveries = new Map<string, number>();
  const callTimes = new Map<string, number[]>();
  // alpha's and bravo's second deliveries are answered together, as two generator instances would.
  const held: Array<() => void> = [];

  beforeAll(async () => {
    const stack = inject('stack');
    Object.assign(process.env, stack.clientEnv);
    fake = await startFakeGemini({
      retryDelay: `${RETRY_DELAY_S}s`,
      faultFor: (_prompt, call) => (call === 1 ? '429' : null),
      onRequest: (request) => callTimes.set(request.prompt, [...(callTimes.get(request.prompt) ?? []), Date.now()]),
    });
    const store = new MemoryRunStore();
    await store.createRun(run, CHOSEN.map((name, index) => newPromptRecord('stall', { promptId: name, index, category: 'c', prompt: name, variables: {}, seed: index })));
    const provider = new GeminiProvider({ model: 'gemini-2.5-flash-image', apiKey: fake.apiKey, baseUrl: fake.url, timeoutMs: 10_000 });
    const generate = makeGenerateHandler({ store, bucket: new MemoryImageBucket(), provider, log: silent, leaseMs: 60_000, maxAttempts: 5 });

    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const push = JSON.parse(body) as { message: { data: string; messageId: string }; subscription: string };
        const promptId = (JSON.parse(Buffer.from(push.message.data, 'base64').toString()) as { promptId: string }).promptId;
        const delivery = (deliveries.get(promptId) ?? 0) + 1;
        deliveries.set(promptId, delivery);
        const event = { specversion: '1.0', id: push.message.messageId, source: 'test', type: 'google.cloud.pubsub.topic.v1.messagePublished', data: push };
        void generate(event).then(() => 204, () => 500).then(async (status) => {
          if (promptId !== 'charlie' && delivery === 2) {
            await new Promise<void>((release) => {
              held.push(release);
              if (held.length === 2) held.splice(0).forEach((go) => go());
              setTimeout(release, 10_000);
            });
          }
          res.writeHead(status).end();
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const pubsub = new PubSub({ projectId: stack.projectId });
    const name = `retry-stall-${Date.now()}`;
    [topic] = await pubsub.createTopic(name);
    await topic.createSubscription(`${name}-push`, generationSubscriptionOptions(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, 60));
  });

  afterAll(async () => {
    await topic?.subscription(`${topic.name.split('/').pop()}-push`).delete().catch(() => {});
    await topic?.delete().catch(() => {});
    server?.close();
    await fake?.close();
  });

  const waitFor = async (condition: () => boolean, timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  };

  it('within the server delay plus the redelivery delay, even after two prompts were nacked at once', async () => {
    // Local redelivery is 1 s after a nack; allow for two nacks (the 429, then the early redelivery) and slack.
    const bound = (RETRY_DELAY_S + 2 * LOCAL_REDELIVERY_SECONDS + 8) * 1000;
    for (const name of ['alpha', 'bravo']) await topic.publishMessage({ json: { runId: 'stall', promptId: name } });
    await waitFor(() => ['alpha', 'bravo'].every((name) => (callTimes.get(name)?.length ?? 0) >= 2), bound);
    expect(deliveries.get('alpha'), 'alpha was delivered again after the held answers').toBeGreaterThanOrEqual(3);

    await topic.publishMessage({ json: { runId: 'stall', promptId: 'charlie' } });
    await waitFor(() => (callTimes.get('charlie')?.length ?? 0) >= 2, bound);
    for (const name of CHOSEN) {
      const calls = callTimes.get(name) ?? [];
      expect(calls, `model calls for ${name}`).toHaveLength(2);
      expect(calls[1]! - calls[0]!, `wait before ${name} was asked again`).toBeLessThan(bound);
      expect(calls[1]! - calls[0]!, `${name} waited out the server's delay`).toBeGreaterThanOrEqual(RETRY_DELAY_S * 1000);
    }
  });
});
