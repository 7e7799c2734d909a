/**
 * Quality issue flags: per image from its metrics, and per run for duplicates and odd sizes.
 * Pure. Modelled on cleanlab's CleanVision, with its known weaknesses fixed: an image with no
 * content to judge (too little entropy or contrast) is low_information and never blurry, near duplicates are found within a Hamming distance
 * rather than by identical hashes, and grayscale is judged on the pixels, not the file mode.
 */
import { z } from 'zod';
import type { ImageMetrics } from './metrics.js';

export const ISSUE_FLAGS = [
  'dark',
  'light',
  'blurry',
  'low_information',
  'grayscale',
  'odd_aspect_ratio',
  'odd_size',
  'exact_duplicate',
  'near_duplicate',
  'unreadable',
  // From the content judge's verdict (functions/core/judge.ts), when the run is judged.
  'off_prompt',
  'missing_elements',
  'artifacts',
  'inappropriate_content',
  // From the privacy guard (functions/core/references/screening.ts), when the prompt names references.
  'copies_reference',
  'unscreened_reference',
] as const;

export type IssueFlag = (typeof ISSUE_FLAGS)[number];

/** Every threshold, in one place. Brightness is perceived brightness, 0–1; entropy is luma entropy in bits. */
export const DEFAULT_THRESHOLDS = {
  /** dark when the 99th brightness percentile is below this: CleanVision's default. */
  darkP99: 0.32,
  /** light when the 5th brightness percentile is above this (1 − p5 < 0.05): CleanVision's default. */
  lightP5: 0.95,
  /** low_information below this entropy: CleanVision's 3 bits over 768 RGB bins is ≈ 1.4 bits per channel (3 for grey); 2 sits between, clean renders measure ≥ 3.6. */
  lowInformationEntropy: 2,
  /** low_information also below this RMS contrast (luma std < 2.6/255), so a flat field with noise counts: ours. */
  lowInformationContrast: 0.01,
  /**
   * low_information also when more than this fraction of the image is flat (metrics.flatFraction): a mostly empty frame whose
   * busy corner keeps entropy up: ours. Textured photos measure well below; the embedded renderer's flat fills reach 0.5–0.75,
   * and its haze and fog scenes 0.79–0.91 (60 default prompts, seed 1: 12 flagged, 10 of them fog or haze, which the scenario expects).
   */
  lowInformationFlatFraction: 0.78,
  /**
   * blurry below this sharpness, unless entropy or contrast is below its low_information threshold (nothing to judge blur on): ours;
   * clean images measure ≥ 2, a one-thumbnail-pixel blur < 1. The flat fraction never suppresses it: a strongly blurred photograph flattens.
   */
  blurrySharpness: 1.2,
  /** grayscale when fewer pixels than this have channels over 8 levels apart, judged on pixels so R = G = B RGB files count: ours. */
  grayscaleColouredFraction: 0.01,
  /** odd_aspect_ratio when min(w/h, h/w) is below this: CleanVision's default. */
  oddAspectRatio: 0.35,
  /** odd_size when sqrt(w·h) lies more than this many IQRs outside the run's quartiles: CleanVision's factor. */
  oddSizeIqrFactor: 3,
  /** The IQR counts as at least this fraction of the median size, so a run of equal sizes flags only images > 30 % off: ours. */
  oddSizeMinIqrFraction: 0.1,
  /** near_duplicate at pHash distance ≤ this: copies re-encoded, resized ±10 % or 5 % brighter move 0–2 bits, distinct renders stay ≥ 14 apart (imagededup uses 10). */
  nearDuplicateHamming: 8,
  /** off_prompt when the judge's relevance (1–5) is at most this: 2 is "barely matches". */
  offPromptRelevance: 2,
  /** missing_elements when the judge finds at least this many requested elements absent. */
  missingElements: 1,
  /** artifacts when the judge names at least this many kinds of artifact. */
  artifacts: 1,
} as const;

export type Thresholds = { -readonly [K in keyof typeof DEFAULT_THRESHOLDS]: number };
export type ThresholdName = keyof Thresholds;
export const THRESHOLD_NAMES = Object.keys(DEFAULT_THRESHOLDS) as ThresholdName[];

const fraction = z.number().min(0).max(1);
const thresholdsSchema = z
  .object({
    darkP99: fraction,
    lightP5: fraction,
    lowInformationEntropy: z.number().min(0).max(8),
    lowInformationContrast: fraction,
    lowInformationFlatFraction: fraction,
    blurrySharpness: z.number().min(0),
    grayscaleColouredFraction: fraction,
    oddAspectRatio: fraction,
    oddSizeIqrFactor: z.number().min(0),
    oddSizeMinIqrFraction: z.number().min(0),
    nearDuplicateHamming: z.number().int().min(0).max(64),
    offPromptRelevance: z.number().int().min(0).max(5),
    missingElements: z.number().int().min(1).max(100),
    artifacts: z.number().int().min(1).max(10),
  } satisfies Record<ThresholdName, z.ZodType<number>>)
  .partial()
  .strict();

