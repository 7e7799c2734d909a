/**
 * How far the judge can be trusted on a run: its answers against the people's on each of the seed's
 * four human checks (relevance, inappropriate, cultural sensitivity, scenario alignment), once
 * enough images carry both. Pure.
 */
import type { JudgeAnswer } from './judge.js';
export const MIN_RATINGS_FOR_AGREEMENT = 10;

export interface Agreement {
  /** Images with both a judge relevance and a human relevance. */
  count: number;
  /** Quadratically weighted Cohen's κ over the 1–5 scale: 1 perfect, 0 chance, < 0 worse than chance. Null when undefined (no spread). */
  weightedKappa: number | null;
  /** Spearman's ρ with average ranks for ties; null when either side has no spread. */
  spearman: number | null;
}

export interface JudgeSummary {
  judged: number;
  failed: number;
  meanRelevance: number | null;
  /** Null until MIN_RATINGS_FOR_AGREEMENT images have both scores. */
  agreement: Agreement | null;
  /** Images compared so far, also when below the minimum. */
  compared: number;
  /** Agreement on each of the four checks; relevance repeats `agreement` and `compared`. */
  checks: Record<HumanCheck, CheckAgreement>;
}

export const HUMAN_CHECKS = ['relevance', 'inappropriate', 'culturalSensitivity', 'scenarioAlignment'] as const;
export type HumanCheck = (typeof HUMAN_CHECKS)[number];

/** A yes/no check: how often judge and person gave the same answer, and Cohen's κ for chance. */
export interface BinaryAgreement {
  count: number;
  agreed: number;
  /** agreed / count. */
  percentAgreement: number;
  /** Cohen's κ; null when both sides gave one answer only (chance agreement is then 1). */
  kappa: number | null;
}

export interface CheckAgreement {
  /** Images with both a judge answer and a person's answer on this check. */
  compared: number;
  /** Null until MIN_RATINGS_FOR_AGREEMENT images have both. */
  agreement: Agreement | BinaryAgreement | null;
}

const round = (value: number | null): number | null => (value === null || !Number.isFinite(value) ? null : Math.round(value * 1000) / 1000);

/** κ_w = 1 − Σ w·O / Σ w·E with w = (i − j)² / (k − 1)², O the observed and E the chance-expected contingency table. */
export function quadraticKappa(pairs: Array<[number, number]>, min = 1, max = 5): number | null {
  const k = max - min + 1;
  const n = pairs.length;
  if (n === 0) return null;
  const observed = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const rows = new Array<number>(k).fill(0);
  const columns = new Array<number>(k).fill(0);
  for (const [a, b] of pairs) {
    (observed[a - min] as number[])[b - min] += 1;
    rows[a - min] += 1;
    columns[b - min] += 1;
  }
  let [disagreement, chance] = [0, 0];
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const weight = (i - j) ** 2 / (k - 1) ** 2;
      disagreement += weight * (observed[i]?.[j] ?? 0);
      chance += (weight * (rows[i] as number) * (columns[j] as number)) / n;
    }
  }
  return chance === 0 ? null : 1 - disagreement / chance;
}

function ranks(values: number[]): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const out = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]?.value === order[start]?.value) end++;
    for (let i = start; i <= end; i++) out[order[i]?.index as number] = (start + end) / 2 + 1;
    start = end + 1;
  }
  return out;
}

/** Pearson's r of the ranks. */
export function spearman(pairs: Array<[number, number]>): number | null {
  if (pairs.length < 2) return null;
  const [a, b] = [ranks(pairs.map((p) => p[0])), ranks(pairs.map((p) => p[1]))];
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const [ma, mb] = [mean(a), mean(b)];
  let [cov, va, vb] = [0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    cov += ((a[i] as number) - ma) * ((b[i] as number) - mb);
    va += ((a[i] as number) - ma) ** 2;
    vb += ((b[i] as number) - mb) ** 2;
  }
  return va === 0 || vb === 0 ? null : cov / Math.sqrt(va * vb);
}

/** κ = (p_o − p_e) / (1 − p_e) over two yes/no raters. */
export function binaryAgreement(pairs: Array<[boolean, boolean]>): BinaryAgreement | null {
  const n = pairs.length;
  if (n === 0) return null;
  const agreed = pairs.filter(([a, b]) => a === b).length;
  const [yesA, yesB] = [pairs.filter((p) => p[0]).length / n, pairs.filter((p) => p[1]).length / n];
  const chance = yesA * yesB + (1 - yesA) * (1 - yesB);
  const observed = agreed / n;
  return { count: n, agreed, percentAgreement: round(observed) as number, kappa: chance === 1 ? null : round((observed - chance) / (1 - chance)) };
}

type JudgeSide = Pick<JudgeAnswer, 'relevance'> & Partial<Pick<JudgeAnswer, 'inappropriate' | 'culturalSensitivity' | 'scenarioAligned'>>;
type HumanSide = { relevance: number | null; inappropriate?: boolean; culturalSensitivity?: 'ok' | 'concern' | null; scenarioAligned?: boolean | null };

export interface JudgedItem {
  judge?: { status: string; answer: JudgeSide | null } | null;
  review?: HumanSide | null;
}

/** Each yes/no check as (judge, person): present only where both answered; older verdicts lack the last two. */
function binaryPairs(judged: Array<{ answer: JudgeSide; review: HumanSide | null | undefined }>, pick: (side: JudgeSide | HumanSide) => boolean | null | undefined): Array<[boolean, boolean]> {
  return judged.flatMap(({ answer, review }): Array<[boolean, boolean]> => {
    const [a, b] = [pick(answer), review ? pick(review) : null];
    return a != null && b != null ? [[a, b]] : [];
  });
}

const concern = (side: JudgeSide | HumanSide): boolean | null | undefined => (side.culturalSensitivity == null ? side.culturalSensitivity : side.culturalSensitivity === 'concern');

function binaryCheck(pairs: Array<[boolean, boolean]>): CheckAgreement {
  return { compared: pairs.length, agreement: pairs.length >= MIN_RATINGS_FOR_AGREEMENT ? binaryAgreement(pairs) : null };
}

export function judgeSummary(items: JudgedItem[]): JudgeSummary | null {
  const judged = items.filter((item) => item.judge?.status === 'judged' && item.judge.answer);
  const failed = items.filter((item) => item.judge?.status === 'failed').length;
  if (judged.length === 0 && failed === 0) return null;
  const pairs = judged.flatMap((item): Array<[number, number]> => (item.review?.relevance != null ? [[item.judge?.answer?.relevance as number, item.review.relevance]] : []));
  const relevances = judged.map((item) => item.judge?.answer?.relevance as number);
  const answered = judged.map((item) => ({ answer: item.judge?.answer as JudgeSide, review: item.review }));
  const relevance = pairs.length >= MIN_RATINGS_FOR_AGREEMENT ? { count: pairs.length, weightedKappa: round(quadraticKappa(pairs)), spearman: round(spearman(pairs)) } : null;
  return {
    judged: judged.length,
    failed,
    meanRelevance: relevances.length ? round(relevances.reduce((s, r) => s + r, 0) / relevances.length) : null,
    compared: pairs.length,
    agreement: relevance,
    checks: {
      relevance: { compared: pairs.length, agreement: relevance },
      // A stored review always answers inappropriate (false unless marked).
      inappropriate: binaryCheck(binaryPairs(answered, (side) => side.inappropriate)),
      culturalSensitivity: binaryCheck(binaryPairs(answered, concern)),
      scenarioAlignment: binaryCheck(binaryPairs(answered, (side) => side.scenarioAligned)),
    },
  };
}
