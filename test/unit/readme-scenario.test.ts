import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planPrompts } from '../../functions/core/scenario/index.js';
import { scenarioSchema } from '../../functions/core/scenario/index.js';
import { projectRoot } from '../../scripts/lib/tools.js';

/** The example scenario in docs/scenarios.md, copied as is, must make sensible prompts. */
describe('the documented example scenario', () => {
  const page = readFileSync(join(projectRoot, 'docs', 'scenarios.md'), 'utf8');
  const json = /```json\n([\s\S]*?)\n```/.exec(page)?.[1] ?? '';

  it('is valid and plans prompts with every placeholder filled with real text', () => {
    const scenario = scenarioSchema.parse(JSON.parse(json));
    const prompts = planPrompts(scenario, { count: 8, seed: 1 });
    expect(prompts).toHaveLength(8);
    for (const { prompt } of prompts) {
      expect(prompt).not.toMatch(/[{}]|optional/);
      expect(prompt).toContain('Style: documentary photograph, natural light.');
    }
  });
});