/** Defaults overridden by a scenario's `quality.thresholds` or the CLI; throws naming an unknown key or a bad value. */
export function mergeThresholds(overrides: unknown = {}): Thresholds {
  const unknown = overrides && typeof overrides === 'object' ? Object.keys(overrides).filter((key) => !(THRESHOLD_NAMES as string[]).includes(key)) : [];
  if (unknown.length) throw new Error(`unknown quality threshold ${unknown.map((key) => `"${key}"`).join(', ')} (known: ${THRESHOLD_NAMES.join(', ')})`);
  const parsed = thresholdsSchema.safeParse(overrides);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((issue) => `quality threshold ${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; '));
  }
  return { ...DEFAULT_THRESHOLDS, ...parsed.data };
}

/** Per-image flags, in ISSUE_FLAGS order. */
export function imageIssues(metrics: ImageMetrics, thresholds: Thresholds = DEFAULT_THRESHOLDS): IssueFlag[] {
  const noContent = metrics.entropy < thresholds.lowInformationEntropy || metrics.contrast < thresholds.lowInformationContrast;
  const lowInformation = noContent || (metrics.flatFraction ?? 0) > thresholds.lowInformationFlatFraction;
  const flagged: Partial<Record<IssueFlag, boolean>> = {
    dark: metrics.brightnessP99 < thresholds.darkP99,
    light: metrics.brightnessP5 > thresholds.lightP5,
    // Blur can only be judged where there is content: a featureless image is low_information instead. A mostly flat one
    // is not featureless: strong blur itself flattens a photograph, which is then blurry (and may be low_information too).
    blurry: !noContent && metrics.sharpness < thresholds.blurrySharpness,
    low_information: lowInformation,
    grayscale: metrics.colouredFraction < thresholds.grayscaleColouredFraction,
    odd_aspect_ratio: metrics.aspectRatio < thresholds.oddAspectRatio,
  };
  return ISSUE_FLAGS.filter((flag) => flagged[flag]);
}

/** The union of several flag lists, in ISSUE_FLAGS order. */
export const combineIssues = (...lists: IssueFlag[][]): IssueFlag[] => ISSUE_FLAGS.filter((flag) => lists.some((list) => list.includes(flag)));

export interface RunCheck {
  issues: IssueFlag[];
  /** The id of the image this one duplicates: always an image that is not itself flagged as a duplicate. */
  duplicateOf: string | null;
}

type RunItem = { id: string; metrics: Pick<ImageMetrics, 'width' | 'height' | 'phash' | 'pixelHash'> };

/**
 * Run-level checks over images in the given order. The first image of a duplicate group is
 * its original and is not flagged; later ones are exact duplicates (same pixels) or near
 * duplicates (the closest earlier original within the Hamming threshold).
 */
export function runChecks(items: RunItem[], thresholds: Thresholds = DEFAULT_THRESHOLDS): Map<string, RunCheck> {
  const results = new Map<string, RunCheck>(items.map((item) => [item.id, { issues: [], duplicateOf: null }]));
  const firstByPixels = new Map<string, string>();
  const originals: Array<{ id: string; hash: HashWords }> = [];
  for (const item of items) {
    const result = results.get(item.id) as RunCheck;
    const exactOf = firstByPixels.get(item.metrics.pixelHash);
    const hash = hashWords(item.metrics.phash);
    if (exactOf !== undefined) {
      result.issues.push('exact_duplicate');
      result.duplicateOf = exactOf;
      continue;
    }
    firstByPixels.set(item.metrics.pixelHash, item.id);
    let closest: { id: string; distance: number } | null = null;
    for (const original of originals) {
      const distance = wordsDistance(hash, original.hash);
      if (distance <= thresholds.nearDuplicateHamming && (closest === null || distance < closest.distance)) closest = { id: original.id, distance };
    }
    if (closest) {
      result.issues.push('near_duplicate');
      result.duplicateOf = closest.id;
    } else originals.push({ id: item.id, hash });
  }
  for (const id of oddSizes(items, thresholds)) results.get(id)?.issues.unshift('odd_size');
  return results;
}

/** Ids whose sqrt(w·h) is an IQR outlier (CleanVision's rule, with the IQR floored; see DEFAULT_THRESHOLDS). */
function oddSizes(items: RunItem[], thresholds: Thresholds): string[] {
  if (items.length < 3) return [];
  const sizes = items.map((item) => Math.sqrt(item.metrics.width * item.metrics.height));
  const sorted = [...sizes].sort((a, b) => a - b);
  const [q1, median, q3] = [quantile(sorted, 0.25), quantile(sorted, 0.5), quantile(sorted, 0.75)];
  const spread = thresholds.oddSizeIqrFactor * Math.max(q3 - q1, thresholds.oddSizeMinIqrFraction * median);
  return items.filter((_, i) => (sizes[i] as number) < q1 - spread || (sizes[i] as number) > q3 + spread).map((item) => item.id);
}

/** Linear-interpolated quantile of sorted values, as numpy's default. */
function quantile(sorted: number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return (sorted[below] as number) + ((sorted[above] as number) - (sorted[below] as number)) * (position - below);
}

/** A 16-hex-digit hash as two 32-bit words. */
export type HashWords = [number, number];

export const hashWords = (hex: string): HashWords => [parseInt(hex.slice(0, 8), 16) | 0, parseInt(hex.slice(8, 16), 16) | 0];

export const wordsDistance = (a: HashWords, b: HashWords): number => popcount(a[0] ^ b[0]) + popcount(a[1] ^ b[1]);

/** Bits that differ between two 16-hex-digit hashes, 0–64. */
export const hammingDistance = (a: string, b: string): number => wordsDistance(hashWords(a), hashWords(b));

export function popcount(value: number): number {
  let v = value >>> 0;
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 63;
}
