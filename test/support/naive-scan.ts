/**
 * A deliberately plain, pixel-at-a-time version of what the scan kernel accumulates, to check
 * the kernel against: no runs, no SIMD, the thumbnail averaged cell by cell.
 */
import type { RawImage } from '../../functions/core/quality/index.js';
import { thumbnailGrid } from '../../functions/core/quality/index.js';

export interface NaiveScan {
  totals: number[];
  lumaHistogram: number[];
  brightnessHistogram: number[];
  /** The two hash chains, eight lanes each. */
  hashes: number[];
  thumbnail: number[];
  /** The colour thumbnail before rounding: each cell's exact mean red, green and blue, interleaved. */
  colour: number[];
}

export function naiveScan({ data, width, height, channels, hasAlpha }: RawImage): NaiveScan {
  const grey = channels - (hasAlpha && channels > 1 ? 1 : 0) < 3;
  const rgbAt = (pixel: number) => (grey ? [0, 0, 0] : [0, 1, 2]).map((c) => data[pixel * channels + c]!) as [number, number, number];
  const totals = new Array<number>(8).fill(0);
  const lumaHistogram = new Array<number>(256).fill(0);
  const brightnessHistogram = new Array<number>(1024).fill(0);
  const lumaOf = new Float64Array(width * height);
  const channelOf = [0, 1, 2].map(() => new Float64Array(width * height));
  for (let pixel = 0; pixel < width * height; pixel++) {
    const [r, g, b] = rgbAt(pixel);
    const spread = Math.max(r, g, b) - Math.min(r, g, b);
    const terms = [r + g + b, r * r + g * g + b * b, r - g, (r - g) ** 2, r + g - 2 * b, (r + g - 2 * b) ** 2, spread, spread > 8 ? 1 : 0];
    terms.forEach((term, i) => (totals[i]! += term));
    const luma = (19595 * r + 38470 * g + 7471 * b + 32768) >>> 16;
    lumaHistogram[luma]! += 1;
    lumaOf[pixel] = luma;
    channelOf.forEach((plane, c) => (plane[pixel] = [r, g, b][c]!));
    brightnessHistogram[brightnessBin(r, g, b)]! += 1;
  }
  return { totals, lumaHistogram, brightnessHistogram, hashes: pixelHash(width, height, rgbAt), thumbnail: boxAverage(lumaOf, width, height), colour: interleave(channelOf.map((plane) => boxAverage(plane, width, height))) };
}

const interleave = (planes: number[][]): number[] => planes[0]!.flatMap((_, i) => planes.map((plane) => plane[i]!));

/** floor(sqrt(.241R² + .691G² + .068B²) · 1024 / 255), every step in single precision as the kernel does it. */
function brightnessBin(r: number, g: number, b: number): number {
  const f = Math.fround;
  const perceived = f(f(f(r * r * f(0.241)) + f(g * g * f(0.691))) + f(b * b * f(0.068)));
  return Math.min(1023, Math.trunc(f(f(Math.sqrt(perceived)) * f(1024 / 255))));
}

/** Two hash chains over every pixel as `r | g << 8 | b << 16`, in raster order, the pixel in column x in lane x mod 8. */
function pixelHash(width: number, height: number, rgbAt: (pixel: number) => number[]): number[] {
  const first = Math.imul(0x9747b28c ^ width, 0x85ebca6b);
  const second = Math.imul(0x1b873593 ^ height, 0xc2b2ae35);
  const chain1 = [0, 1, 2, 3, 4, 5, 6, 7].map((lane) => first ^ lane);
  const chain2 = [0, 1, 2, 3, 4, 5, 6, 7].map((lane) => second ^ lane);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = rgbAt(y * width + x);
      const word = r! | (g! << 8) | (b! << 16);
      const lane = x % 8;
      const next1 = Math.imul(chain1[lane]! ^ word, 0x85ebca6b);
      chain1[lane] = next1 ^ (next1 >>> 15);
      const next2 = Math.imul(chain2[lane]! ^ word, 0xc2b2ae35);
      chain2[lane] = next2 ^ (next2 >>> 13);
    }
  }
  return [...chain1, ...chain2];
}

function boxAverage(luma: Float64Array, width: number, height: number): number[] {
  const grid = thumbnailGrid(width, height);
  const sums = new Float64Array(grid.width * grid.height);
  const areas = new Float64Array(grid.width * grid.height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const cell = grid.rowOf[y]! * grid.width + grid.cellOf[x]!;
      sums[cell]! += luma[y * width + x]!;
      areas[cell]! += 1;
    }
  }
  return Array.from(sums, (sum, cell) => sum / areas[cell]!);
}
