import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RawImage } from '../../functions/core/quality/index.js';
import { scanPixels } from '../../functions/core/quality/index.js';
import { SCAN_KERNEL_WASM_BASE64 } from '../../functions/core/quality/metrics-scan.wasm.js';
import { compileScanKernel, KERNEL_MODULE, kernelModuleText } from '../../scripts/ops/scan-kernel.js';
import { naiveScan } from '../support/naive-scan.js';

/**
 * Runs of every length from 1 to 300, so run ends land on every lane of a SIMD block and runs
 * pass the 255 cap, mixed with stretches of noise where every pixel is a run of its own.
 */
function runsOfAllLengths(width: number, height: number, channels: number, seed: number): Uint8Array {
  const data = new Uint8Array(width * height * channels);
  let state = seed;
  const next = () => ((state = (Math.imul(state, 1103515245) + 12345) | 0) >>> 16) & 0xffff;
  const colour = () => Array.from({ length: channels }, (_, c) => (c === 3 ? 128 + (next() % 2) * 127 : next() % 256)); // alpha changes too, and must not end a run
  for (let pixel = 0; pixel < width * height; ) {
    const kind = next() % 3;
    const length = kind === 0 ? 1 + (next() % 300) : kind === 1 ? 1 + (next() % 6) : 1 + (next() % 100);
    const runColour = colour();
    for (const end = Math.min(width * height, pixel + length); pixel < end; pixel++) data.set(kind === 2 ? colour() : runColour, pixel * channels);
  }
  return data;
}

const layouts: Array<{ name: string; channels: number; hasAlpha?: boolean }> = [
  { name: 'RGBA', channels: 4, hasAlpha: true },
  { name: 'RGB', channels: 3 },
  { name: 'grey', channels: 1 },
  { name: 'grey + alpha', channels: 2, hasAlpha: true },
  { name: 'four colour channels', channels: 4 },
  { name: 'CMYK + alpha', channels: 5, hasAlpha: true },
];
const sizes: Array<[number, number]> = [[1, 1], [15, 2], [16, 3], [17, 33], [300, 1], [1, 300], [511, 37], [8193, 2]];

describe('scan kernel', () => {
  it('is embedded exactly as metrics-scan.as.ts compiles (run `npm run build:kernel` after changing it)', async () => {
    const binary = await compileScanKernel();
    expect(Buffer.from(SCAN_KERNEL_WASM_BASE64, 'base64').equals(Buffer.from(binary))).toBe(true);
    expect(readFileSync(KERNEL_MODULE, 'utf8')).toBe(kernelModuleText(binary));
  });

  const cases = layouts.flatMap((layout) => sizes.map(([width, height]) => ({ ...layout, width, height })));
  it.each(cases)('matches a pixel-at-a-time scan: $name $width×$height', ({ channels, hasAlpha, width, height }) => {
    const image: RawImage = { data: runsOfAllLengths(width, height, channels, width * 31 + height), width, height, channels, hasAlpha };
    const expected = naiveScan(image);
    const scan = scanPixels(image, channels - (hasAlpha ? 1 : 0), true);
    expect(Object.values(scan.sums())).toEqual(expected.totals);
    expect([...scan.lumaHistogram]).toEqual(expected.lumaHistogram);
    expect([...scan.brightnessHistogram]).toEqual(expected.brightnessHistogram);
    expect([...scan.hashes]).toEqual(expected.hashes);
    const thumbnail = [...scan.thumbnail.luma];
    expect(thumbnail).toHaveLength(expected.thumbnail.length);
    thumbnail.forEach((luma, i) => expect(luma).toBeCloseTo(expected.thumbnail[i]!, 9));
    // The colour thumbnail: every byte is its cell's exact mean, rounded.
    expect(scan.colour).toHaveLength(expected.colour.length);
    const offByMore = [...scan.colour].flatMap((byte, i) => (Math.abs(byte - expected.colour[i]!) <= 0.5 + 1e-9 ? [] : [{ i, byte, mean: expected.colour[i] }]));
    expect(offByMore).toEqual([]);
  });

  it('takes the same statistics with or without the colour thumbnail', () => {
    const image: RawImage = { data: runsOfAllLengths(511, 37, 4, 5), width: 511, height: 37, channels: 4, hasAlpha: true };
    const without = scanPixels(image, 3, false);
    const plain = { sums: without.sums(), luma: [...without.thumbnail.luma], hashes: [...without.hashes] };
    const withColour = scanPixels(image, 3, true);
    expect({ sums: withColour.sums(), luma: [...withColour.thumbnail.luma], hashes: [...withColour.hashes] }).toEqual(plain);
  });
});
