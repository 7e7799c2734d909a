import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedProvider } from '../../functions/adapters/embedded/embedded-provider.js';
import { decodeImage } from '../../functions/adapters/image-decoder.js';
import { computeMetrics, type ImageMetrics } from '../../functions/core/quality/index.js';
import { planPrompts } from '../../functions/core/scenario/index.js';
import { DEFAULT_THRESHOLDS, hammingDistance, mergeThresholds, runChecks } from '../../functions/core/quality/index.js';
import { balanceOf, meanPairwiseHamming, runReport, symmetricEigenvalues, vendiScore } from '../../functions/core/quality/index.js';
import { builtinScenarios } from '../../functions/scenarios/index.js';

/** A small synthetic photo stand-in: sines per channel, seeded noise and flat shapes. */
function texture(width: number, height: number, seed: number): Buffer {
  let state = seed;
  const random = () => ((state = (Math.imul(state, 1103515245) + 12345) | 0) >>> 8) / 16_777_216;
  const waves = Array.from({ length: 12 }, () => ({ fx: (2 + random() * 30) / width, fy: (2 + random() * 30) / height, phase: random() * 6.3 }));
  const shapes = Array.from({ length: 10 }, () => ({ x: random() * width, y: random() * height, r: (0.05 + random() * 0.15) * width, shade: random() * 255 }));
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const shape = shapes.findLast((s) => Math.abs(x - s.x) < s.r && Math.abs(y - s.y) < s.r);
      for (let c = 0; c < 3; c++, i++) {
        const w = waves.slice(c * 4, c * 4 + 4).reduce((v, wave) => v + 20 * Math.sin(6.283 * (wave.fx * x + wave.fy * y) + wave.phase), 128);
        data[i] = Math.max(0, Math.min(255, Math.round((shape ? 0.6 * shape.shade + 0.4 * w : w) + (random() - 0.5) * 20)));
      }
    }
  }
  return data;
}

const measure = async (png: Buffer): Promise<ImageMetrics> => computeMetrics(await decodeImage(png));
const png = (pixels: Buffer, width: number, height: number, compressionLevel = 6) => sharp(pixels, { raw: { width, height, channels: 3 } }).png({ compressionLevel }).toBuffer();

describe('runChecks: duplicates', () => {
  const originals: Buffer[] = [];
  beforeAll(async () => {
    originals.push(await png(texture(400, 300, 1), 400, 300), await png(texture(400, 300, 2), 400, 300));
    const prompts = planPrompts(builtinScenarios().get('default')!, { count: 6, seed: 3 });
    const provider = createEmbeddedProvider();
    for (const prompt of [prompts[0]!, prompts[4]!]) originals.push((await provider.generate(prompt)).png);
  });

  const copies: Array<{ change: string; make: (png: Buffer) => Promise<Buffer>; flag: 'exact_duplicate' | 'near_duplicate' }> = [
    { change: 'the same pixels at another PNG compression level', make: (p) => sharp(p).png({ compressionLevel: 1 }).toBuffer(), flag: 'exact_duplicate' },
    { change: 'PNG → JPEG q85 → PNG', make: async (p) => sharp(await sharp(p).jpeg({ quality: 85 }).toBuffer()).png().toBuffer(), flag: 'near_duplicate' },
    { change: 're-encoded and 10 % larger', make: async (p) => sharp(await sharp(p).jpeg({ quality: 85 }).toBuffer()).resize({ width: Math.round((await sharp(p).metadata()).width * 1.1) }).png().toBuffer(), flag: 'near_duplicate' },
    { change: 're-encoded and 10 % smaller', make: async (p) => sharp(await sharp(p).jpeg({ quality: 85 }).toBuffer()).resize({ width: Math.round((await sharp(p).metadata()).width * 0.9) }).png().toBuffer(), flag: 'near_duplicate' },
    { change: '5 % brighter', make: (p) => sharp(p).linear(1.05, 0).png().toBuffer(), flag: 'near_duplicate' },
  ];

  it.each(copies)('$change → $flag of the original', async ({ make, flag }) => {
    for (const original of originals) {
      const copy = await make(original);
      expect(copy.equals(original)).toBe(false);
      const checks = runChecks([
        { id: 'original', metrics: await measure(original) },
        { id: 'copy', metrics: await measure(copy) },
      ]);
      expect(checks.get('original')).toEqual({ issues: [], duplicateOf: null });
      expect(checks.get('copy')).toEqual({ issues: [flag], duplicateOf: 'original' });
    }
  });

  it('never calls two different scenes near duplicates', async () => {
    const items = await Promise.all(originals.map(async (p, i) => ({ id: `scene ${i}`, metrics: await measure(p) })));
    for (const [id, check] of runChecks(items)) expect({ id, ...check }).toEqual({ id, issues: [], duplicateOf: null });
    for (let i = 0; i < items.length; i++) {
      for (let j = i + 1; j < items.length; j++) expect(hammingDistance(items[i]!.metrics.phash, items[j]!.metrics.phash)).toBeGreaterThan(DEFAULT_THRESHOLDS.nearDuplicateHamming);
    }
  });

  it('points every later copy at the first image of its group', async () => {
    const [a, b] = [await measure(originals[0]!), await measure(originals[1]!)];
    const checks = runChecks([
      { id: 'a', metrics: a },
      { id: 'b', metrics: b },
      { id: 'a again', metrics: a },
      { id: 'a nearly', metrics: { ...a, pixelHash: 'f'.repeat(16), phash: flipBits(a.phash, 3) } },
    ]);
    expect([...checks.entries()]).toEqual([
      ['a', { issues: [], duplicateOf: null }],
      ['b', { issues: [], duplicateOf: null }],
      ['a again', { issues: ['exact_duplicate'], duplicateOf: 'a' }],
      ['a nearly', { issues: ['near_duplicate'], duplicateOf: 'a' }],
    ]);
  });
});

