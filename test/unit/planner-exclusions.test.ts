import { describe, expect, it } from 'vitest';
import { balancedCombinations, planPrompts } from '../../functions/core/scenario/index.js';
import { createRandom } from '../../functions/core/scenario/index.js';
import { scenarioSchema } from '../../functions/core/scenario/index.js';
import { compileRules, isExcluded, type ExclusionRule } from '../../functions/core/scenario/index.js';

/** A random small problem: 2–4 axes of 2–6 values, and 1–3 rules over two axes each. */
function randomProblem(seed: number) {
  const random = createRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const axes: Record<string, string[]> = {};
  for (let a = 0; a < int(2, 4); a++) axes[`x${a}`] = Array.from({ length: int(2, 6) }, (_, v) => `x${a}v${v}`);
  const names = Object.keys(axes);
  const rules: ExclusionRule[] = Array.from({ length: int(1, 3) }, () => {
    const a = names[int(0, names.length - 1)] as string;
    const b = names.filter((n) => n !== a)[int(0, names.length - 2)] as string;
    const some = (values: string[]) => values.filter(() => random() < 0.35).slice(0, values.length - 1);
    return { [a]: some(axes[a] as string[]), [b]: some(axes[b] as string[]) };
  }).filter((rule) => Object.values(rule).every((values) => values.length > 0));
  const all = names.reduce<Array<Record<string, string>>>((rows, name) => rows.flatMap((row) => (axes[name] as string[]).map((value) => ({ ...row, [name]: value }))), [{}]);
  const allowed = all.filter((row) => !isExcluded(row, compileRules(rules)));
  return { axes, rules, allowed: allowed.length, count: int(1, Math.max(1, Math.ceil(all.length * 1.2))) };
}

describe('planner exclusions (property tests over 150 random problems)', () => {
  const problems = Array.from({ length: 150 }, (_, i) => ({ seed: i + 1, ...randomProblem(i + 1) })).filter((p) => p.allowed > 0);

  it('never plans an excluded combination', () => {
    for (const { seed, axes, rules, count } of problems) {
      for (const row of balancedCombinations(axes, count, createRandom(seed), compileRules(rules))) expect(isExcluded(row, compileRules(rules)), JSON.stringify({ seed, row })).toBe(false);
    }
  });

  it('is deterministic for a seed', () => {
    for (const { seed, axes, rules, count } of problems) {
      expect(balancedCombinations(axes, count, createRandom(seed), compileRules(rules))).toEqual(balancedCombinations(axes, count, createRandom(seed), compileRules(rules)));
    }
  });

  it('repeats no combination while the allowed ones suffice', () => {
    for (const { seed, axes, rules, count, allowed } of problems) {
      const rows = balancedCombinations(axes, count, createRandom(seed), compileRules(rules)).map((row) => JSON.stringify(row));
      if (allowed >= count) expect(new Set(rows).size, `seed ${seed}: ${count} of ${allowed} allowed`).toBe(count);
    }
  });

  it('keeps every value within ⌈n/k⌉ uses in at least 90 % of the problems where the exclusions leave each value room', () => {
    let [checked, strict] = [0, 0];
    const bent: string[] = [];
    for (const { seed, axes, rules, count } of problems) {
      const compiled = compileRules(rules);
      const all = Object.keys(axes).reduce<Array<Record<string, string>>>((rows, name) => rows.flatMap((row) => (axes[name] as string[]).map((value) => ({ ...row, [name]: value }))), [{}]);
      const allowed = all.filter((row) => !isExcluded(row, compiled));
      // Room: every value has at least twice its share of allowed combinations.
      const roomy = Object.entries(axes).every(([axis, values]) => values.every((v) => allowed.filter((row) => row[axis] === v).length >= 2 * Math.ceil(count / values.length)));
      if (!roomy) continue;
      checked++;
      const rows = balancedCombinations(axes, count, createRandom(seed), compiled);
      const over = Math.max(...Object.entries(axes).flatMap(([axis, values]) => values.map((value) => rows.filter((r) => r[axis] === value).length - Math.ceil(count / values.length))));
      if (over <= 0) strict++;
      else bent.push(`seed ${seed}: +${over}`);
    }
    // Exact balance can be impossible: with {x1: [v0], x3: [v0, v1]} excluded, x1=v0 appears only beside x3=v2, so one of them must exceed its share.
    console.log(`balanced within ⌈n/k⌉ in ${strict} of ${checked} roomy problems; ${bent.join(', ')}`);
    expect(checked).toBeGreaterThan(20);
    expect(strict / checked).toBeGreaterThanOrEqual(0.9);
  });

  it('plans a scenario with exclusions: none of its excluded pairs, and the same plan for the same seed', () => {
    const scenario = scenarioSchema.parse({
      name: 'weather',
      variables: { time: ['at midday', 'at dusk', 'at night'], weather: ['in sun', 'in fog', 'in rain'] },
      exclude: [{ time: ['at midday'], weather: ['in fog', 'in rain'] }, { time: ['at night'], weather: ['in sun'] }],
      categories: { street: { template: 'A street {time} {weather}.' } },
    });
    const prompts = planPrompts(scenario, { count: 5, seed: 9 });
    expect(prompts.map((p) => p.prompt).sort()).toEqual(['A street at dusk in fog.', 'A street at dusk in rain.', 'A street at dusk in sun.', 'A street at midday in sun.', 'A street at night in fog.', 'A street at night in rain.'].filter((_, i, all) => prompts.some((p) => p.prompt === all[i])).sort());
    expect(prompts.map((p) => p.prompt)).not.toContain('A street at midday in fog.');
    expect(new Set(prompts.map((p) => p.prompt)).size).toBe(5);
    expect(planPrompts(scenario, { count: 5, seed: 9 })).toEqual(prompts);
  });

  it.each([
    [{ weather: ['in snow'], time: ['at night'] }, 'exclude.0.weather: "in snow" is not a value of weather'],
    [{ wether: ['in sun'], time: ['at night'] }, 'exclude.0.wether: unknown axis "wether"'],
    [{ time: ['at night'] }, 'an exclusion names at least two axes'],
    [{ time: ['at midday', 'at dusk', 'at night'], weather: ['in sun', 'in fog', 'in rain'] }, 'the exclusions leave category "street" no allowed combination'],
  ])('rejects the exclusion %j', (rule, message) => {
    const result = scenarioSchema.safeParse({
      name: 'weather',
      variables: { time: ['at midday', 'at dusk', 'at night'], weather: ['in sun', 'in fog', 'in rain'] },
      exclude: [rule],
      categories: { street: { template: 'A street {time} {weather}.' } },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')).toContain(message);
  });
});
