/**
 * Image quality metrics computed from one decoded pixel buffer. Pure: no decoding here,
 * so the storage function, the CLI and the export share this code path.
 *
 * Cost: one pass over the full-resolution pixels, grouped into runs of identical pixels
 * (rendered and flat images repeat pixels a lot), which also box-downsamples a luma
 * thumbnail; sharpness and the perceptual hash only read the thumbnail.
 */
import { runsOfBytes, runsOfWords } from './metrics-runs.js';
import { averageCells, edgeStatistics, foldBetween, hex32, perceptualHash, thumbnailGrid, type ThumbnailGrid } from './metrics-thumbnail.js';

export interface RawImage {
  /** Interleaved 8-bit samples, `channels` per pixel. */
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
  /** The last channel is alpha and is ignored: lets the decoder skip the libvips pass that strips it. */
  hasAlpha?: boolean;
}

export interface ImageMetrics {
  width: number;
  height: number;
  /** min(w·h / (1920·1080), 1), as in the workshop notebook. */
  resolutionScore: number;
  /** Standard deviation over every colour sample (0–255 scale). */
  colourVariance: number;
  /** Mean over every colour sample (0–255 scale). */
  brightness: number;
  /** 5th percentile of perceived brightness sqrt(.241R² + .691G² + .068B²)/255, 0–1 (CleanVision's measure). */
  brightnessP5: number;
  /** 99th percentile of perceived brightness, 0–1. */
  brightnessP99: number;
  /** RMS contrast: standard deviation of BT.601 luma / 255, 0–0.5. */
  contrast: number;
  /** Hasler–Süsstrunk colourfulness, 0–255 scale: 0 grey, ~33 moderately, >80 highly colourful. */
  colourfulness: number;
  /** Shannon entropy of the 256-bin BT.601 luma histogram, bits (0–8). */
  entropy: number;
  /** Variance of the 4-neighbour Laplacian of the luma thumbnail (≤ 256 px long side, so image size does not change it), 0–255 scale. */
  laplacianVariance: number;
  /**
   * laplacianVariance / mean squared luma gradient of the same thumbnail: contrast-free, so dark or hazy
   * images keep their score. About 2–10 when sharp, below 1 once blurred by a thumbnail pixel; 0 when flat.
   */
  sharpness: number;
  /** Mean (max − min channel) / 255 over pixels: 0 when R = G = B everywhere. */
  chroma: number;
  /** Fraction of pixels whose channels differ by more than NEUTRAL_TOLERANCE: 0 for a grey image. */
  colouredFraction: number;
  /** min(w/h, h/w): 1 for a square. */
  aspectRatio: number;
  /** 64-bit DCT perceptual hash (pHash), 16 hex digits. */
  phash: string;
  /** 64-bit hash of the size and RGB pixels (alpha ignored, grey expanded), 16 hex digits. Not cryptographic. */
  pixelHash: string;
}

export type NumericMetric = { [K in keyof ImageMetrics]: ImageMetrics[K] extends number ? K : never }[keyof ImageMetrics];

/** Numeric metric names in a stable order, for CSV columns and summaries. */
export const METRIC_COLUMNS: ReadonlyArray<NumericMetric> = [
  'width',
  'height',
  'resolutionScore',
  'colourVariance',
  'brightness',
  'brightnessP5',
  'brightnessP99',
  'contrast',
  'colourfulness',
  'entropy',
  'laplacianVariance',
  'sharpness',
  'chroma',
  'colouredFraction',
  'aspectRatio',
];

/** JPEG chroma subsampling leaves grey pixels a few levels apart; 8 of 255 is invisible. */
export const NEUTRAL_TOLERANCE = 8;
const FULL_HD_PIXELS = 1920 * 1080;
const BRIGHTNESS_BINS = 1024;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const squares = (weight: number) => Int32Array.from({ length: 256 }, (_, v) => Math.round(weight * v * v));
const [RED_SQ, GREEN_SQ, BLUE_SQ] = [squares(0.241), squares(0.691), squares(0.068)];
/** Bin of each rounded .241R² + .691G² + .068B² (≤ 65025), so the hot loop takes no square root. */
const PERCEIVED_BIN = Uint16Array.from({ length: 65_027 }, (_, q) => Math.min(BRIGHTNESS_BINS - 1, Math.floor((Math.sqrt(q) / 255) * BRIGHTNESS_BINS)));