function flipBits(hash: string, bits: number): string {
  const value = BigInt(`0x${hash}`) ^ ((1n << BigInt(bits)) - 1n);
  return value.toString(16).padStart(16, '0');
}

describe('runChecks: odd_size', () => {
  const item = (id: string, side: number, phash: string) => ({ id, metrics: { width: side, height: side, phash, pixelHash: id.padStart(16, '0') } });
  const hashes = Array.from({ length: 11 }, (_, i) => (BigInt(i + 1) * 0x9e3779b97f4a7c15n).toString(16).padStart(16, '0').slice(-16));

  it('flags only the tiny image in a run of equal sizes', () => {
    const items = [...Array.from({ length: 10 }, (_, i) => item(`same${i}`, 1024, hashes[i]!)), item('tiny', 32, hashes[10]!)];
    const flagged = [...runChecks(items, { ...DEFAULT_THRESHOLDS, nearDuplicateHamming: 0 })].filter(([, check]) => check.issues.includes('odd_size'));
    expect(flagged.map(([id]) => id)).toEqual(['tiny']);
  });

  it('does not flag an image only 10 % smaller than a run of equal sizes', () => {
    const items = [...Array.from({ length: 10 }, (_, i) => item(`same${i}`, 1024, hashes[i]!)), item('smaller', 922, hashes[10]!)];
    expect([...runChecks(items, { ...DEFAULT_THRESHOLDS, nearDuplicateHamming: 0 }).values()].every((check) => check.issues.length === 0)).toBe(true);
  });
});

describe('mergeThresholds', () => {
  it.each([
    { overrides: {}, expected: DEFAULT_THRESHOLDS },
    { overrides: { darkP99: 0.4, nearDuplicateHamming: 6 }, expected: { ...DEFAULT_THRESHOLDS, darkP99: 0.4, nearDuplicateHamming: 6 } },
  ])('applies $overrides', ({ overrides, expected }) => {
    expect(mergeThresholds(overrides)).toEqual(expected);
  });

  it.each([
    { overrides: { darkness: 0.3 }, error: /unknown quality threshold "darkness"/ },
    { overrides: { darkP99: 2 }, error: /darkP99/ },
    { overrides: { nearDuplicateHamming: 2.5 }, error: /nearDuplicateHamming/ },
    { overrides: { lightP5: 'high' }, error: /lightP5/ },
  ])('rejects $overrides', ({ overrides, error }) => {
    expect(() => mergeThresholds(overrides)).toThrow(error);
  });
});

