import sharp from 'sharp';
import { beforeEach, describe, expect, it } from 'vitest';
import { decodeImage } from '../../functions/adapters/image-decoder.js';
import { MemoryImageBucket } from '../../functions/adapters/memory-bucket.js';
import { MemoryRunStore } from '../../functions/adapters/memory-store.js';
import { newPromptRecord, type RunRecord } from '../../functions/core/runs/index.js';
import { makeAssessHandler, type StorageObjectData } from '../../functions/handlers/assess.js';
import { finalizedEvent, silent } from '../support/kit.js';

const run = { runId: 'r1', categories: ['c'], state: 'accepted', owner: 'local' } as unknown as RunRecord;
const event = (data: StorageObjectData) => finalizedEvent(data);

describe('assessImage handler', () => {
  let store: MemoryRunStore;
  let bucket: MemoryImageBucket;
  let decodes: number;
  const name = 'runs/r1/c/p0001.png';

  beforeEach(async () => {
    store = new MemoryRunStore();
    bucket = new MemoryImageBucket();
    decodes = 0;
    await store.createRun(run, [newPromptRecord('r1', { promptId: 'p0001', index: 1, category: 'c', prompt: 'p', variables: {}, seed: 1 })]);
  });
  const assess = () => makeAssessHandler({ store, bucket, log: silent, decode: (bytes) => (decodes++, decodeImage(bytes)) });

  it('records metrics once per object generation', async () => {
    const png = await sharp({ create: { width: 64, height: 32, channels: 3, background: { r: 200, g: 100, b: 0 } } }).png().toBuffer();
    const { generation } = await bucket.writeIfAbsent(name, png, {});
    const finalized = event({ name, contentType: 'image/png', generation, size: String(png.length) });
    expect(await assess()(finalized)).toEqual({ done: 'assessed' });
    expect(await assess()(finalized)).toMatchObject({ done: 'skipped', reason: 'duplicate event' });
    expect(decodes).toBe(1);
    expect(await store.getPrompt('r1', 'p0001')).toMatchObject({
      status: 'assessed',
      metrics: { width: 64, height: 32, resolutionScore: 0.001, brightness: 100, colourVariance: 81.6497 },
    });
  });

  it('records an unreadable image as a failed assessment and does not retry', async () => {
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } }).png().toBuffer();
    const { generation } = await bucket.writeIfAbsent(name, png.subarray(0, 60), {});
    expect(await assess()(event({ name, contentType: 'image/png', generation }))).toEqual({ done: 'failed' });
    expect((await store.getPrompt('r1', 'p0001'))?.failureReason).toMatch(/^unreadable: /);
  });

  it.each([
    { name: 'uploads/x.png', contentType: 'image/png', reason: /outside runs/ },
    { name: 'runs/r1/c/p0001.json', contentType: 'application/json', reason: /not an image/ },
    { name: 'runs/r1/p0001.png', contentType: 'image/png', reason: /not a generated image path/ },
  ])('ignores $name', async ({ name: objectName, contentType, reason }) => {
    const outcome = await assess()(event({ name: objectName, contentType, generation: '1' }));
    expect(outcome.done).toBe('skipped');
    if (outcome.done === 'skipped') expect(outcome.reason).toMatch(reason);
  });

  it('acknowledges an event for an object that no longer exists', async () => {
    expect(await assess()(event({ name, contentType: 'image/png', generation: '42' }))).toMatchObject({ done: 'skipped', reason: 'object gone' });
  });
});
