import sharp, { type Sharp } from 'sharp';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeImage } from '../../functions/adapters/image-decoder.js';
import { MemoryImageBucket } from '../../functions/adapters/memory-bucket.js';
import { MemoryReferenceStore } from '../../functions/adapters/memory-references.js';
import { MemoryRunStore } from '../../functions/adapters/memory-store.js';
import { prepareReference } from '../../functions/adapters/reference-image.js';
import type { ReferenceRecord } from '../../functions/core/references/index.js';
import { runQuality, usableVerdict, type PromptRecord } from '../../functions/core/runs/index.js';
import { makeAssessHandler } from '../../functions/handlers/assess.js';
import { loadPhotographs } from '../../scripts/bench/guard-set.js';
import { finalizedEvent, oneCategoryRun, promptOf, silent } from '../support/kit.js';

const photographs = new Map(loadPhotographs().map((photo) => [photo.name, photo.bytes]));
const photo = (name: string) => photographs.get(name) as Buffer;

/** What a model answering with the reference would store: a 1024 px PNG, as generated images are. */
const asGenerated = (pipeline: Sharp) => pipeline.resize(1024, 1024, { fit: 'fill' }).png().toBuffer();

async function referenceRecord(referenceId: string, bytes: Buffer): Promise<ReferenceRecord> {
  const prepared = await prepareReference(bytes);
  if (!prepared.ok) throw new Error(prepared.message);
  const { width, height, sha256, signature } = prepared.reference;
  return { referenceId, owner: 'local', name: referenceId, width, height, sha256, bytes: prepared.reference.bytes.length, shared: false, createdAt: new Date(0).toISOString(), objectName: `references/local/${referenceId}.jpg`, signature };
}

