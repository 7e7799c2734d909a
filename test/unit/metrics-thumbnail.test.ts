import { describe, expect, it } from 'vitest';
import { edgeStatistics, FLAT_BLOCK_STD, flatFraction, type Thumbnail } from '../../functions/core/quality/index.js';

/**
 * The thumbnail features against plain definitions, read pixel by pixel with every neighbour
 * fetched by its coordinates. The sums run in the same order, so the figures must be equal to
 * the last bit: a faster loop may change the time taken, never a metric.
 */
function referenceEdgeStatistics({ width, height, luma }: Thumbnail): { laplacianVariance: number; sharpness: number } {
  if (width < 3 || height < 3) return { laplacianVariance: 0, sharpness: 0 };
  const at = (x: number, y: number) => luma[y * width + x]!;
  let [sum, sumSq, gradientSq] = [0, 0, 0];
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const laplacian = at(x - 1, y) + at(x + 1, y) + at(x, y - 1) + at(x, y + 1) - 4 * at(x, y);
      sum += laplacian;
      sumSq += laplacian * laplacian;
      gradientSq += (at(x + 1, y) - at(x - 1, y)) ** 2 + (at(x, y + 1) - at(x, y - 1)) ** 2;
    }
  }
  const count = (width - 2) * (height - 2);
  const variance = Math.max(0, sumSq / count - (sum / count) ** 2);
  const meanGradientSq = gradientSq / (4 * count);
  return { laplacianVariance: variance, sharpness: meanGradientSq > 1e-6 ? variance / meanGradientSq : 0 };
}

function referenceFlatFraction({ width, height, luma }: Thumbnail): number {
  const [columns, rows] = [Math.floor(width / 8), Math.floor(height / 8)];
  if (columns === 0 || rows === 0) return 0;
  let flat = 0;
  for (let by = 0; by < rows; by++) {
    for (let bx = 0; bx < columns; bx++) {
      const values: number[] = [];
      for (let y = 8 * by; y < 8 * by + 8; y++) for (let x = 8 * bx; x < 8 * bx + 8; x++) values.push(luma[y * width + x]!);
      const [sum, sumSq] = values.reduce(([s, q], v) => [s + v, q + v * v], [0, 0]);
      if (sumSq / 64 - (sum / 64) ** 2 < FLAT_BLOCK_STD ** 2) flat++;
    }
  }
  return flat / (columns * rows);
}

function thumbnail(width: number, height: number, value: (x: number, y: number) => number): Thumbnail {
  const luma = new Float64Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) luma[y * width + x] = value(x, y);
  return { width, height, luma };
}

let state = 7;
const noise = () => ((state = (Math.imul(state, 1103515245) + 12345) | 0) >>> 8) / 65_536;

const CASES: Array<[string, Thumbnail]> = [
  ['noise, 256×256', thumbnail(256, 256, () => noise())],
  ['a soft gradient with faint noise, 256×179', thumbnail(256, 179, (x, y) => 40 + x / 3 + y / 5 + noise() / 200)],
  ['flat except one busy corner, 85×256', thumbnail(85, 256, (x, y) => (x < 20 && y < 40 ? noise() : 128.25))],
  // Block by block, ramps from just under the flat line (standard deviation 2) to just over it.
  ['ramps either side of the flat line, 128×64', thumbnail(128, 64, (x, y) => 50 + x * (0.75 + 0.25 * ((Math.floor(x / 8) + 16 * Math.floor(y / 8)) / 128)))],
  ['a flat grey, 256×256', thumbnail(256, 256, () => 17.25)],
  ['stripes a pixel wide, 31×9', thumbnail(31, 9, (x) => (x % 2) * 255)],
  ['too small for a block, 7×3', thumbnail(7, 3, (x, y) => x * y)],
  ['too small for a Laplacian, 2×40', thumbnail(2, 40, (_, y) => y)],
];

describe('thumbnail features', () => {
  it.each(CASES)('edge statistics equal the plain definition: %s', (_, image) => {
    expect(edgeStatistics(image)).toEqual(referenceEdgeStatistics(image));
  });

  it.each(CASES)('the flat fraction equals the plain definition: %s', (_, image) => {
    expect(flatFraction(image)).toBe(referenceFlatFraction(image));
  });
});
