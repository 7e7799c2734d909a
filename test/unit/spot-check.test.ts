import { describe, expect, it } from 'vitest';
import { createRandom, shuffled } from '../../functions/core/scenario/index.js';
import { spotCheckQuotas, spotCheckResult, spotCheckSample, wilsonInterval, type SpotCheckItem } from '../../functions/core/runs/index.js';

function itemsOf(sizes: Record<string, number>): SpotCheckItem[] {
  let next = 0;
  return Object.entries(sizes).flatMap(([category, n]) => Array.from({ length: n }, () => ({ promptId: `p${String(++next).padStart(4, '0')}`, category })));
}

const categoryOf = (items: SpotCheckItem[]) => new Map(items.map((item) => [item.promptId, item.category]));

describe('spotCheckSample', () => {
  const items = itemsOf({ protest_scenes: 40, gatherings: 30, individual_portraits: 20, contextual_scenes: 10 });

  it('gives the same 12 back for a seed, whatever order the images are listed in, and another 12 for another seed', () => {
    const sample = spotCheckSample(items, { seed: 42 });
    expect(sample).toHaveLength(12);
    expect(new Set(sample).size).toBe(12);
    expect(spotCheckSample(shuffled(createRandom(9), items), { seed: 42 })).toEqual(sample);
    expect(spotCheckSample(items, { seed: 43 })).not.toEqual(sample);
  });

  it.each([
    ['100 images in 4 categories', { a: 40, b: 30, c: 20, d: 10 }],
    ['a category of one image', { a: 50, b: 1, c: 9 }],
    ['twelve categories of 3', Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`c${i}`, 3]))],
    ['names that are Object keys', { constructor: 5, __proto__x: 5, toString: 5 }],
  ])('covers every category: %s', (_name, sizes) => {
    const all = itemsOf(sizes);
    for (const seed of [1, 2, 3, 4, 5]) {
      const sampled = new Set(spotCheckSample(all, { seed }).map((id) => categoryOf(all).get(id)));
      expect([...sampled].sort(), `seed ${seed}`).toEqual(Object.keys(sizes).sort());
    }
  });

  it('sizes each category in proportion, within one image', () => {
    const quotas = spotCheckQuotas(new Map([['a', 40], ['b', 30], ['c', 20], ['d', 10]]), 12);
    expect(Object.fromEntries(quotas)).toEqual({ a: 5, b: 4, c: 2, d: 1 });
  });

  it('takes every image of a run smaller than the sample', () => {
    const small = itemsOf({ a: 3, b: 2 });
    expect(spotCheckSample(small, { seed: 1 })).toEqual(small.map((item) => item.promptId));
  });
});

describe('wilsonInterval', () => {
  // Reference values: Wilson score interval, z = 1.959964 (e.g. R's prop.test(x, n, correct = FALSE)).
  it.each([
    [0, 12, 0, 0.2425],
    [1, 12, 0.0149, 0.3539],
    [3, 12, 0.0889, 0.5323],
    [12, 12, 0.7575, 1],
    [6, 12, 0.2538, 0.7462],
    [10, 100, 0.0552, 0.1744],
  ])('%i of %i → [%f, %f]', (x, n, low, high) => {
    const interval = wilsonInterval(x, n)!;
    expect(interval.estimate).toBeCloseTo(x / n, 10);
    expect(interval.low).toBeCloseTo(low, 4);
    expect(interval.high).toBeCloseTo(high, 4);
  });

  it('has no interval without a reviewed image', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});

describe('spotCheckResult', () => {
  it('counts rejections among the reviewed sample only', () => {
    const rated = (relevance: number | null, inappropriate = false) => ({ review: { relevance, inappropriate } });
    const result = spotCheckResult([rated(5), rated(2), rated(4, true), rated(3), { review: null }, rated(null)]);
    expect(result).toMatchObject({ sampled: 6, reviewed: 4, rejected: 2 });
    expect(result.defectRate!.estimate).toBe(0.5);
  });
});
