import { describe, expect, it } from 'vitest';
import { parseExcludePolicies, parseSplitRatios, SPLIT_NAMES, type ExcludePolicy } from '../../functions/core/export/index.js';
import { createRandom, shuffled } from '../../functions/core/scenario/index.js';
import { duplicateGroups, exclusionReasons, planSplits, type SplitItem } from '../../functions/core/export/index.js';

const item = (id: string, category: string, extra: Partial<SplitItem> = {}): SplitItem => ({ id, category, issues: [], duplicateOf: null, review: null, ...extra });

/** n images per category, ids p0001… in category order. */
function itemsOf(sizes: Record<string, number>): SplitItem[] {
  let next = 0;
  return Object.entries(sizes).flatMap(([category, n]) => Array.from({ length: n }, () => item(`p${String(++next).padStart(4, '0')}`, category)));
}

const DEFAULT = [0.8, 0.1, 0.1];

describe('planSplits', () => {
  const stratified: Array<[string, Record<string, number>, number[]]> = [
    ['the default scenario, 24 images', { protest_scenes: 8, gatherings: 6, individual_portraits: 5, contextual_scenes: 5 }, DEFAULT],
    ['60 images', { protest_scenes: 20, gatherings: 15, individual_portraits: 13, contextual_scenes: 12 }, DEFAULT],
    ['one category of 100', { only: 100 }, DEFAULT],
    ['tiny categories', { a: 1, b: 1, c: 1, d: 2, e: 3 }, DEFAULT],
    ['70/15/15 over uneven categories', { a: 33, b: 17, c: 2, constructor: 9 }, [0.7, 0.15, 0.15]],
    ['no test split', { a: 10, b: 7 }, [0.9, 0.1, 0]],
    ['half and half', { a: 11, b: 3, c: 1 }, [0.5, 0.25, 0.25]],
  ];

  it.each(stratified)('stratifies %s within one image per category', (_name, sizes, ratios) => {
    const plan = planSplits(itemsOf(sizes), { ratios, exclude: [], seed: 7 });
    for (const [category, n] of Object.entries(sizes)) {
      const counts = plan.perCategory.get(category)!;
      SPLIT_NAMES.forEach((split, s) => expect(Math.abs(counts[split] - n * ratios[s]!), `${category} ${split}`).toBeLessThan(1));
    }
    const total = Object.values(sizes).reduce((a, b) => a + b, 0);
    expect(plan.perSplit.train + plan.perSplit.validation + plan.perSplit.test).toBe(total);
    // Rounding is balanced across categories, so the whole dataset is within one image per split too.
    SPLIT_NAMES.forEach((split, s) => expect(Math.abs(plan.perSplit[split] - total * ratios[s]!), split).toBeLessThan(1));
  });

  it('is deterministic for a seed, whatever order the images come in, and differs for another seed', () => {
    const items = itemsOf({ a: 30, b: 20 });
    const plan = (list: SplitItem[], seed: number) => [...planSplits(list, { ratios: DEFAULT, exclude: [], seed }).splitOf].sort();
    expect(plan(shuffled(createRandom(1), items), 42)).toEqual(plan(items, 42));
    expect(plan(items, 43)).not.toEqual(plan(items, 42));
  });

  const duplicates: Array<[string, SplitItem[]]> = [
    ['a pair', [item('p1', 'a'), item('p2', 'a', { duplicateOf: 'p1', issues: ['near_duplicate'] }), ...itemsOf({ a: 18 })]],
    ['a chain p3 → p2 → p1', [item('p1', 'a'), item('p2', 'a', { duplicateOf: 'p1' }), item('p3', 'a', { duplicateOf: 'p2' }), ...itemsOf({ a: 17 })]],
    ['a group across categories', [item('p1', 'a'), item('p2', 'b', { duplicateOf: 'p1' }), item('p3', 'b', { duplicateOf: 'p1' }), ...itemsOf({ a: 10, b: 10 })]],
    ['five copies of one image in 12', [item('p1', 'a'), ...['p2', 'p3', 'p4', 'p5'].map((id) => item(id, 'a', { duplicateOf: 'p1', issues: ['exact_duplicate'] })), ...itemsOf({ a: 7 })]],
  ];

  it.each(duplicates)('keeps duplicates in one split: %s', (_name, items) => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const plan = planSplits(items, { ratios: DEFAULT, exclude: [], seed });
      for (const ids of duplicateGroups(items).values()) expect(new Set(ids.map((id) => plan.splitOf.get(id))).size, `seed ${seed}: ${ids.join(',')}`).toBe(1);
    }
  });

  it('puts excluded images in no split, with their reasons, and counts them per category', () => {
    const items = [item('p1', 'a', { issues: ['dark'] }), item('p2', 'a', { review: { relevance: 2, inappropriate: false } }), item('p3', 'b', { issues: ['unreadable'] }), ...itemsOf({ a: 5, b: 5 })];
    const plan = planSplits(items, { ratios: DEFAULT, exclude: [{ kind: 'issues' }], seed: 1 });
    expect([...plan.excluded]).toEqual([['p1', ['issue:dark']], ['p3', ['issue:unreadable']]]);
    expect(plan.splitOf.has('p1') || plan.splitOf.has('p3')).toBe(false);
    expect(plan.splitOf.has('p2')).toBe(true);
    expect(plan.perCategory.get('a')!.excluded).toBe(1);
    expect(plan.perCategory.get('b')!.excluded).toBe(1);
  });

  it('keeps an excluded duplicate out while its group stays together', () => {
    const items = [item('p1', 'a'), item('p2', 'a', { duplicateOf: 'p1', issues: ['near_duplicate'] }), item('p3', 'a', { duplicateOf: 'p1', issues: ['near_duplicate'], review: { relevance: 1, inappropriate: false } }), ...itemsOf({ a: 9 })];
    const plan = planSplits(items, { ratios: DEFAULT, exclude: [{ kind: 'rated-below', relevance: 3 }], seed: 3 });
    expect(plan.splitOf.has('p3')).toBe(false);
    expect(plan.splitOf.get('p1')).toBe(plan.splitOf.get('p2'));
  });

  const small: Array<[string, SplitItem[]]> = [
    ['6 images in 3 categories', itemsOf({ a: 2, b: 2, c: 2 })],
    ['3 images in one category', itemsOf({ only: 3 })],
    ['4 images in 4 categories', itemsOf({ a: 1, b: 1, c: 1, d: 1 })],
    ['6 images, two of them a duplicate pair', [item('p1', 'a'), item('p2', 'a', { duplicateOf: 'p1' }), ...itemsOf({ b: 2, c: 2 })]],
  ];

  it.each(small)('gives every split at least one image in a small run: %s', (_name, items) => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const plan = planSplits(items, { ratios: DEFAULT, exclude: [], seed });
      for (const split of SPLIT_NAMES) expect(plan.perSplit[split], `seed ${seed}: ${split}`).toBeGreaterThan(0);
      expect(plan.splitOf.size).toBe(items.length);
      for (const ids of duplicateGroups(items).values()) expect(new Set(ids.map((id) => plan.splitOf.get(id))).size).toBe(1);
    }
  });

  it('leaves a split empty only when there are fewer groups than splits, or its ratio is 0', () => {
    const pair = planSplits([item('p1', 'a'), item('p2', 'a')], { ratios: DEFAULT, exclude: [], seed: 3 });
    expect(SPLIT_NAMES.filter((split) => pair.perSplit[split] > 0)).toHaveLength(2);
    const copies = [item('p1', 'a'), ...['p2', 'p3', 'p4'].map((id) => item(id, 'a', { duplicateOf: 'p1' }))];
    expect(planSplits(copies, { ratios: DEFAULT, exclude: [], seed: 3 }).perSplit.train).toBe(4);
    expect(planSplits(itemsOf({ a: 3 }), { ratios: [0.9, 0.1, 0], exclude: [], seed: 3 }).perSplit.test).toBe(0);
  });

  it('handles no images at all', () => {
    expect(planSplits([], { ratios: DEFAULT, exclude: [], seed: 1 })).toMatchObject({ perSplit: { train: 0, validation: 0, test: 0 } });
  });
});