export function computeMetrics(image: RawImage): ImageMetrics {
  const { width, height } = image;
  const colourChannels = image.channels - (image.hasAlpha ? 1 : 0);
  if (width <= 0 || height <= 0 || colourChannels <= 0 || image.data.length < width * height * image.channels) throw new Error('image has no pixels');
  const scan = scanPixels(image, colourChannels);
  const thumbnail = averageCells(scan.grid);
  const edges = edgeStatistics(thumbnail);
  const pixels = width * height;
  const [sum, sumSq, samples] = colourChannels === 1 || colourChannels === 3 ? [scan.sum, scan.sumSq, pixels * 3] : sampleMoments(image, colourChannels);
  const mean = sum / samples;
  const [rgMean, ybMean] = [scan.rg / pixels, scan.yb / pixels / 2];
  const rgVar = Math.max(0, scan.rg2 / pixels - rgMean * rgMean);
  const ybVar = Math.max(0, scan.yb2 / pixels / 4 - ybMean * ybMean);
  const luma = histogramMoments(scan.lumaHistogram);
  return {
    width,
    height,
    resolutionScore: round(Math.min(pixels / FULL_HD_PIXELS, 1)),
    colourVariance: round(Math.sqrt(Math.max(0, sumSq / samples - mean * mean))),
    brightness: round(mean),
    brightnessP5: round(percentile(scan.brightnessHistogram, pixels, 0.05)),
    brightnessP99: round(percentile(scan.brightnessHistogram, pixels, 0.99)),
    contrast: round(luma.std / 255),
    colourfulness: round(Math.sqrt(rgVar + ybVar) + 0.3 * Math.sqrt(rgMean * rgMean + ybMean * ybMean)),
    entropy: round(luma.entropy),
    laplacianVariance: round(edges.laplacianVariance),
    sharpness: round(edges.sharpness),
    chroma: round(scan.chroma / pixels / 255),
    colouredFraction: round(scan.coloured / pixels),
    aspectRatio: round(Math.min(width / height, height / width)),
    phash: perceptualHash(thumbnail),
    pixelHash: hex32(finalMix(scan.hash1 ^ pixels)) + hex32(finalMix(scan.hash2 ^ width)),
  };
}

const round = (value: number): number => Math.round(value * 10_000) / 10_000;

/** Rows are handled in segments this long, so per-segment int32 sums cannot overflow (510² · 8192 < 2³¹). */
const SEGMENT = 8192;

/**
 * The one full-resolution pass. A tight loop run-length encodes each row segment, then
 * every statistic is taken once per run; runs break at segment ends.
 */
function scanPixels(image: RawImage, colourChannels: number): PixelStatistics {
  const { data, width, height, channels: stride } = image;
  const stats = new PixelStatistics(thumbnailGrid(width, height), width, height);
  const runs = new Int32Array(Math.min(width, SEGMENT));
  const aligned = LITTLE_ENDIAN && stride === 4 && colourChannels >= 3 && data.byteOffset % 4 === 0;
  const words = aligned ? new Uint32Array(data.buffer, data.byteOffset, width * height) : null;
  const green = colourChannels >= 3 ? 1 : 0; // grey reads its one channel as R, G and B
  const blue = colourChannels >= 3 ? 2 : 0;
  const { rowOf } = stats.grid;
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const rowBytes = width * stride;
  let count = 0;
  for (let y = 0; y < height; y++) {
    const rowBase = rowOf[y] * stats.grid.width;
    // A row equal to the one above (skies, borders, flat renders) has the same runs, and memcmp is far cheaper than encoding it.
    const repeated = y > 0 && width <= SEGMENT && bytes.compare(bytes, (y - 1) * rowBytes, y * rowBytes, y * rowBytes, (y + 1) * rowBytes) === 0;
    for (let x = 0; x < width; x += SEGMENT) {
      const start = y * width + x;
      const length = Math.min(SEGMENT, width - x);
      if (!repeated) count = words ? runsOfWords(words, start, length, runs) : runsOfBytes(data, start * stride, length, stride, green, blue, runs);
      stats.addRuns(runs, count, x, rowBase);
    }
    if (y === height - 1 || rowOf[y + 1] !== rowOf[y]) foldBetween(stats.grid, rowBase);
  }
  return stats;
}

class PixelStatistics {
  sum = 0;
  sumSq = 0;
  rg = 0;
  rg2 = 0;
  yb = 0;
  yb2 = 0;
  chroma = 0;
  coloured = 0;
  hash1: number;
  hash2: number;
  readonly lumaHistogram = new Int32Array(256);
  readonly brightnessHistogram = new Int32Array(BRIGHTNESS_BINS);

