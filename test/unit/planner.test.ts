import { describe, expect, it } from 'vitest';
import { allocateByWeight, balancedCombinations, planPrompts } from '../../functions/core/scenario/index.js';
import { createRandom } from '../../functions/core/scenario/index.js';
import { axesOf, scenarioSchema } from '../../functions/core/scenario/index.js';
import { builtinScenarios, DEFAULT_SCENARIO } from '../../functions/scenarios/index.js';

const scenario = builtinScenarios().get(DEFAULT_SCENARIO)!;

const small = scenarioSchema.parse({
  name: 'small',
  style: 'flat colours',
  variables: { place: ['square', 'market', 'port'], light: ['dawn', 'noon'] },
  categories: {
    street: { template: 'A {place} at {light} with {who}. Style: {style}.', variables: { who: ['a crowd', 'a couple'] }, weight: 2 },
    quiet: { template: 'An empty {place} at {light}.', weight: 1 },
  },
});

describe('allocateByWeight', () => {
  it.each([
    { weights: [3, 2, 2, 2], total: 60, expected: [20, 14, 13, 13] },
    { weights: [1, 1, 1], total: 10, expected: [4, 3, 3] },
    { weights: [1], total: 7, expected: [7] },
    { weights: [5, 1], total: 1, expected: [1, 0] },
  ])('splits $total over weights $weights', ({ weights, total, expected }) => {
    const result = allocateByWeight(weights.map((weight, i) => ({ name: `c${i}`, weight })), total);
    expect(result.map((r) => r.count)).toEqual(expected);
    expect(result.reduce((sum, r) => sum + r.count, 0)).toBe(total);
  });
});

describe('planPrompts', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = planPrompts(scenario, { count: 60, seed: 42 });
    expect(planPrompts(scenario, { count: 60, seed: 42 })).toEqual(a);
    expect(planPrompts(scenario, { count: 60, seed: 43 }).map((p) => p.prompt)).not.toEqual(a.map((p) => p.prompt));
  });

  it.each([20, 60, 100, 500])('never repeats a prompt text in %i prompts of the built-in scenario', (count) => {
    const prompts = planPrompts(scenario, { count, seed: 7 });
    expect(prompts).toHaveLength(count);
    expect(new Set(prompts.map((p) => p.prompt)).size).toBe(count);
    expect(new Set(prompts.map((p) => p.promptId)).size).toBe(count);
  });

  it.each([13, 60, 200])('uses no axis value more than ⌈n/k⌉ times within a category (n=%i)', (count) => {
    const prompts = planPrompts(scenario, { count, seed: 11 });
    for (const category of Object.keys(scenario.categories)) {
      const inCategory = prompts.filter((p) => p.category === category);
      for (const [axis, values] of Object.entries(axesOf(scenario, category))) {
        const limit = Math.ceil(inCategory.length / values.length);
        const uses = new Map<string, number>();
        for (const prompt of inCategory) uses.set(prompt.variables[axis]!, (uses.get(prompt.variables[axis]!) ?? 0) + 1);
        expect(Math.max(...uses.values()), `${category}.${axis}`).toBeLessThanOrEqual(limit);
      }
    }
  });

  it('fills every placeholder, including style', () => {
    for (const prompt of planPrompts(small, { count: 9, seed: 1 })) {
      expect(prompt.prompt).not.toMatch(/[{}]/);
      if (prompt.category === 'street') expect(prompt.prompt).toContain('Style: flat colours.');
    }
  });

  it('spreads by weight and honours a category subset', () => {
    expect(planPrompts(small, { count: 9, seed: 1 }).filter((p) => p.category === 'street')).toHaveLength(6);
    expect(new Set(planPrompts(small, { count: 5, seed: 1, categories: ['quiet'] }).map((p) => p.category))).toEqual(new Set(['quiet']));
  });

  it('repeats only when the space is exhausted', () => {
    const prompts = planPrompts(small, { count: 10, seed: 3, categories: ['quiet'] });
    expect(new Set(prompts.map((p) => p.prompt)).size).toBe(6);
  });
});

describe('balancedCombinations', () => {
  it('finds all combinations when n equals the space', () => {
    const rows = balancedCombinations({ a: ['1', '2', '3'], b: ['x', 'y'], c: ['p', 'q'] }, 12, createRandom(5));
    expect(new Set(rows.map((r) => `${r.a}${r.b}${r.c}`)).size).toBe(12);
  });
});
