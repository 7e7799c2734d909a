import { describe, expect, it } from 'vitest';
import type { RawImage } from '../../functions/core/quality/index.js';
import { scanPixels } from '../../functions/core/quality/index.js';
import { naiveScan } from '../support/naive-scan.js';

/**
 * Photograph-like pixels: mostly every pixel a run of its own, with a few runs of two or three,
 * so each segment takes the kernel's per-pixel path. `flat` rows in between are single runs and
 * take the run-length path, so one thumbnail row mixes both.
 */
function noise(width: number, height: number, channels: number, seed: number, flatEvery = 0): Uint8Array {
  const data = new Uint8Array(width * height * channels);
  let state = seed;
  const next = () => ((state = (Math.imul(state, 1103515245) + 12345) | 0) >>> 16) & 0xffff;
  for (let y = 0; y < height; y++) {
    const flat = flatEvery > 0 && y % flatEvery === 0 ? Array.from({ length: channels }, () => next() % 256) : null;
    for (let x = 0; x < width; ) {
      const colour = flat ?? Array.from({ length: channels }, () => next() % 256);
      const length = flat ? width : next() % 8 === 0 ? 2 + (next() % 2) : 1;
      for (const end = Math.min(width, x + length); x < end; x++) data.set(colour, (y * width + x) * channels);
    }
  }
  return data;
}

const layouts: Array<{ name: string; channels: number; hasAlpha?: boolean }> = [
  { name: 'RGBA', channels: 4, hasAlpha: true },
  { name: 'RGB', channels: 3 },
  { name: 'grey', channels: 1 },
  { name: 'grey + alpha', channels: 2, hasAlpha: true }, // no SIMD layout: the run path, and the hash a pixel at a time
];
// Widths off the four-pixel group and the 16-pixel block, one past a segment, a thumbnail smaller than the image,
// and 1024 wide, where every thumbnail cell is four columns (the vector fold).
const sizes: Array<[number, number]> = [[1, 1], [3, 5], [17, 33], [301, 7], [8193, 2], [520, 300], [1024, 9]];

describe('scan kernel, both paths', () => {
  const cases = layouts.flatMap((layout) => sizes.flatMap(([width, height]) => [0, 3].map((flatEvery) => ({ ...layout, width, height, flatEvery }))));
  it.each(cases)('matches a pixel-at-a-time scan: $name $width×$height, flat rows every $flatEvery', ({ channels, hasAlpha, width, height, flatEvery }) => {
    const image: RawImage = { data: noise(width, height, channels, width * 7 + height, flatEvery), width, height, channels, hasAlpha };
    const expected = naiveScan(image);
    const scan = scanPixels(image, channels - (hasAlpha ? 1 : 0), true);
    expect(Object.values(scan.sums())).toEqual(expected.totals);
    expect([...scan.lumaHistogram]).toEqual(expected.lumaHistogram);
    expect([...scan.brightnessHistogram]).toEqual(expected.brightnessHistogram);
    expect([...scan.hashes]).toEqual(expected.hashes);
    const thumbnail = [...scan.thumbnail.luma];
    expect(thumbnail).toHaveLength(expected.thumbnail.length);
    expect(thumbnail.flatMap((luma, i) => (Math.abs(luma - expected.thumbnail[i]!) < 5e-10 ? [] : [{ i, luma, mean: expected.thumbnail[i] }]))).toEqual([]);
    const offByMore = [...scan.colour].flatMap((byte, i) => (Math.abs(byte - expected.colour[i]!) <= 0.5 + 1e-9 ? [] : [{ i, byte, mean: expected.colour[i] }]));
    expect(offByMore).toEqual([]);
  });
});
