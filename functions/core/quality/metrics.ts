/**
 * Image quality metrics computed from one decoded pixel buffer. Pure: no decoding here,
 * so the storage function, the CLI and the export share this code path.
 *
 * Cost: one pass over the full-resolution pixels, grouped into runs of identical pixels
 * (rendered and flat images repeat pixels a lot), which also box-downsamples a luma
 * thumbnail; sharpness and the perceptual hash only read the thumbnail.
 */
import { scanPixels, type PixelStatistics } from './metrics-scan.js';
import { edgeStatistics, flatFraction, hex32, perceptualHash } from './metrics-thumbnail.js';

export { NEUTRAL_TOLERANCE } from './metrics-scan.js';

import type { RawImage } from './raw-image.js';

export type { RawImage };

export interface ImageMetrics {
  width: number;
  height: number;
  /** min(w·h / (1920·1080), 1), as in the workshop notebook. */
  resolutionScore: number;
  /** Standard deviation over every colour sample (0–255 scale). */
  colourVariance: number;
  /** Mean over every colour sample (0–255 scale). */
  brightness: number;
  /** 5th percentile of perceived brightness sqrt(.241R² + .691G² + .068B²)/255 (CleanVision's measure), 0–1: the centre of its 1/1024 bin. */
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
  /** Fraction of the image, in 8×8 blocks of the luma thumbnail, whose luma std is below 2/255: haze, fog, blank sky. Records made before it existed lack it. */
  flatFraction: number;
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
  'flatFraction',
];

const FULL_HD_PIXELS = 1920 * 1080;

/** A small RGB image: the box-filtered colour thumbnail of the metrics pass. */
export interface PreviewPixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3;
}

export function computeMetrics(image: RawImage): ImageMetrics {
  return metricsOf(image, scan(image, false));
}

/**
 * computeMetrics plus an RGB thumbnail of at most THUMBNAIL_LONG_SIDE (256 px), each pixel the
 * mean of the source pixels it covers: the gallery's preview pixels, box-filtered by the same
 * single pass rather than by a second one over the full-resolution pixels. Alpha is ignored.
 */
export function computeMetricsWithPreview(image: RawImage): { metrics: ImageMetrics; previewPixels: PreviewPixels } {
  const statistics = scan(image, true);
  const { width, height } = statistics.thumbnail;
  // Copied out: the kernel's memory is reused by the next scan.
  return { metrics: metricsOf(image, statistics), previewPixels: { data: statistics.colour.slice(), width, height, channels: 3 } };
}

const colourChannelsOf = (image: RawImage): number => image.channels - (image.hasAlpha && image.channels > 1 ? 1 : 0); // libvips can flag alpha on a one-band image

function scan(image: RawImage, colourThumbnail: boolean): PixelStatistics {
  const colourChannels = colourChannelsOf(image);
  if (image.width <= 0 || image.height <= 0 || colourChannels <= 0 || image.data.length < image.width * image.height * image.channels) throw new Error('image has no pixels');
  return scanPixels(image, colourChannels, colourThumbnail);
}

function metricsOf(image: RawImage, scan: PixelStatistics): ImageMetrics {
  const { width, height } = image;
  const colourChannels = colourChannelsOf(image);
  const { thumbnail } = scan;
  const edges = edgeStatistics(thumbnail);
  const pixels = width * height;
  const totals = scan.sums();
  const [sum, sumSq, samples] = colourChannels === 1 || colourChannels === 3 ? [totals.sum, totals.sumSq, pixels * 3] : sampleMoments(image, colourChannels);
  const mean = sum / samples;
  const [rgMean, ybMean] = [totals.rg / pixels, totals.yb / pixels / 2];
  const rgVar = Math.max(0, totals.rg2 / pixels - rgMean * rgMean);
  const ybVar = Math.max(0, totals.yb2 / pixels / 4 - ybMean * ybMean);
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
    chroma: round(totals.chroma / pixels / 255),
    colouredFraction: round(totals.coloured / pixels),
    aspectRatio: round(Math.min(width / height, height / width)),
    flatFraction: round(flatFraction(thumbnail)),
    phash: perceptualHash(thumbnail),
    pixelHash: scan.pixelHashWords(pixels, width).map(hex32).join(''),
  };
}

const round = (value: number): number => Math.round(value * 10_000) / 10_000;

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

