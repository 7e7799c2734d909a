import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { imageHashOf, referenceSignatureOf } from '../../functions/adapters/reference-signature.js';
import type { RawImage } from '../../functions/core/quality/index.js';
import {
  compareWithReference,
  computeImageHash,
  computeReferenceSignature,
  findCopiedReference,
  HASH_BITS,
  loadReferenceSignature,
  NEAR_COPY_MAX_DISTANCE,
  SIGNATURE_WINDOWS,
  storeReferenceSignature,
} from '../../functions/core/references/index.js';
import { hammingDistance } from '../../functions/core/references/dct-hash.js';
import { lumaTable, sampleWindow } from '../../functions/core/references/window-sampler.js';
import { evaluateGuard, type GuardEvaluation } from '../../scripts/bench/guard-evaluation.js';
import { loadPhotographs, TRANSFORMATIONS } from '../../scripts/bench/guard-set.js';

const WORDS = Math.ceil(HASH_BITS / 32);

async function raw(bytes: Buffer, flop = false): Promise<RawImage> {
  const { data, info } = await (flop ? sharp(bytes).flop() : sharp(bytes)).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels, hasAlpha: info.hasAlpha };
}

describe('the summed-area window sampler', () => {
  it('averages windows whose edges fall inside pixels by the area each pixel covers', () => {
    // One row of three grey pixels, 0, 90 and 180; the window covers half of the first and last.
    const table = lumaTable({ data: new Uint8Array([0, 90, 180]), width: 3, height: 1, channels: 1 });
    const [mean] = sampleWindow(table, { left: 1 / 6, top: 0, right: 5 / 6, bottom: 1 }, 1);
    expect(mean).toBeCloseTo((0.5 * 0 + 90 + 0.5 * 180) / 2, 9);
  });

  it('reads colour as Rec. 601 luma and ignores alpha', () => {
    const rgba = lumaTable({ data: new Uint8Array([200, 100, 50, 7]), width: 1, height: 1, channels: 4, hasAlpha: true });
    expect(sampleWindow(rgba, { left: 0, top: 0, right: 1, bottom: 1 }, 1)[0]).toBeCloseTo(0.299 * 200 + 0.587 * 100 + 0.114 * 50, 9);
  });

  it('refuses a buffer shorter than its declared size', () => {
    expect(() => lumaTable({ data: new Uint8Array(5), width: 2, height: 1, channels: 3 })).toThrow(/no pixels/);
  });
});

describe('reference signatures', () => {
  it("hold, for the mirrored whole frame, the hash of the flipped image's pixels", async () => {
    const [photograph] = loadPhotographs();
    const signature = computeReferenceSignature(await raw(photograph.bytes));
    const mirroredFrame = SIGNATURE_WINDOWS.findIndex((window) => window.mirrored && window.left === 0 && window.top === 0 && window.right === 1 && window.bottom === 1);
    const flipped = computeImageHash(await raw(photograph.bytes, true));
    expect(hammingDistance(flipped, signature.windows, mirroredFrame * WORDS)).toBe(0);
  });

  it('survive being stored as JSON and read back', async () => {
    const [photograph] = loadPhotographs();
    const signature = await referenceSignatureOf(photograph.bytes);
    const stored = JSON.parse(JSON.stringify(storeReferenceSignature(signature)));
    expect(loadReferenceSignature(stored).windows).toEqual(signature.windows);
    expect(JSON.stringify(stored).length).toBeLessThan(24_000);
  });

  it.each([
    ['null', null],
    ['another version', { version: 2, windows: '' }],
    ['a truncated hash list', { version: 1, windows: 'AAAA' }],
    ['text that is not base64', { version: 1, windows: '!'.repeat(21_848) }],
    ['a number', { version: 1, windows: 12 }],
  ])('refuse %s as a stored signature', (_name, stored) => {
    expect(() => loadReferenceSignature(stored)).toThrow(/reference signature/);
  });
});

