/** The offline renderer takes a reference's horizon and dominant colours, computed from the stored bytes, deterministically. */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { EmbeddedProvider } from '../../functions/adapters/embedded/embedded-provider.js';
import { guideFrom } from '../../functions/adapters/embedded/reference-guide.js';
import { MemoryImageBucket } from '../../functions/adapters/memory-bucket.js';
import { MemoryReferenceStore } from '../../functions/adapters/memory-references.js';
import { MemoryRunStore } from '../../functions/adapters/memory-store.js';
import { referenceLoader } from '../../functions/adapters/reference-loader.js';
import type { ReferenceImage } from '../../functions/core/objects/index.js';
import type { ReferenceRecord } from '../../functions/core/references/index.js';
import { newPromptRecord } from '../../functions/core/runs/index.js';
import { planPrompts } from '../../functions/core/scenario/index.js';
import { makeGenerateHandler } from '../../functions/handlers/generate.js';
import { builtinScenarios, DEFAULT_SCENARIO } from '../../functions/scenarios/index.js';
import { oneCategoryRun, publishedEvent, silent } from '../support/kit.js';

/** A photograph-like reference: a band of `top` above `horizon` (a fraction of the height), `bottom` below. */
async function banded(top: [number, number, number], bottom: [number, number, number], horizon: number): Promise<ReferenceImage> {
  const [width, height] = [240, 160];
  const split = Math.round(height * horizon);
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(y < split ? top : bottom, (y * width + x) * 3);
  const bytes = await sharp(data, { raw: { width, height, channels: 3 } }).jpeg({ quality: 88 }).toBuffer();
  return { referenceId: 'ref-banded', bytes, mimeType: 'image/jpeg' };
}

/** Mean of (red − the mean of green and blue) over the image: above 0 leans red. */
async function redness(png: Buffer): Promise<number> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let sum = 0;
  for (let i = 0; i < data.length; i += info.channels) sum += (data[i] ?? 0) - ((data[i + 1] ?? 0) + (data[i + 2] ?? 0)) / 2;
  return sum / (data.length / info.channels);
}

describe('the embedded renderer guided by references', () => {
  it('finds a reference\'s horizon line and the colours above and below it', async () => {
    const guide = await guideFrom([await banded([60, 110, 200], [70, 140, 60], 0.3)]);
    expect(guide?.horizon).toBeCloseTo(0.3, 1);
    expect(guide?.sky.map(Math.round)).toEqual([expect.closeTo(60, -1), expect.closeTo(110, -1), expect.closeTo(200, -1)]);
    expect(guide?.ground.map(Math.round)).toEqual([expect.closeTo(70, -1), expect.closeTo(140, -1), expect.closeTo(60, -1)]);
  });

  it('renders a run guided by a red-dominant reference redder than the same run unguided, and the same bytes twice', async () => {
    const red = await banded([200, 40, 30], [150, 30, 25], 0.5);
    const store = new MemoryRunStore();
    const referenceBucket = new MemoryImageBucket();
    const references = new MemoryReferenceStore();
    await referenceBucket.writeDerivedIfAbsent('references/u-ada/ref-red.jpg', red.bytes, 'image/jpeg');
    await references.create({ referenceId: 'ref-red', owner: 'u-ada', objectName: 'references/u-ada/ref-red.jpg' } as ReferenceRecord, () => ({ ok: true }));
    const planned = planPrompts(builtinScenarios().get(DEFAULT_SCENARIO)!, { count: 3, seed: 4, references: ['ref-red'] });
    const unguided = planned.map(({ referenceIds: _ids, ...prompt }) => ({ ...prompt, promptId: `${prompt.promptId}u` }));
    await store.createRun(oneCategoryRun(), [...planned, ...unguided].map((prompt) => newPromptRecord('r1', prompt)));
    const images = new MemoryImageBucket();
    const generate = makeGenerateHandler({ store, bucket: images, provider: new EmbeddedProvider(), log: silent, leaseMs: 60_000, maxAttempts: 3, loadReferences: referenceLoader(references, referenceBucket) });
    for (const prompt of [...planned, ...unguided]) await generate(publishedEvent({ runId: 'r1', promptId: prompt.promptId }));
    const pngOf = async (promptId: string) => images.read((await store.getPrompt('r1', promptId))?.objectName as string);
    for (const prompt of planned) {
      const [guided, plain] = await Promise.all([pngOf(prompt.promptId), pngOf(`${prompt.promptId}u`)]);
      expect((await redness(guided as Buffer)) - (await redness(plain as Buffer))).toBeGreaterThan(10);
    }
    const again = await new EmbeddedProvider().generate({ prompt: planned[0]!.prompt, category: planned[0]!.category, variables: planned[0]!.variables, seed: planned[0]!.seed, references: [red] });
    const first = await new EmbeddedProvider().generate({ prompt: planned[0]!.prompt, category: planned[0]!.category, variables: planned[0]!.variables, seed: planned[0]!.seed, references: [red] });
    expect(again.png.equals(first.png)).toBe(true);
  });
});