describe('runReport', () => {
  const metricsWith = (phash: string) => ({ phash }) as ImageMetrics;

  it('counts issues and measures balance', () => {
    const report = runReport([
      { id: '1', category: 'a', variables: { time: 'day', weather: 'rain' }, metrics: metricsWith('0'.repeat(16)), issues: ['dark', 'blurry'] },
      { id: '2', category: 'b', variables: { time: 'night', weather: 'rain' }, metrics: metricsWith('f'.repeat(16)), issues: ['dark'] },
      { id: '3', category: 'a', variables: { time: 'day', weather: 'rain' }, metrics: null, issues: ['unreadable'] },
      { id: '4', category: 'b', variables: { time: 'night', weather: 'rain' }, metrics: metricsWith('0'.repeat(16)), issues: [] },
    ]);
    expect(report.images).toBe(4);
    expect(report.issueCounts).toMatchObject({ dark: 2, blurry: 1, unreadable: 1, light: 0, near_duplicate: 0 });
    expect(report.balance.categories).toEqual({ counts: { a: 2, b: 2 }, normalisedEntropy: 1 });
    expect(report.balance.axes).toEqual({ time: { counts: { day: 2, night: 2 }, normalisedEntropy: 1 }, weather: { counts: { rain: 4 }, normalisedEntropy: 1 } });
    expect(report.diversity.meanPairwiseHamming).toBeCloseTo((64 + 0 + 64) / 3, 4);
  });

  it.each([
    { values: ['a', 'a', 'b', 'b', 'c', 'c'], expected: 1 },
    { values: ['a', 'a', 'a', 'b'], expected: 0.8113 },
    { values: ['only'], expected: 1 },
    { values: [], expected: 1 },
  ])('normalised entropy of $values is $expected', ({ values, expected }) => {
    expect(balanceOf(values).normalisedEntropy).toBeCloseTo(expected, 4);
  });
});

describe('diversity', () => {
  /** Rows of a 64×64 Sylvester–Hadamard matrix as bits: every pair differs in exactly 32 bits. */
  const hadamard = (count: number) =>
    Array.from({ length: count }, (_, row) => {
      let value = 0n;
      for (let column = 0; column < 64; column++) value = (value << 1n) | BigInt(popcount(row & column) % 2);
      return value.toString(16).padStart(16, '0');
    });
  const popcount = (value: number) => value.toString(2).split('1').length - 1;

  it('scores n identical hashes 1 and a complementary pair 2', () => {
    expect(vendiScore(Array(12).fill('0123456789abcdef'))).toBeCloseTo(1, 9);
    expect(vendiScore(['0000000000000000', 'ffffffffffffffff'])).toBeCloseTo(2, 9);
    expect(vendiScore([])).toBe(0);
  });

  it('matches the closed form when every pair is 32 bits apart', () => {
    // K = (I + J)/2: eigenvalues of K/n are (n + 1)/2n once and 1/2n (n − 1) times.
    for (const n of [4, 16, 64]) {
      const hashes = hadamard(n);
      const [big, small] = [(n + 1) / (2 * n), 1 / (2 * n)];
      expect(vendiScore(hashes)).toBeCloseTo(Math.exp(-big * Math.log(big) - (n - 1) * small * Math.log(small)), 6);
      expect(meanPairwiseHamming(hashes)).toBe(32);
    }
  });

  it('agrees with the eigenvalues of the full n×n kernel', () => {
    const hashes = Array.from({ length: 25 }, (_, i) => (BigInt(i + 1) * 0x9e3779b97f4a7c15n).toString(16).padStart(16, '0').slice(-16));
    const n = hashes.length;
    const kernel = hashes.map((a) => hashes.map((b) => (1 - hammingDistance(a, b) / 64) / n));
    const entropy = symmetricEigenvalues(kernel).filter((lambda) => lambda > 1e-12).reduce((total, lambda) => total - lambda * Math.log(lambda), 0);
    expect(vendiScore(hashes)).toBeCloseTo(Math.exp(entropy), 9);
  });

  it('scores 500 images well within 2 s', () => {
    const hashes = Array.from({ length: 500 }, (_, i) => (BigInt(i + 7) * 0xbf58476d1ce4e5b9n).toString(16).padStart(16, '0').slice(-16));
    const started = performance.now();
    expect(vendiScore(hashes)).toBeGreaterThan(1);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
