import type { CloudEvent } from '@google-cloud/functions-framework';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GeminiJudge } from '../../functions/adapters/gemini/gemini-judge.js';
import { decodeImage } from '../../functions/adapters/image-decoder.js';
import { judgeImageOf } from '../../functions/adapters/judge-image.js';
import { MemoryImageBucket } from '../../functions/adapters/memory-bucket.js';
import { MemoryRateLimiter } from '../../functions/adapters/memory-rate-limiter.js';
import { MemoryRunStore } from '../../functions/adapters/memory-store.js';
import { newPromptRecord, type RunRecord } from '../../functions/core/runs/index.js';
import { runQuality } from '../../functions/core/runs/index.js';
import { scenarioSchema } from '../../functions/core/scenario/index.js';
import { makeAssessHandler, type StorageObjectData } from '../../functions/handlers/assess.js';
import { RetryLater } from '../../functions/handlers/event-outcome.js';
import { startFakeJudge, type FakeJudge } from '../support/fake-judge-server.js';
import { finalizedEvent, silent } from '../support/kit.js';

/**
 * The assessor with the real Gemini judge adapter (@google/genai) against a fake Gemini API that
 * answers in the real REST shapes. Every event is delivered twice, and each transient failure is
 * redelivered until it settles, as Eventarc would.
 */
const scenario = scenarioSchema.parse({ name: 'judge test', context: 'A fictional town.', variables: { place: ['a square'] }, categories: { c: { template: 'People in {place}.' } } });
const CASES = [
  { marker: '[judge:valid]', status: 'judged', reason: null, calls: 1 },
  { marker: '[judge:invalid-json]', status: 'failed', reason: /^invalid_json$/, calls: 1 },
  { marker: '[judge:schema]', status: 'failed', reason: /^schema: relevance/, calls: 1 },
  { marker: '[judge:blocked]', status: 'failed', reason: /^blocked:PROHIBITED_CONTENT$/, calls: 1 },
  { marker: '[judge:429x1]', status: 'judged', reason: null, calls: 2 },
  { marker: '[judge:503x2]', status: 'judged', reason: null, calls: 3 },
  { marker: '[judge:503]', status: 'failed', reason: /^gave up after 3 attempts: .*503/, calls: 3 },
  { marker: '[judge:slowx1]', status: 'judged', reason: null, calls: 1 },
] as const;

