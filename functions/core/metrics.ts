/**
 * Image quality metrics computed from one decoded pixel buffer. Pure: no decoding here,
 * so the storage function, the CLI and the export share this code path.
 */
export interface RawImage {
  /** Interleaved 8-bit samples, `channels` per pixel, alpha removed. */
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

export interface ImageMetrics {
  width: number;
  height: number;
  /** min(w·h / (1920·1080), 1), as in the workshop notebook. */
  resolutionScore: number;
  /** Standard deviation over every channel sample (0–255 scale). */
  colourVariance: number;
  /** Mean over every channel sample (0–255 scale). */
  brightness: number;
}

const FULL_HD_PIXELS = 1920 * 1080;

export function computeMetrics(image: RawImage): ImageMetrics {
  const { data, width, height } = image;
  if (width <= 0 || height <= 0 || data.length === 0) throw new Error('image has no pixels');
  // One pass with running sums: sum and sum of squares are exact in doubles up to ~10^15 samples.
  let sum = 0;
  let sumOfSquares = 0;
  for (let i = 0; i < data.length; i++) {
    const value = data[i] as number;
    sum += value;
    sumOfSquares += value * value;
  }
  const mean = sum / data.length;
  const variance = Math.max(0, sumOfSquares / data.length - mean * mean);
  return {
    width,
    height,
    resolutionScore: round(Math.min((width * height) / FULL_HD_PIXELS, 1)),
    colourVariance: round(Math.sqrt(variance)),
    brightness: round(mean),
  };
}

const round = (value: number): number => Math.round(value * 10_000) / 10_000;

/** Metric names in a stable order, for CSV columns and summaries. */
export const METRIC_COLUMNS: ReadonlyArray<keyof ImageMetrics> = [
  'width',
  'height',
  'resolutionScore',
  'colourVariance',
  'brightness',
];
