import type { ImageMetrics } from '../quality/index.js';
import type { QualitySummary } from './run-model.js';

const mean = (values: number[]): number | null =>
  values.length === 0 ? null : Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10_000) / 10_000;

/** Run-level averages of the per-image metrics. */
export function summariseQuality(metrics: ImageMetrics[]): QualitySummary {
  return {
    assessed: metrics.length,
    meanBrightness: mean(metrics.map((m) => m.brightness)),
    meanColourVariance: mean(metrics.map((m) => m.colourVariance)),
    meanResolutionScore: mean(metrics.map((m) => m.resolutionScore)),
  };
}
