import { describe, expect, it } from 'vitest';
import { binaryAgreement, judgeSummary, quadraticKappa, spearman } from '../../functions/core/judge/index.js';
import { createRandom } from '../../functions/core/scenario/index.js';

describe('judge–human agreement', () => {
  it.each([
    { name: 'perfect agreement', pairs: [[1, 1], [2, 2], [3, 3], [4, 4], [5, 5]], kappa: 1 },
    { name: 'a complete reversal', pairs: [[1, 5], [2, 4], [3, 3], [4, 2], [5, 1]], kappa: -1 },
    { name: 'no spread on either side', pairs: [[3, 3], [3, 3]], kappa: null },
  ] as Array<{ name: string; pairs: Array<[number, number]>; kappa: number | null }>)('quadratic κ of $name', ({ pairs, kappa }) => {
    expect(quadraticKappa(pairs)).toBe(kappa);
  });

  it('equals 2·cov / (var_a + var_b + (mean_a − mean_b)²), its closed form on a 1–5 scale, on random ratings', () => {
    const random = createRandom(3);
    for (let trial = 0; trial < 50; trial++) {
      const pairs = Array.from({ length: 12 + trial }, (): [number, number] => {
        const a = 1 + Math.floor(random() * 5);
        return [a, Math.max(1, Math.min(5, a + Math.floor(random() * 3) - 1 - (random() < 0.2 ? 2 : 0)))];
      });
      const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
      const [as, bs] = [pairs.map((p) => p[0]), pairs.map((p) => p[1])];
      const [ma, mb] = [mean(as), mean(bs)];
      const cov = mean(pairs.map(([a, b]) => (a - ma) * (b - mb)));
      const closed = (2 * cov) / (mean(as.map((a) => (a - ma) ** 2)) + mean(bs.map((b) => (b - mb) ** 2)) + (ma - mb) ** 2);
      expect(quadraticKappa(pairs)).toBeCloseTo(closed, 10);
    }
  });

  it('Spearman ρ: 0.8 for one swap in each half, average ranks for ties', () => {
    expect(spearman([[1, 2], [2, 1], [3, 4], [4, 3], [5, 5]])).toBeCloseTo(0.8, 10);
    expect(spearman([[1, 1], [1, 2], [2, 3], [3, 4]])).toBeCloseTo(4.5 / Math.sqrt(22.5), 10);
    expect(spearman([[2, 1], [2, 5]])).toBeNull();
  });

  const item = (judge: number | null, human: number | null, status = 'judged') => ({ judge: { status, answer: judge === null ? null : { relevance: judge } }, review: human === null ? null : { relevance: human } });

  it('reports agreement only from 10 compared images, and counts verdicts', () => {
    const nine = Array.from({ length: 9 }, (_, i) => item((i % 5) + 1, (i % 5) + 1));
    expect(judgeSummary([...nine, item(4, null), item(null, 3, 'failed')])).toMatchObject({ judged: 10, failed: 1, meanRelevance: 2.9, compared: 9, agreement: null, checks: { relevance: { compared: 9, agreement: null } } });
    expect(judgeSummary([...nine, item(5, 5)])?.agreement).toEqual({ count: 10, weightedKappa: 1, spearman: 1 });
    expect(judgeSummary([{ judge: null, review: { relevance: 3 } }])).toBeNull();
  });

  it('reports agreement on each of the four checks, from the images where both answered', () => {
    // 12 judged images: the judge says inappropriate on 0-2, the people on 0, 1 and 5 (10 of 12 agree).
    // Cultural sensitivity: people assessed 10 (two left it open), the judge and they disagree on image 3 only.
    // Scenario alignment: images 10 and 11 have verdicts from before the judge was asked.
    const items = Array.from({ length: 12 }, (_, i) => ({
      judge: { status: 'judged', answer: { relevance: 4, inappropriate: i < 3, culturalSensitivity: i === 3 ? ('concern' as const) : ('ok' as const), ...(i < 10 ? { scenarioAligned: i !== 0 } : {}) } },
      review: { relevance: 4, inappropriate: i < 2 || i === 5, culturalSensitivity: i >= 10 ? null : ('ok' as const), scenarioAligned: i !== 0 },
    }));
    const checks = judgeSummary(items)?.checks;
    // p_o = 10/12, p_e = 0.25·0.25 + 0.75·0.75 = 0.625, κ = (0.8333 − 0.625) / 0.375 = 0.556
    expect(checks?.inappropriate).toEqual({ compared: 12, agreement: { count: 12, agreed: 10, percentAgreement: 0.833, kappa: 0.556 } });
    // The people said ok everywhere: κ is 0 (p_o = 0.9 = p_e).
    expect(checks?.culturalSensitivity).toEqual({ compared: 10, agreement: { count: 10, agreed: 9, percentAgreement: 0.9, kappa: 0 } });
    expect(checks?.scenarioAlignment).toEqual({ compared: 10, agreement: { count: 10, agreed: 10, percentAgreement: 1, kappa: 1 } });
    expect(checks?.relevance).toEqual({ compared: 12, agreement: { count: 12, weightedKappa: null, spearman: null } });
    expect(binaryAgreement([[true, true], [true, true]])).toEqual({ count: 2, agreed: 2, percentAgreement: 1, kappa: null });
  });
});
