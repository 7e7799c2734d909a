/** Image quality: the metrics (with their WebAssembly scan kernel), the flags and the quality report. */
export * from './metrics.js';
export * from './metrics-scan.js';
export * from './metrics-thumbnail.js';
export * from './raw-image.js';
export * from './quality.js';
export * from './quality-report.js';