describe('the privacy guard on real photographs and their transformed copies', () => {
  let evaluation: GuardEvaluation;
  beforeAll(async () => {
    evaluation = await evaluateGuard();
  }, 240_000);

  it('covers every photograph under every transformation', () => {
    expect(evaluation.photographs.length).toBeGreaterThanOrEqual(10);
    expect(evaluation.copies).toHaveLength(evaluation.photographs.length * TRANSFORMATIONS.length);
  });

  it.each(TRANSFORMATIONS.map((transformation) => transformation.name))('flags every photograph after: %s', (name) => {
    const missed = evaluation.copies.filter((copy) => copy.transformation === name && !copy.verdict.nearCopy);
    expect(missed.map((copy) => `${copy.photograph}: ${copy.verdict.reason}`)).toEqual([]);
  });

  it('names the mirrored window for a mirrored copy', () => {
    const mirrored = evaluation.copies.filter((copy) => copy.transformation === 'horizontal mirror');
    expect(mirrored.every((copy) => copy.verdict.window.mirrored && copy.verdict.reason.includes('mirrored'))).toBe(true);
  });

  it('flags no copy of one photograph against another, nor any look-alike pair', () => {
    const flagged = evaluation.unrelated.filter((pair) => pair.verdict.nearCopy);
    expect(flagged.map((pair) => `${pair.name}: ${pair.verdict.reason}`)).toEqual([]);
    expect(evaluation.unrelated.filter((pair) => pair.name.startsWith('look-alike')).length).toBe(3 * evaluation.photographs.length);
  });

  it('keeps a margin on both sides of the threshold', () => {
    const worstCopy = Math.max(...evaluation.copies.map((copy) => copy.verdict.distance));
    const closestUnrelated = Math.min(...evaluation.unrelated.map((pair) => pair.verdict.distance));
    expect(worstCopy).toBeLessThanOrEqual(NEAR_COPY_MAX_DISTANCE - 8);
    expect(closestUnrelated).toBeGreaterThanOrEqual(NEAR_COPY_MAX_DISTANCE + 8);
  });
});

describe('screening an image against the references that guided it', () => {
  it('names the closest reference it copies, and none when it copies none', async () => {
    const [astronaut, brick, camera] = loadPhotographs();
    const copy = await imageHashOf(await sharp(astronaut.bytes).flop().jpeg({ quality: 70 }).toBuffer());
    // Also a copy of the astronaut, but farther from the image than the astronaut itself.
    const darker = await sharp(astronaut.bytes).modulate({ brightness: 0.6 }).jpeg({ quality: 60 }).toBuffer();
    const references = new Map([
      ['constructor', await referenceSignatureOf(brick.bytes)],
      ['darker-astronaut', await referenceSignatureOf(darker)],
      ['astronaut', await referenceSignatureOf(astronaut.bytes)],
      ['__proto__', await referenceSignatureOf(camera.bytes)],
    ]);
    const found = findCopiedReference(copy, references);
    expect(compareWithReference(copy, references.get('darker-astronaut')!).nearCopy).toBe(true);
    expect(found?.referenceId).toBe('astronaut');
    expect(found?.verdict.window.mirrored).toBe(true);
    references.delete('astronaut');
    references.delete('darker-astronaut');
    expect(findCopiedReference(copy, references)).toBeUndefined();
  });
});

describe('the adapter', () => {
  it('hashes an image with an alpha channel as its visible pixels', async () => {
    const [photograph] = loadPhotographs();
    const withAlpha = await sharp(photograph.bytes).ensureAlpha(0.5).png().toBuffer();
    const verdict = compareWithReference(await imageHashOf(withAlpha), await referenceSignatureOf(photograph.bytes));
    expect(verdict.distance).toBeLessThanOrEqual(4);
  });

  it('rejects a truncated file rather than hashing half of it', async () => {
    const [photograph] = loadPhotographs();
    await expect(imageHashOf(photograph.bytes.subarray(0, photograph.bytes.length >> 1))).rejects.toThrow();
  });
});