describe('exclusionReasons', () => {
  const flagged = item('p1', 'a', { issues: ['dark', 'near_duplicate'] });
  const rated2 = item('p2', 'a', { review: { relevance: 2, inappropriate: false } });
  const rated4Inappropriate = item('p3', 'a', { review: { relevance: 4, inappropriate: true } });
  const clean = item('p4', 'a');
  const cases: Array<[string, SplitItem, ExcludePolicy[], string[]]> = [
    ['no policy keeps a flagged image', flagged, [], []],
    ['issues', flagged, [{ kind: 'issues' }], ['issue:dark', 'issue:near_duplicate']],
    ['issues ignores a low rating', rated2, [{ kind: 'issues' }], []],
    ['rated-below=3', rated2, [{ kind: 'rated-below', relevance: 3 }], ['rated 2 (below 3)']],
    ['rated-below=2 keeps a 2', rated2, [{ kind: 'rated-below', relevance: 2 }], []],
    ['rated-below=5 drops a 4', rated4Inappropriate, [{ kind: 'rated-below', relevance: 5 }], ['rated 4 (below 5)']],
    ['inappropriate', rated4Inappropriate, [{ kind: 'inappropriate' }], ['marked inappropriate']],
    ['inappropriate, from the judge flag', item('p5', 'a', { issues: ['inappropriate_content'] }), [{ kind: 'inappropriate' }], ['issue:inappropriate_content']],
    ['not-usable is usableVerdict', rated2, [{ kind: 'not-usable' }], ['rated 2 (below 3)']],
    ['combined policies list each reason once', flagged, [{ kind: 'issues' }, { kind: 'not-usable' }], ['issue:dark', 'issue:near_duplicate']],
    ['a clean image under every policy', clean, [{ kind: 'issues' }, { kind: 'not-usable' }, { kind: 'inappropriate' }, { kind: 'rated-below', relevance: 5 }], []],
    ['unreadable always', item('p6', 'a', { issues: ['unreadable'] }), [], ['issue:unreadable']],
  ];
  it.each(cases)('%s', (_name, input, policies, reasons) => {
    expect(exclusionReasons(input, policies)).toEqual(reasons);
  });
});