describe('assessImage screens an image against the references its prompt names', () => {
  const references = new MemoryReferenceStore();
  let store: MemoryRunStore;
  let bucket: MemoryImageBucket;
  let decodes: number;
  let lookups: number;
  const counted = { get: (id: string) => (lookups++, references.get(id)) };
  const assess = (withReferences = true) =>
    makeAssessHandler({ store, bucket, log: silent, decode: (bytes) => (decodes++, decodeImage(bytes)), ...(withReferences ? { references: counted } : {}) });

  beforeAll(async () => {
    for (const name of ['astronaut', 'coffee', 'brick']) references.records.set(`ref-${name}`, await referenceRecord(`ref-${name}`, photo(name)));
  });
  beforeEach(() => {
    store = new MemoryRunStore();
    bucket = new MemoryImageBucket();
    decodes = 0;
    lookups = 0;
  });

  /** Stores `png` as prompt 1's image, guided by `referenceIds`, delivers its finalize event, and returns the prompt. */
  async function assessed(png: Buffer, referenceIds: string[] | undefined, withReferences = true): Promise<PromptRecord> {
    await store.createRun(oneCategoryRun(), [promptOf('r1', 1, referenceIds ? { referenceIds } : {})]);
    const name = 'runs/r1/c/p0001.png';
    const { generation } = await bucket.writeIfAbsent(name, png, {});
    expect((await assess(withReferences)(finalizedEvent({ name, contentType: 'image/png', generation }))).done).toBe('assessed');
    return (await store.getPrompt('r1', 'p0001')) as PromptRecord;
  }
  const issuesOf = (prompt: PromptRecord) => runQuality(oneCategoryRun(), [prompt]).byPrompt.get(prompt.promptId)?.issues;

  it.each([
    ['the reference itself', (bytes: Buffer) => asGenerated(sharp(bytes))],
    ['the reference mirrored', (bytes: Buffer) => asGenerated(sharp(bytes).flop())],
    ['the reference re-encoded as JPEG quality 70', async (bytes: Buffer) => asGenerated(sharp(await sharp(bytes).jpeg({ quality: 70 }).toBuffer()))],
  ])('%s is recorded as a near copy naming the reference, flagged and not usable', async (_, make) => {
    const prompt = await assessed(await make(photo('astronaut')), ['ref-coffee', 'ref-astronaut']);
    expect(prompt.referenceScreening).toMatchObject({ outcome: 'copy', referenceId: 'ref-astronaut', referenceIds: ['ref-coffee', 'ref-astronaut'], generation: prompt.assessedGeneration });
    if (prompt.referenceScreening?.outcome !== 'copy') return;
    expect(prompt.referenceScreening.distance).toBeLessThanOrEqual(74);
    expect(prompt.referenceScreening.reason).toMatch(/^near copy of the reference/);
    expect(issuesOf(prompt)).toContain('copies_reference');
    expect(usableVerdict({ issues: issuesOf(prompt) ?? [], review: null })).toEqual({ usable: false, reasons: ['issue:copies_reference'] });
    // One decode serves the metrics and the guard.
    expect(decodes).toBe(1);
  });

  it('records an unrelated photograph as clear of every reference, with no flag', async () => {
    const prompt = await assessed(await asGenerated(sharp(photo('chelsea'))), ['ref-astronaut', 'ref-coffee', 'ref-brick']);
    expect(prompt.referenceScreening).toEqual({ outcome: 'clear', generation: prompt.assessedGeneration, referenceIds: ['ref-astronaut', 'ref-coffee', 'ref-brick'] });
    expect(issuesOf(prompt)).not.toContain('copies_reference');
    expect(issuesOf(prompt)).not.toContain('unscreened_reference');
  });

  it('fails closed: an image whose reference no longer exists is recorded unscreened and not usable', async () => {
    const prompt = await assessed(await asGenerated(sharp(photo('chelsea'))), ['ref-astronaut', 'ref-deleted']);
    expect(prompt.referenceScreening).toMatchObject({ outcome: 'unscreened', missing: ['ref-deleted'] });
    expect(issuesOf(prompt)).toContain('unscreened_reference');
  });

  it('fails closed without a reference store too', async () => {
    const prompt = await assessed(await asGenerated(sharp(photo('astronaut'))), ['ref-astronaut'], false);
    expect(prompt.referenceScreening).toMatchObject({ outcome: 'unscreened', missing: ['ref-astronaut'] });
  });

  it('reads no reference and records no screening for a prompt that names none', async () => {
    const prompt = await assessed(await asGenerated(sharp(photo('astronaut'))), []);
    expect(prompt.referenceScreening).toBeNull();
    expect(lookups).toBe(0);
    expect(issuesOf(prompt)).not.toContain('copies_reference');
  });

  it('is idempotent: a redelivered event neither reads the references again nor changes the outcome', async () => {
    const first = await assessed(await asGenerated(sharp(photo('astronaut'))), ['ref-astronaut']);
    const event = finalizedEvent({ name: 'runs/r1/c/p0001.png', contentType: 'image/png', generation: first.assessedGeneration as string }, 'e2');
    expect(await assess()(event)).toMatchObject({ done: 'skipped', reason: 'duplicate event' });
    expect(lookups).toBe(1);
    expect((await store.getPrompt('r1', 'p0001'))?.referenceScreening).toEqual(first.referenceScreening);
  });

  it('a store error throws, so the event is retried rather than the image recorded unscreened', async () => {
    await store.createRun(oneCategoryRun(), [promptOf('r1', 1, { referenceIds: ['ref-astronaut'] })]);
    const { generation } = await bucket.writeIfAbsent('runs/r1/c/p0001.png', await asGenerated(sharp(photo('coffee'))), {});
    const failing = makeAssessHandler({ store, bucket, log: silent, decode: decodeImage, references: { get: async () => Promise.reject(new Error('UNAVAILABLE')) } });
    await expect(failing(finalizedEvent({ name: 'runs/r1/c/p0001.png', contentType: 'image/png', generation }))).rejects.toThrow('UNAVAILABLE');
    expect((await store.getPrompt('r1', 'p0001'))?.status).not.toBe('assessed');
  });
});
