import { describe, expect, it } from 'vitest';
import { axesOf, placeholdersIn, scenarioSchema } from '../../functions/core/scenario/index.js';
import scenarioJson from '../../functions/scenarios/default-scenario.json' with { type: 'json' };

const CATEGORIES = ['protest_scenes', 'gatherings', 'individual_portraits', 'contextual_scenes'];

describe('default scenario', () => {
  const scenario = scenarioSchema.parse(scenarioJson);

  it('validates against the scenario schema', () => {
    expect(scenarioSchema.safeParse(scenarioJson).success).toBe(true);
  });

  it('has exactly the four workshop categories', () => {
    expect(Object.keys(scenario.categories).sort()).toEqual([...CATEGORIES].sort());
  });

  it('shares the standard axes with 6 to 10 values each', () => {
    for (const axis of ['setting', 'time_of_day', 'weather', 'crowd', 'perspective', 'mood']) {
      const values = scenario.variables[axis] ?? [];
      expect(values.length, axis).toBeGreaterThanOrEqual(6);
      expect(values.length, axis).toBeLessThanOrEqual(10);
      expect(new Set(values).size, axis).toBe(values.length);
    }
  });

  it('defines every placeholder and ends each template with the style', () => {
    for (const [name, category] of Object.entries(scenario.categories)) {
      const known = new Set(['style', 'context', ...Object.keys(scenario.variables), ...Object.keys(category.variables)]);
      for (const placeholder of placeholdersIn(category.template)) expect(known.has(placeholder), `${name}: {${placeholder}}`).toBe(true);
      expect(category.template.trim().endsWith('Style: {style}.'), name).toBe(true);
    }
  });

  it('has at least 500 distinct prompts per category', () => {
    for (const name of CATEGORIES) {
      const combinations = Object.values(axesOf(scenario, name)).reduce((product, values) => product * values.length, 1);
      expect(combinations, name).toBeGreaterThanOrEqual(500);
    }
  });

  it('gives portraits a single subject and contextual scenes objects instead of crowds', () => {
    expect(Object.keys(axesOf(scenario, 'individual_portraits'))).toContain('subject');
    expect(Object.keys(axesOf(scenario, 'individual_portraits'))).not.toContain('crowd');
    expect(Object.keys(axesOf(scenario, 'contextual_scenes'))).toContain('detail');
    expect(Object.keys(axesOf(scenario, 'contextual_scenes'))).not.toContain('crowd');
  });
});
