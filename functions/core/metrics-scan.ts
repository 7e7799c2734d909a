/**
 * The one full-resolution pass of the metrics. A tight loop run-length encodes each row
 * segment, then every statistic is taken once per run of identical pixels. Rendered and
 * flat images repeat pixels a lot, so runs are far fewer than pixels.
 */
import type { RawImage } from './metrics.js';
import { runsOfBytes, runsOfWords } from './metrics-runs.js';
import { foldRow, thumbnailGrid, type ThumbnailGrid } from './metrics-thumbnail.js';

/** JPEG chroma subsampling leaves grey pixels a few levels apart; 8 of 255 is invisible. */
export const NEUTRAL_TOLERANCE = 8;
const BRIGHTNESS_BINS = 1024;
/** Rows are scanned in segments this long, so per-segment int32 sums cannot overflow (the largest term, yb², gives 510² · 8192 < 2³¹). */
const SEGMENT = 8192;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const squares = (weight: number) => Int32Array.from({ length: 256 }, (_, v) => Math.round(weight * v * v));
const [RED_SQ, GREEN_SQ, BLUE_SQ] = [squares(0.241), squares(0.691), squares(0.068)];
/** Bin of each rounded .241R² + .691G² + .068B² (≤ 65025), so the hot loop takes no square root. */
const PERCEIVED_BIN = Uint16Array.from({ length: 65_027 }, (_, q) => Math.min(BRIGHTNESS_BINS - 1, Math.floor((Math.sqrt(q) / 255) * BRIGHTNESS_BINS)));

/** Order of the sums in `PixelStatistics.totals`. */
const TOTALS = ['sum', 'sumSq', 'rg', 'rg2', 'yb', 'yb2', 'chroma', 'coloured'] as const;
export type PixelTotals = Record<(typeof TOTALS)[number], number>;

export function scanPixels(image: RawImage, colourChannels: number): PixelStatistics {
  const { data, width, height, channels: stride } = image;
  const stats = PixelStatistics.forSize(width, height);
  const { runs } = stats;
  const aligned = LITTLE_ENDIAN && stride === 4 && colourChannels >= 3 && data.byteOffset % 4 === 0;
  const words = aligned ? new Uint32Array(data.buffer, data.byteOffset, width * height) : null;
  const green = colourChannels >= 3 ? 1 : 0; // grey reads its one channel as R, G and B
  const blue = colourChannels >= 3 ? 2 : 0;
  const { rowOf } = stats.grid;
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const rowBytes = width * stride;
  let count = 0;
  for (let y = 0; y < height; y++) {
    // A row equal to the one above (skies, borders, flat renders) has the same runs, and memcmp is far cheaper than
    // encoding it. Most other rows already differ in their first or middle byte, which is cheaper still than the call.
    const start = y * rowBytes;
    const middle = start + (rowBytes >> 1);
    const repeated =
      y > 0 &&
      width <= SEGMENT &&
      data[start] === data[start - rowBytes] &&
      data[middle] === data[middle - rowBytes] &&
      bytes.compare(bytes, start - rowBytes, start, start, start + rowBytes) === 0;
    for (let x = 0; x < width; x += SEGMENT) {
      const pixel = y * width + x;
      const length = Math.min(SEGMENT, width - x);
      if (!repeated) count = words ? runsOfWords(words, pixel, length, runs) : runsOfBytes(data, pixel * stride, length, stride, green, blue, runs);
      stats.addRuns(runs, count, x);
    }
    if (y === height - 1 || rowOf[y + 1] !== rowOf[y]) foldRow(stats.grid, rowOf[y]);
  }
  return stats;
}

let lastStatistics: PixelStatistics | undefined;

/**
 * Everything the scan accumulates. The instance for the last image size is reset and reused:
 * the images of a run share a size, and allocating these typed arrays and the 512 KiB
 * thumbnail for every image cost more, in garbage collection, than the box filter itself.
 * So results are valid until the next scan; the metrics read them at once.
 */
export class PixelStatistics {
  readonly grid: ThumbnailGrid;
  readonly runs: Int32Array;
  /** Image-wide sums, in TOTALS order: a typed array, as a field changing from small integer to double would deoptimise the hot loop. */
  private readonly totals = new Float64Array(TOTALS.length);
  private readonly hashes = new Int32Array(2);
  readonly lumaHistogram = new Int32Array(256);
  readonly brightnessHistogram = new Int32Array(BRIGHTNESS_BINS);

