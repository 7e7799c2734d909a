/**
 * Run-level quality report: issue counts, how balanced the categories and scenario axes are,
 * and how diverse the images are by perceptual hash. Pure.
 */
import type { JudgeSummary } from '../judge/index.js';
import type { SpotCheckReport } from '../runs/index.js';
import type { ImageMetrics } from './metrics.js';
import { hashWords, ISSUE_FLAGS, type IssueFlag } from './quality.js';

export interface ReportItem {
  id: string;
  category: string;
  variables: Record<string, string>;
  /** Null for an image that could not be decoded: it counts, but has no hash. */
  metrics: ImageMetrics | null;
  issues: IssueFlag[];
  /** Flags the prompt asked for; counted apart from issues. */
  expected?: IssueFlag[];
}

export interface Balance {
  counts: Record<string, number>;
  /** Shannon entropy / log(k) over the k values seen: 1 when perfectly balanced, and 1 when k ≤ 1. */
  normalisedEntropy: number;
}

export interface RunReport {
  images: number;
  issueCounts: Record<IssueFlag, number>;
  /** Flags raised where the scenario expected them (a night scene's `dark`): not issues. */
  expectedCounts: Partial<Record<IssueFlag, number>>;
  balance: { categories: Balance; axes: Record<string, Balance> };
  /** The content judge's verdicts and its agreement with the human ratings; absent when nothing was judged. */
  judge?: JudgeSummary;
  /** The reviewed spot-check sample's share rejected with its 95 % Wilson interval, beside the automatic flags; absent without a seed. */
  spotCheck?: SpotCheckReport;
  diversity: {
    /** Mean pHash Hamming distance over all pairs of decoded images (0–64); null below two images. */
    meanPairwiseHamming: number | null;
    /** Vendi score with K = 1 − Hamming/64: 1 for identical hashes; the effective number of distinct images. */
    vendiScore: number;
  };
}

export function runReport(items: ReportItem[]): RunReport {
  const issueCounts = Object.fromEntries(ISSUE_FLAGS.map((flag) => [flag, 0])) as Record<IssueFlag, number>;
  for (const item of items) for (const issue of item.issues) issueCounts[issue] += 1;
  const expectedCounts: Partial<Record<IssueFlag, number>> = {};
  for (const item of items) for (const flag of item.expected ?? []) expectedCounts[flag] = (expectedCounts[flag] ?? 0) + 1;
  const axes = [...new Set(items.flatMap((item) => Object.keys(item.variables)))].sort();
  const hashes = items.flatMap((item) => (item.metrics ? [item.metrics.phash] : []));
  return {
    images: items.length,
    issueCounts,
    expectedCounts,
    balance: {
      categories: balanceOf(items.map((item) => item.category)),
      axes: Object.fromEntries(axes.map((axis) => [axis, balanceOf(items.flatMap((item) => (Object.hasOwn(item.variables, axis) ? [item.variables[axis] as string] : [])))])),
    },
    diversity: { meanPairwiseHamming: round(meanPairwiseHamming(hashes)), vendiScore: round(vendiScore(hashes)) as number },
  };
}

function round(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10_000) / 10_000;
}

export function balanceOf(values: string[]): Balance {
  // Counted in a Map: `constructor` and `__proto__` are ordinary category and axis values.
  const tally = new Map<string, number>();
  for (const value of values) tally.set(value, (tally.get(value) ?? 0) + 1);
  const counts: Record<string, number> = Object.fromEntries(tally);
  const k = tally.size;
  if (k <= 1) return { counts, normalisedEntropy: 1 };
  const entropy = [...tally.values()].reduce((total, count) => total - (count / values.length) * Math.log(count / values.length), 0);
  return { counts, normalisedEntropy: round(entropy / Math.log(k)) as number };
}

/** Per bit, c images set and n − c clear give c(n − c) differing pairs: O(64n) instead of O(n²). */
export function meanPairwiseHamming(hashes: string[]): number | null {
  const n = hashes.length;
  if (n < 2) return null;
  const setCounts = bitColumns(hashes).map((column) => column.reduce((total, bit) => total + (bit > 0 ? 1 : 0), 0));
  const differingPairs = setCounts.reduce((total, c) => total + c * (n - c), 0);
  return differingPairs / ((n * (n - 1)) / 2);
}

/**
 * exp(−Σ λ log λ) over the eigenvalues λ of K/n, K_ij = 1 − Hamming(i, j)/64. With x ∈ {±1}^64,
 * K = (J + X Xᵀ/64)/2 = A Aᵀ for A = [1/√2 | X/√128], whose nonzero eigenvalues are those of
 * the 65×65 Gram matrix AᵀA: exact, and O(65² n) whatever the number of images.
 */
export function vendiScore(hashes: string[]): number {
  const n = hashes.length;
  if (n === 0) return 0;
  const columns = [hashes.map(() => Math.SQRT1_2), ...bitColumns(hashes).map((column) => column.map((bit) => bit / Math.sqrt(128)))];
  const gram = columns.map((a) => columns.map((b) => a.reduce((total, value, i) => total + value * b[i], 0)));
  const entropy = symmetricEigenvalues(gram)
    .map((eigenvalue) => eigenvalue / n)
    .filter((lambda) => lambda > 1e-12)
    .reduce((total, lambda) => total - lambda * Math.log(lambda), 0);
  return Math.exp(entropy);
}

/** 64 columns, one per hash bit (most significant first), of ±1 per image. */
function bitColumns(hashes: string[]): number[][] {
  const words = hashes.map(hashWords);
  return Array.from({ length: 64 }, (_, bit) => words.map((word) => (((word[bit < 32 ? 0 : 1] >>> (31 - (bit % 32))) & 1) === 1 ? 1 : -1)));
}

/** Cyclic Jacobi rotations until the off-diagonal mass vanishes; fine for the 65×65 Gram matrix. */
export function symmetricEigenvalues(matrix: number[][]): number[] {
  const a = matrix.map((row) => [...row]);
  const size = a.length;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < size; p++) for (let q = p + 1; q < size; q++) off += a[p][q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < size; p++) {
      for (let q = p + 1; q < size; q++) {
        const apq = a[p][q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < size; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < size; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
      }
    }
  }
  return a.map((row, i) => row[i]);
}
