/** A prompt's references reach Gemini: the generator reads them from the references bucket and the provider sends them as image parts with the fixed instruction. */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeminiProvider } from '../../functions/adapters/gemini/gemini-provider.js';
import { MemoryImageBucket } from '../../functions/adapters/memory-bucket.js';
import { MemoryReferenceStore } from '../../functions/adapters/memory-references.js';
import { MemoryRunStore } from '../../functions/adapters/memory-store.js';
import { referenceLoader } from '../../functions/adapters/reference-loader.js';
import type { ReferenceRecord } from '../../functions/core/references/index.js';
import { newPromptRecord } from '../../functions/core/runs/index.js';
import { RetryLater } from '../../functions/handlers/event-outcome.js';
import { makeGenerateHandler } from '../../functions/handlers/generate.js';
import { startFakeGemini, type FakeGemini, type ReceivedRequest } from '../support/fake-gemini-server.js';
import { oneCategoryRun, publishedEvent, silent } from '../support/kit.js';

type Part = { text?: string; inlineData?: { mimeType: string; data: string } };
const partsOf = (request: ReceivedRequest | undefined): Part[] => ((request?.body.contents as Array<{ parts: Part[] }> | undefined) ?? []).flatMap((content) => content.parts);

let fake: FakeGemini;
beforeAll(async () => {
  fake = await startFakeGemini();
});
afterAll(async () => {
  await fake.close();
});

async function setup(referenceIds: string[] | undefined) {
  const store = new MemoryRunStore();
  const images = new MemoryImageBucket();
  const referenceBucket = new MemoryImageBucket();
  const references = new MemoryReferenceStore();
  const stored = new Map<string, Buffer>();
  for (const [referenceId, colour] of [['ref-red', { r: 220, g: 20, b: 20 }], ['ref-blue', { r: 20, g: 20, b: 220 }]] as const) {
    const bytes = await sharp({ create: { width: 48, height: 32, channels: 3, background: colour } }).jpeg().toBuffer();
    const objectName = `references/u-ada/${referenceId}.jpg`;
    await referenceBucket.writeDerivedIfAbsent(objectName, bytes, 'image/jpeg');
    const record = { referenceId, owner: 'u-ada', name: referenceId, width: 48, height: 32, sha256: 'x', bytes: bytes.length, shared: false, createdAt: '', objectName, signature: {} } as unknown as ReferenceRecord;
    await references.create(record, () => ({ ok: true }));
    stored.set(referenceId, bytes);
  }
  const planned = { promptId: 'p0001', index: 1, category: 'c', prompt: 'A march along the river', variables: {}, seed: 9, ...(referenceIds ? { referenceIds } : {}) };
  await store.createRun(oneCategoryRun(), [newPromptRecord('r1', planned)]);
  const provider = new GeminiProvider({ model: 'gemini-2.5-flash-image', apiKey: fake.apiKey, baseUrl: fake.url, timeoutMs: 5_000 });
  const loadReferences = referenceLoader(references, referenceBucket);
  const generate = makeGenerateHandler({ store, bucket: images, provider, log: silent, leaseMs: 60_000, maxAttempts: 3, loadReferences });
  return { store, generate, stored, references, referenceBucket, provider, images };
}

describe('a prompt guided by references, through the Gemini provider', () => {
  it('sends each stored reference as an inline image part, then the instruction, then the prompt', async () => {
    const { generate, stored } = await setup(['ref-red', 'ref-blue']);
    fake.reset();
    expect(await generate(publishedEvent({ runId: 'r1', promptId: 'p0001' }))).toEqual({ done: 'generated' });
    const parts = partsOf(fake.requests()[0]);
    expect(parts.slice(0, 2)).toEqual([
      { inlineData: { mimeType: 'image/jpeg', data: stored.get('ref-red')?.toString('base64') } },
      { inlineData: { mimeType: 'image/jpeg', data: stored.get('ref-blue')?.toString('base64') } },
    ]);
    expect(parts[2]?.text).toMatch(/only as a guide to the kind of scene, its composition and the elements in it\. Never reproduce a person, a face, legible text or any identifying detail/);
    expect(parts[3]).toEqual({ text: 'A march along the river' });
  });

  it('sends the prompt alone when nothing guides it', async () => {
    const { generate } = await setup(undefined);
    fake.reset();
    await generate(publishedEvent({ runId: 'r1', promptId: 'p0001' }));
    expect(partsOf(fake.requests()[0])).toEqual([{ text: 'A march along the river' }]);
  });

  it('leaves out a reference deleted since planning', async () => {
    const { generate, references, stored } = await setup(['ref-red', 'ref-blue']);
    await references.remove('ref-red');
    fake.reset();
    await generate(publishedEvent({ runId: 'r1', promptId: 'p0001' }));
    expect(partsOf(fake.requests()[0]).filter((part) => part.inlineData).map((part) => part.inlineData?.data)).toEqual([stored.get('ref-blue')?.toString('base64')]);
  });

  it('retries without a model call when a reference cannot be read', async () => {
    const { store, references } = await setup(['ref-red']);
    const failing = { read: async () => Promise.reject(new Error('storage unavailable')) };
    const provider = new GeminiProvider({ model: 'gemini-2.5-flash-image', apiKey: fake.apiKey, baseUrl: fake.url, timeoutMs: 5_000 });
    const generate = makeGenerateHandler({ store, bucket: new MemoryImageBucket(), provider, log: silent, leaseMs: 60_000, maxAttempts: 3, loadReferences: referenceLoader(references, failing) });
    fake.reset();
    await expect(generate(publishedEvent({ runId: 'r1', promptId: 'p0001' }))).rejects.toBeInstanceOf(RetryLater);
    expect(fake.totalCalls()).toBe(0);
    const prompt = await store.getPrompt('r1', 'p0001');
    // No in-flight mark: the redelivery may call the model, since this one never did.
    expect([prompt?.modelCallAt ?? null, prompt?.lastError]).toEqual([null, 'references could not be read: storage unavailable']);
  });
});
