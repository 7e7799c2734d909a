import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedProvider } from '../../functions/adapters/embedded/embedded-provider.js';
import { decodeImage } from '../../functions/adapters/image-decoder.js';
import { computeMetrics, METRIC_COLUMNS, type RawImage } from '../../functions/core/quality/index.js';
import { planPrompts } from '../../functions/core/scenario/index.js';
import { DEFAULT_THRESHOLDS, imageIssues } from '../../functions/core/quality/index.js';
import { builtinScenarios } from '../../functions/scenarios/index.js';

const [W, H] = [480, 360];

/** A synthetic photo stand-in: sums of sines per channel, seeded noise and a dozen flat shapes. */
function texture(width: number, height: number, seed: number): Buffer {
  let state = seed;
  const random = () => ((state = (Math.imul(state, 1103515245) + 12345) | 0) >>> 8) / 16_777_216;
  const waves = [0, 1, 2].map(() => Array.from({ length: 4 }, () => ({ fx: (2 + random() * 40) / width, fy: (2 + random() * 40) / height, phase: random() * 6.3, amp: 20 + random() * 30 })));
  const shapes = Array.from({ length: 12 }, () => ({ x: random() * width, y: random() * height, r: (0.03 + random() * 0.12) * width, colour: [random(), random(), random()].map((v) => v * 255) }));
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const shape = shapes.findLast((s) => Math.abs(x - s.x) < s.r && Math.abs(y - s.y) < s.r);
      for (let c = 0; c < 3; c++, i++) {
        const wave = waves[c]!.reduce((v, w) => v + (w.amp * Math.sin(6.283 * (w.fx * x + w.fy * y) + w.phase)) / 2, 128);
        data[i] = Math.max(0, Math.min(255, Math.round((shape ? 0.7 * shape.colour[c]! + 0.3 * wave : wave) + (random() - 0.5) * 24)));
      }
    }
  }
  return data;
}

const pngOf = (pixels: Buffer, width = W, height = H, channels: 1 | 3 = 3) => sharp(pixels, { raw: { width, height, channels } }).png().toBuffer();
const measure = async (png: Buffer) => computeMetrics(await decodeImage(png));

/** R = G = B from BT.601 luma, kept as a three-channel image: the case CleanVision misses. */
function equalChannels(pixels: Buffer): Buffer {
  const out = Buffer.alloc(pixels.length);
  for (let i = 0; i < pixels.length; i += 3) out.fill(Math.round(0.299 * pixels[i]! + 0.587 * pixels[i + 1]! + 0.114 * pixels[i + 2]!), i, i + 3);
  return out;
}