  constructor(
    readonly grid: ThumbnailGrid,
    width: number,
    height: number,
  ) {
    this.hash1 = Math.imul(0x9747b28c ^ width, 0x85ebca6b);
    this.hash2 = Math.imul(0x1b873593 ^ height, 0xc2b2ae35);
  }

  /** The hot loop: adds one segment's runs (`rgb | length << 24`), the first starting at column `x`. Max and min are branch-free: on photos they are unpredictable. */
  addRuns(runs: Int32Array, count: number, x: number, rowBase: number): void {
    const { lumaHistogram, brightnessHistogram } = this;
    const { cellOf, cellStart, sums: cellSums, between } = this.grid;
    let sum = 0, sumSq = 0, rg = 0, rg2 = 0, yb = 0, yb2 = 0, chroma = 0, coloured = 0;
    let hash1 = this.hash1;
    let hash2 = this.hash2;
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
      sum = (sum + n * (r + g + b)) | 0;
      sumSq = (sumSq + n * (r * r + g * g + b * b)) | 0;
      rg = (rg + n * redGreen) | 0;
      rg2 = (rg2 + n * redGreen * redGreen) | 0;
      yb = (yb + n * yellowBlue) | 0;
      yb2 = (yb2 + n * yellowBlue * yellowBlue) | 0;
      chroma = (chroma + n * spread) | 0;
      coloured = (coloured + (n & ((NEUTRAL_TOLERANCE - spread) >> 31))) | 0;
      const luma = (19595 * r + 38470 * g + 7471 * b + 32768) >>> 16; // BT.601, as PIL's convert('L') in CleanVision
      lumaHistogram[luma] += n;
      brightnessHistogram[PERCEIVED_BIN[RED_SQ[r] + GREEN_SQ[g] + BLUE_SQ[b]]] += n;
      hash1 = Math.imul(hash1 ^ run, 0x85ebca6b);
      hash1 ^= hash1 >>> 15;
      hash2 = Math.imul(hash2 ^ run, 0xc2b2ae35);
      hash2 ^= hash2 >>> 13;
      // Box filter: partial first and last cells directly, whole cells between them through a difference array.
      const end = x + n;
      const first = cellOf[x];
      const last = cellOf[end - 1];
      if (first === last) cellSums[rowBase + first] += luma * n;
      else {
        cellSums[rowBase + first] += luma * (cellStart[first + 1] - x);
        cellSums[rowBase + last] += luma * (end - cellStart[last]);
        between[first + 1] += luma;
        between[last] -= luma;
      }
      x = end;
    }
    this.sum += sum;
    this.sumSq += sumSq;
    this.rg += rg;
    this.rg2 += rg2;
    this.yb += yb;
    this.yb2 += yb2;
    this.chroma += chroma;
    this.coloured += coloured;
    this.hash1 = hash1;
    this.hash2 = hash2;
  }
}

/** MurmurHash3's finaliser, so every input bit reaches every output bit. */
function finalMix(value: number): number {
  let h = Math.imul(value ^ (value >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}


/** For the rare 2- or 4+-channel buffers without an alpha flag: moments over every colour sample. */
function sampleMoments({ data, width, height, channels }: RawImage, colourChannels: number): [number, number, number] {
  let [sum, sumSq] = [0, 0];
  for (let offset = 0; offset < width * height * channels; offset += channels) {
    for (let c = offset; c < offset + colourChannels; c++) {
      sum += data[c];
      sumSq += data[c] * data[c];
    }
  }
  return [sum, sumSq, width * height * colourChannels];
}

function histogramMoments(histogram: Int32Array): { std: number; entropy: number } {
  let [total, sum, sumSq, entropy] = [0, 0, 0, 0];
  for (let value = 0; value < histogram.length; value++) {
    total += histogram[value];
    sum += histogram[value] * value;
    sumSq += histogram[value] * value * value;
  }
  for (const count of histogram) if (count > 0) entropy -= (count / total) * Math.log2(count / total);
  const mean = sum / total;
  return { std: Math.sqrt(Math.max(0, sumSq / total - mean * mean)), entropy: Math.abs(entropy) };
}

/** The centre of the bin where the cumulative count first reaches `fraction` of `total`. */
function percentile(histogram: Int32Array, total: number, fraction: number): number {
  let cumulative = 0;
  for (let bin = 0; bin < histogram.length; bin++) {
    cumulative += histogram[bin];
    if (cumulative >= fraction * total) return (bin + 0.5) / histogram.length;
  }
  return 1;
}

