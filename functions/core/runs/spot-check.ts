/**
 * Spot checks, as the workshop teaches them: review a small random sample of a run closely and
 * take its share of rejected images as an estimate of the whole run's defect rate. Pure.
 *
 * The sample is seeded (the same seed gives the same images back, whatever order they are listed
 * in) and stratified by category (every category is looked at when the sample has room for it).
 * The estimate comes with a Wilson score interval: with 12 images the plain p ± 1.96·√(p(1-p)/n)
 * interval collapses to [0, 0] at 0 rejected and runs below 0 at 1, where Wilson's stays honest.
 */
import { createRandom, hashString, shuffled } from '../scenario/index.js';
import { MIN_USABLE_RELEVANCE } from './usable.js';
import type { Review } from './review.js';

export const SPOT_CHECK_SIZE = 12;
/** The 97.5th percentile of the standard normal distribution: a two-sided 95 % interval. */
export const Z_95 = 1.959963984540054;

export interface SpotCheckItem {
  promptId: string;
  category: string;
}

/**
 * Per-category sample sizes: one for each category first (while the sample has room), then the
 * rest in proportion to category size by largest remainder, never more than a category holds.
 */
export function spotCheckQuotas(sizes: ReadonlyMap<string, number>, size: number): Map<string, number> {
  const categories = [...sizes.keys()].sort();
  const total = categories.reduce((n, c) => n + sizes.get(c)!, 0);
  const want = Math.min(size, total);
  const quotas = new Map(categories.map((c) => [c, 0]));
  let left = want;
  // Largest categories get the first seats when there are more categories than seats.
  for (const c of [...categories].sort((a, b) => sizes.get(b)! - sizes.get(a)! || (a < b ? -1 : 1))) {
    if (left === 0) break;
    if (sizes.get(c)! > 0) {
      quotas.set(c, 1);
      left -= 1;
    }
  }
  while (left > 0) {
    const room = categories.filter((c) => quotas.get(c)! < sizes.get(c)!);
    // The category furthest below its proportional share takes the next seat.
    const behind = (c: string) => (want * sizes.get(c)!) / total - quotas.get(c)!;
    const next = room.sort((a, b) => behind(b) - behind(a) || (a < b ? -1 : 1))[0]!;
    quotas.set(next, quotas.get(next)! + 1);
    left -= 1;
  }
  return quotas;
}

/** The sampled prompt ids, sorted. */
export function spotCheckSample(items: readonly SpotCheckItem[], options: { seed: number; size?: number }): string[] {
  const byCategory = new Map<string, string[]>();
  for (const item of items) byCategory.set(item.category, [...(byCategory.get(item.category) ?? []), item.promptId]);
  const quotas = spotCheckQuotas(new Map([...byCategory].map(([c, ids]) => [c, ids.length])), options.size ?? SPOT_CHECK_SIZE);
  const sample: string[] = [];
  for (const [category, ids] of byCategory) {
    const random = createRandom(hashString(`spot-check/${options.seed}/${category}`));
    sample.push(...shuffled(random, [...ids].sort()).slice(0, quotas.get(category)));
  }
  return sample.sort();
}

export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

/** Wilson score interval for `successes` out of `n` (z = 1.96 for 95 %); null when n is 0. */
export function wilsonInterval(successes: number, n: number, z = Z_95): Interval | null {
  if (n === 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return { estimate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** A reviewer rejected the image: rated below the usable bar, or marked inappropriate. */
export function rejectedByReview(review: Pick<Review, 'relevance' | 'inappropriate'> | null): boolean {
  return review !== null && (review.inappropriate || (review.relevance != null && review.relevance < MIN_USABLE_RELEVANCE));
}

export interface SpotCheckResult {
  sampled: number;
  reviewed: number;
  rejected: number;
  /** The share rejected among the reviewed sample, with its 95 % Wilson interval; null until one is reviewed. */
  defectRate: Interval | null;
}

/** Only reviewed sample images count: an unreviewed one is neither accepted nor rejected yet. */
export function spotCheckResult(sample: ReadonlyArray<{ review: Pick<Review, 'relevance' | 'inappropriate'> | null }>): SpotCheckResult {
  const reviewed = sample.filter((item) => item.review !== null && (item.review.relevance != null || item.review.inappropriate));
  const rejected = reviewed.filter((item) => rejectedByReview(item.review)).length;
  return { sampled: sample.length, reviewed: reviewed.length, rejected, defectRate: wilsonInterval(rejected, reviewed.length) };
}

/** The spot check of a run as the report and the export give it, beside what the automatic flags found. */
export interface SpotCheckReport extends SpotCheckResult {
  seed: number;
  promptIds: string[];
  /** The automatic flags over every image of the run: how many carry at least one issue flag. */
  flagged: { images: number; flagged: number; share: number | null };
}

type SpotCheckInput = SpotCheckItem & { status: string; review?: Pick<Review, 'relevance' | 'inappropriate'> | null };

/** Only images that exist can be looked at: the sample is drawn from the prompts with an image. */
const hasImage = (prompt: { status: string }): boolean => prompt.status === 'assessed' || prompt.status === 'generated';

/** The sample and its result, for the spot-check route and the run report alike. */
export function runSpotCheck(prompts: readonly SpotCheckInput[], seed: number): { seed: number; promptIds: string[] } & SpotCheckResult {
  const withImage = prompts.filter(hasImage);
  const promptIds = spotCheckSample(withImage, { seed });
  const chosen = new Set(promptIds);
  return { seed, promptIds, ...spotCheckResult(withImage.filter((prompt) => chosen.has(prompt.promptId)).map((prompt) => ({ review: prompt.review ?? null }))) };
}

/** `issuesOf` gives an image's automatic issue flags (runQuality's). */
export function spotCheckReport(prompts: readonly SpotCheckInput[], seed: number, issuesOf: (promptId: string) => readonly string[]): SpotCheckReport {
  const images = prompts.filter(hasImage);
  const flagged = images.filter((prompt) => issuesOf(prompt.promptId).length > 0).length;
  return { ...runSpotCheck(prompts, seed), flagged: { images: images.length, flagged, share: images.length ? flagged / images.length : null } };
}