describe('computeMetrics', () => {
  it('keeps the workshop metrics exact on a solid colour', () => {
    const data = Buffer.alloc(64 * 32 * 3);
    for (let i = 0; i < data.length; i += 3) data.set([200, 100, 0], i);
    expect(computeMetrics({ data, width: 64, height: 32, channels: 3 })).toMatchObject({
      width: 64,
      height: 32,
      resolutionScore: 0.001,
      brightness: 100,
      colourVariance: 81.6497,
      entropy: 0,
      contrast: 0,
      sharpness: 0,
      colourfulness: 54.0833, // 0.3 · sqrt(100² + 150²): no spread, only the mean opponent colours
      chroma: 0.7843,
      colouredFraction: 1,
      aspectRatio: 0.5,
    });
  });

  it('lists every numeric metric as a column, in a stable order', () => {
    const metrics = computeMetrics({ data: texture(64, 48, 1), width: 64, height: 48, channels: 3 });
    expect(METRIC_COLUMNS.slice(0, 5)).toEqual(['width', 'height', 'resolutionScore', 'colourVariance', 'brightness']);
    expect(Object.keys(metrics).filter((key) => typeof metrics[key as keyof typeof metrics] === 'number').sort()).toEqual([...METRIC_COLUMNS].sort());
    expect(metrics.phash).toMatch(/^[0-9a-f]{16}$/);
    expect(metrics.pixelHash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('gives the same answer for grey, RGB, RGBA and unaligned layouts of the same pixels', () => {
    const [width, height] = [70, 50];
    const rgb = equalChannels(texture(width, height, 3));
    const grey = Buffer.alloc(width * height);
    const rgba = Buffer.alloc(width * height * 4);
    for (let p = 0; p < width * height; p++) {
      grey[p] = rgb[p * 3]!;
      rgba.set([rgb[p * 3]!, rgb[p * 3 + 1]!, rgb[p * 3 + 2]!, p % 7 === 0 ? 10 : 255], p * 4);
    }
    const unaligned = new Uint8Array(rgba.length + 1).fill(0);
    unaligned.set(rgba, 1);
    const layouts: RawImage[] = [
      { data: grey, width, height, channels: 1 },
      { data: rgba, width, height, channels: 4, hasAlpha: true },
      { data: unaligned.subarray(1), width, height, channels: 4, hasAlpha: true },
    ];
    const expected = computeMetrics({ data: rgb, width, height, channels: 3 });
    for (const layout of layouts) expect(computeMetrics(layout)).toEqual(expected);
  });

  it('takes the moments over every sample in rows wider than one run segment', () => {
    const [width, height] = [9000, 2];
    const data = Buffer.alloc(width * height * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 251;
    let [sum, sumSq] = [0, 0];
    for (const value of data) [sum, sumSq] = [sum + value, sumSq + value * value];
    const mean = sum / data.length;
    const metrics = computeMetrics({ data, width, height, channels: 3 });
    expect(metrics.brightness).toBeCloseTo(mean, 3);
    expect(metrics.colourVariance).toBeCloseTo(Math.sqrt(sumSq / data.length - mean * mean), 3);
  });

  it('measures sharpness at a normalised resolution, whatever the image size', async () => {
    const large = texture(1024, 768, 5);
    const small = await sharp(large, { raw: { width: 1024, height: 768, channels: 3 } }).resize(512, 384, { kernel: 'cubic' }).raw().toBuffer();
    const [a, b] = [computeMetrics({ data: large, width: 1024, height: 768, channels: 3 }), computeMetrics({ data: small, width: 512, height: 384, channels: 3 })];
    expect(b.sharpness / a.sharpness).toBeGreaterThan(0.75);
    expect(b.sharpness / a.sharpness).toBeLessThan(1.33);
  });

  it('carries nothing from one image to the next, though it reuses its working arrays', () => {
    const image = (seed: number, width = 96, height = 64): RawImage => ({ data: texture(width, height, seed), width, height, channels: 3 });
    const first = computeMetrics(image(1));
    const others = [image(2), image(3, 64, 96), image(4, 9000, 3), image(5)].map(computeMetrics);
    expect(computeMetrics(image(1))).toEqual(first);
    expect(new Set(others.map((metrics) => metrics.pixelHash)).size).toBe(others.length);
  });

  it('rejects an image without pixels', () => {
    expect(() => computeMetrics({ data: new Uint8Array(0), width: 0, height: 0, channels: 3 })).toThrow(/no pixels/);
  });
});

describe('imageIssues on real defects', () => {
  const originals: Record<string, Buffer> = {};
  beforeAll(async () => {
    for (const seed of [11, 22, 33]) originals[`texture ${seed}`] = await pngOf(texture(W, H, seed));
    const prompt = planPrompts(builtinScenarios().get('default')!, { count: 2, seed: 1 })[1]!;
    originals['embedded scene'] = (await createEmbeddedProvider().generate(prompt)).png;
  });

  it('flags nothing on clean originals', async () => {
    for (const [name, png] of Object.entries(originals)) expect({ name, issues: imageIssues(await measure(png)) }).toEqual({ name, issues: [] });
  });

  const variants: Array<{ defect: string; make: (png: Buffer) => Promise<Buffer>; flag: string; without?: string }> = [
    { defect: 'darkened', make: (png) => sharp(png).linear(0.25, 0).png().toBuffer(), flag: 'dark', without: 'blurry' },
    { defect: 'washed out', make: (png) => sharp(png).linear(0.05, 245).png().toBuffer(), flag: 'light' },
    { defect: 'blurred', make: (png) => sharp(png).blur(5).png().toBuffer(), flag: 'blurry', without: 'low_information' },
    { defect: 'desaturated to R = G = B', make: async (png) => pngOf(equalChannels(await sharp(png).removeAlpha().raw().toBuffer()), ...(await size(png)), 3), flag: 'grayscale' },
    { defect: 'flattened', make: (png) => sharp(png).linear(0.02, 125).png().toBuffer(), flag: 'low_information', without: 'blurry' },
    { defect: 'cropped to a strip', make: async (png) => sharp(png).extract({ left: 0, top: 0, width: (await size(png))[0], height: 60 }).png().toBuffer(), flag: 'odd_aspect_ratio' },
  ];
  const size = async (png: Buffer): Promise<[number, number]> => {
    const { width, height } = await sharp(png).metadata();
    return [width, height];
  };

  it.each(variants)('$defect → $flag', async ({ make, flag, without }) => {
    for (const png of Object.values(originals)) {
      const issues = imageIssues(await measure(await make(png)));
      expect(issues).toContain(flag);
      if (without) expect(issues).not.toContain(without);
    }
  });

  it('calls a flat field with sensor noise low_information, not blurry, though its entropy is not low', () => {
    let state = 4;
    const data = Buffer.alloc(W * H * 3);
    for (let i = 0; i < data.length; i++) data[i] = 126 + ((state = (Math.imul(state, 1103515245) + 12345) | 0) >>> 29);
    const metrics = computeMetrics({ data, width: W, height: H, channels: 3 });
    expect(metrics.entropy).toBeGreaterThan(DEFAULT_THRESHOLDS.lowInformationEntropy);
    expect(imageIssues(metrics)).toContain('low_information');
    expect(imageIssues(metrics)).not.toContain('blurry');
  });

  it('calls an image that is mostly flat haze low_information, though a busy corner keeps its entropy up', () => {
    let state = 9;
    const data = Buffer.alloc(W * H * 3);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const busy = x < W / 2 && y < H / 3;
        const value = busy ? (state = (Math.imul(state, 1103515245) + 12345) | 0) >>> 24 : 180 + Math.round((8 * y) / H);
        data.fill(value, (y * W + x) * 3, (y * W + x) * 3 + 3);
      }
    }
    const metrics = computeMetrics({ data, width: W, height: H, channels: 3 });
    expect(metrics.entropy).toBeGreaterThan(DEFAULT_THRESHOLDS.lowInformationEntropy);
    expect(metrics.contrast).toBeGreaterThan(DEFAULT_THRESHOLDS.lowInformationContrast);
    expect(metrics.flatFraction).toBeGreaterThan(DEFAULT_THRESHOLDS.lowInformationFlatFraction);
    expect(imageIssues(metrics)).toContain('low_information');
    expect(imageIssues(metrics, { ...DEFAULT_THRESHOLDS, lowInformationFlatFraction: 1 })).not.toContain('low_information');
  });

  it('reads the thresholds it is given', async () => {
    const metrics = await measure(originals['texture 11']!);
    expect(imageIssues(metrics, { ...DEFAULT_THRESHOLDS, darkP99: 0.99 })).toEqual(['dark']);
  });
});

describe('decodeImage', () => {
  it('rejects a truncated PNG, so callers can record it as unreadable', async () => {
    const png = await pngOf(texture(64, 48, 9), 64, 48);
    await expect(decodeImage(png.subarray(0, Math.floor(png.length / 2)))).rejects.toThrow();
  });

  it('keeps alpha in the buffer and flags it rather than stripping it', async () => {
    const png = await sharp({ create: { width: 8, height: 4, channels: 4, background: { r: 10, g: 20, b: 30, alpha: 0.5 } } }).png().toBuffer();
    const image = await decodeImage(png);
    expect(image).toMatchObject({ width: 8, height: 4, channels: 4, hasAlpha: true });
    expect(computeMetrics(image).brightness).toBe(20);
  });
});