  private constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.grid = thumbnailGrid(width, height);
    this.runs = new Int32Array(Math.min(width, SEGMENT));
  }

  static forSize(width: number, height: number): PixelStatistics {
    if (lastStatistics?.width !== width || lastStatistics.height !== height) lastStatistics = new PixelStatistics(width, height);
    return lastStatistics.reset();
  }

  private reset(): this {
    for (const array of [this.totals, this.lumaHistogram, this.brightnessHistogram, this.grid.partial, this.grid.between]) array.fill(0);
    this.hashes[0] = Math.imul(0x9747b28c ^ this.width, 0x85ebca6b);
    this.hashes[1] = Math.imul(0x1b873593 ^ this.height, 0xc2b2ae35);
    return this;
  }

  sums(): PixelTotals {
    return Object.fromEntries(TOTALS.map((name, i) => [name, this.totals[i]])) as PixelTotals;
  }

  /** The two 32-bit halves of the pixel hash, through MurmurHash3's finaliser so every input bit reaches every output bit. */
  pixelHashWords(pixels: number, width: number): [number, number] {
    return [finalMix(this.hashes[0]! ^ pixels), finalMix(this.hashes[1]! ^ width)];
  }

  /**
   * The hot loop: adds one segment's runs (`rgb | length << 24`), the first starting at
   * column `x`, to the statistics and to the thumbnail row being gathered. Max and min are
   * branch-free: on photos they are unpredictable. Products go through Math.imul, which spares
   * V8's overflow checks; SEGMENT keeps every sum within 32 bits.
   */
  addRuns(runs: Int32Array, count: number, x: number): void {
    const { lumaHistogram, brightnessHistogram, totals, hashes } = this;
    const { cellOf, cellStart, partial, between } = this.grid;
    let sum = 0, sumSq = 0, rg = 0, rg2 = 0, yb = 0, yb2 = 0, chroma = 0, coloured = 0;
    let [hash1, hash2] = hashes;
    // The thumbnail cell the run starts in, where it ends, and the luma gathered for it so far.
    let cell = cellOf[x];
    let cellEnd = cellStart[cell + 1];
    let pending = 0;
    for (let j = 0; j < count; j++) {
      const run = runs[j];
      const n = run >>> 24;
      const r = run & 255;
      const g = (run >> 8) & 255;
      const b = (run >> 16) & 255;
      const redGreen = r - g;
      const yellowBlue = r + g - 2 * b; // twice Hasler–Süsstrunk's yb, to stay integral
      const lowerRg = redGreen & (redGreen >> 31);
      const high = r - lowerRg;
      const low = g + lowerRg;
      const spread = high - ((high - b) & ((high - b) >> 31)) - (b + ((low - b) & ((low - b) >> 31))); // max − min
      sum = (sum + Math.imul(n, r + g + b)) | 0;
      sumSq = (sumSq + Math.imul(n, r * r + g * g + b * b)) | 0;
      rg = (rg + Math.imul(n, redGreen)) | 0;
      rg2 = (rg2 + Math.imul(n, Math.imul(redGreen, redGreen))) | 0;
      yb = (yb + Math.imul(n, yellowBlue)) | 0;
      yb2 = (yb2 + Math.imul(n, Math.imul(yellowBlue, yellowBlue))) | 0;
      chroma = (chroma + Math.imul(n, spread)) | 0;
      coloured = (coloured + (n & ((NEUTRAL_TOLERANCE - spread) >> 31))) | 0;
      const luma = (19595 * r + 38470 * g + 7471 * b + 32768) >>> 16; // BT.601, as PIL's convert('L') in CleanVision
      lumaHistogram[luma] += n;
      brightnessHistogram[PERCEIVED_BIN[RED_SQ[r] + GREEN_SQ[g] + BLUE_SQ[b]]] += n;
      hash1 = Math.imul(hash1 ^ run, 0x85ebca6b);
      hash1 ^= hash1 >>> 15;
      hash2 = Math.imul(hash2 ^ run, 0xc2b2ae35);
      hash2 ^= hash2 >>> 13;
      // Box filter: runs inside one cell add up in a register; a run leaving it writes the cell once.
      const end = x + n;
      if (end < cellEnd) pending += luma * n;
      else {
        partial[cell] += pending + luma * (cellEnd - x);
        const last = cellOf[end];
        if (last > cell + 1) {
          between[cell + 1] += luma; // whole cells in between
          between[last] -= luma;
        }
        cell = last;
        pending = luma * (end - cellStart[last]);
        cellEnd = cellStart[last + 1];
      }
      x = end;
    }
    partial[cell] += pending;
    totals[0] += sum;
    totals[1] += sumSq;
    totals[2] += rg;
    totals[3] += rg2;
    totals[4] += yb;
    totals[5] += yb2;
    totals[6] += chroma;
    totals[7] += coloured;
    hashes[0] = hash1;
    hashes[1] = hash2;
  }
}

function finalMix(value: number): number {
  let h = Math.imul(value ^ (value >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