describe('dataset option parsers', () => {
  const splits: Array<[string, [number, number, number] | RegExp]> = [
    ['0.8,0.1,0.1', [0.8, 0.1, 0.1]],
    ['80,10,10', [0.8, 0.1, 0.1]],
    ['0.7, 0.15, 0.15', [0.7, 0.15, 0.15]],
    ['0.9,0.1,0', [0.9, 0.1, 0]],
    ['0.8,0.2', /three/],
    ['0.8,0.1,0.2', /sum to 1/],
    ['0,0.5,0.5', /train share/],
    ['-0.1,0.6,0.5', /three/],
    ['a,b,c', /three/],
  ];
  it.each(splits)('--split %s', (text, expected) => {
    const result = parseSplitRatios(text);
    if (expected instanceof RegExp) expect(result).toMatch(expected);
    else (result as number[]).forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 9));
  });

  const excludes: Array<[string, ExcludePolicy[] | RegExp]> = [
    ['issues', [{ kind: 'issues' }]],
    ['issues,inappropriate,rated-below=3', [{ kind: 'issues' }, { kind: 'inappropriate' }, { kind: 'rated-below', relevance: 3 }]],
    ['not-usable', [{ kind: 'not-usable' }]],
    ['rated-below=9', /from 2 to 5/],
    ['blurry', /unknown policy "blurry"/],
    ['', []],
  ];
  it.each(excludes)('--exclude %s', (text, expected) => {
    const result = parseExcludePolicies(text);
    if (expected instanceof RegExp) expect(result).toMatch(expected);
    else expect(result).toEqual(expected);
  });
});