describe('the judge in the assessor, against a fake Gemini API', () => {
  let fake: FakeJudge;
  let store: MemoryRunStore;
  let bucket: MemoryImageBucket;
  let clock: number;
  let png: Buffer;

  beforeAll(async () => {
    fake = await startFakeJudge({ slowMs: 1500, retryDelay: '2s' });
    png = await sharp({ create: { width: 1024, height: 1024, channels: 3, background: { r: 120, g: 90, b: 60 } } }).png().toBuffer();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    store = new MemoryRunStore();
    bucket = new MemoryImageBucket();
    clock = 1_000_000;
  });

  const judge = () => new GeminiJudge({ model: 'gemini-2.5-flash', credentials: { apiKey: fake.apiKey }, baseUrl: fake.url, timeoutMs: 5000 });
  const handler = () =>
    makeAssessHandler({
      store,
      bucket,
      log: silent,
      decode: decodeImage,
      now: () => clock,
      judge: { judge: judge(), encode: judgeImageOf, rateLimiter: new MemoryRateLimiter(6000), leaseMs: 35_000, maxAttempts: 3 },
    });

  async function setUp(marker: string, index: number, judged: 'gemini' | 'none' = 'gemini') {
    const runId = `r${index}`;
    await store.createRun({ runId, scenario, judge: judged } as unknown as RunRecord, [
      newPromptRecord(runId, { promptId: 'p0001', index: 1, category: 'c', prompt: `People in a square. ${marker}`, variables: { place: 'a square' }, seed: 1 }),
    ]);
    const name = `runs/${runId}/c/p0001.png`;
    const { generation } = await bucket.writeIfAbsent(name, png, {});
    const event = finalizedEvent({ name, contentType: 'image/png', generation }, `e${index}`);
    return { runId, event };
  }

  /** Delivers the event twice at once, then again (after the backoff it asked for) while it asks for a retry. */
  async function deliverUntilSettled(event: CloudEvent<StorageObjectData>) {
    const assess = handler();
    let retries = 0;
    let outcomes = await Promise.allSettled([assess(event), assess(event)]);
    while (outcomes.some((o) => o.status === 'rejected') && retries < 10) {
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(RetryLater);
      retries++;
      clock += 61_000;
      outcomes = await Promise.allSettled([assess(event), assess(event)]);
    }
    return retries;
  }

  it.each(CASES.map((c, i) => ({ ...c, index: i })))('$marker ends $status after $calls call(s), with every event delivered twice', async ({ marker, status, reason, calls, index }) => {
    const { runId, event } = await setUp(marker, index);
    await deliverUntilSettled(event);
    const prompt = await store.getPrompt(runId, 'p0001');
    // The pixel assessment is there whatever the judge did.
    expect(prompt?.status).toBe('assessed');
    expect(prompt?.metrics?.width).toBe(1024);
    expect(prompt?.judge?.status).toBe(status);
    if (reason) expect(prompt?.judge?.reason).toMatch(reason);
    else expect(prompt?.judge?.answer).toMatchObject({ relevance: 4, elements: [{ variable: 'place', present: true }] });
    expect(fake.calls(marker)).toBe(calls);
  });

  it('sends a 384 px JPEG (258 image tokens) with the rubric and the schema, and records the usage', async () => {
    const { runId, event } = await setUp('[judge:valid] size', 20);
    await deliverUntilSettled(event);
    const request = fake.requests().find((r) => r.rubric.includes('[judge:valid] size'));
    expect([request?.imageWidth, request?.imageHeight]).toEqual([384, 384]);
    expect(request?.rubric).toContain('- place: a square');
    expect(request?.rubric).toContain('A fictional town.');
    expect(request?.body.generationConfig).toMatchObject({ responseMimeType: 'application/json', temperature: 0, thinkingConfig: { thinkingBudget: 0 } });
    expect((await store.getPrompt(runId, 'p0001'))?.judge?.usage).toMatchObject({ imageTokens: 258 });
  });

  it('honours RetryInfo on a 429: redeliveries wait out its delay without a call', async () => {
    const { runId, event } = await setUp('[judge:429x1] wait', 23);
    await expect(handler()(event)).rejects.toBeInstanceOf(RetryLater);
    expect((await store.getPrompt(runId, 'p0001'))?.judge).toMatchObject({ status: 'judging', leaseExpiresAt: clock + 2000, lastError: expect.stringMatching(/429/) });
    clock += 1000;
    await expect(handler()(event)).rejects.toBeInstanceOf(RetryLater);
    expect(fake.calls('[judge:429x1] wait')).toBe(1);
    clock += 1500;
    expect(await handler()(event)).toMatchObject({ done: 'skipped' });
    expect(fake.calls('[judge:429x1] wait')).toBe(2);
    expect((await store.getPrompt(runId, 'p0001'))?.judge?.status).toBe('judged');
  });

  it('makes no judge call for a run that is not judged', async () => {
    const { runId, event } = await setUp('[judge:valid] unjudged', 21, 'none');
    await deliverUntilSettled(event);
    expect(fake.calls('unjudged')).toBe(0);
    expect((await store.getPrompt(runId, 'p0001'))?.judge ?? null).toBeNull();
  });

  it('raises off_prompt, missing_elements, artifacts and inappropriate_content from a verdict', async () => {
    const { runId, event } = await setUp('[judge:valid] flags', 22);
    await deliverUntilSettled(event);
    const prompt = (await store.getPrompt(runId, 'p0001'))!;
    prompt.judge!.answer = { ...prompt.judge!.answer!, relevance: 2, elements: [{ variable: 'place', present: false }], artifacts: ['garbled_text'], inappropriate: true, concerns: ['weapons'] };
    expect(runQuality({ scenario }, [prompt]).byPrompt.get('p0001')?.issues).toEqual(expect.arrayContaining(['off_prompt', 'missing_elements', 'artifacts', 'inappropriate_content']));
  });
});
