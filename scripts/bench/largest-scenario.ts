/**
 * The costliest scenario the schema accepts for planning, for bench:planner and the tests: as
 * close to the 256 KiB inline limit as it goes, with hundreds of long axes in one template, a
 * long context, and a combination space just over 500 so the duplicate repair has work to do.
 */
import { MAX_PROMPT_BYTES } from '../../functions/core/scenario/index.js';
import { MAX_SCENARIO_BYTES } from '../../functions/core/scenario/index.js';

export function largestScenario(): Record<string, unknown> {
  const value = (axis: number, i: number) => `${'v'.repeat(20)} ${axis}-${i}`;
  // Nine two-valued axes: 512 combinations, just over the 500 prompts asked for.
  const variables: Record<string, string[]> = {};
  for (let axis = 0; axis < 9; axis++) variables[`pair${axis}`] = [value(axis, 0), value(axis, 1)];
  // Then as many single-valued axes as the prompt limit allows in the template.
  const template: string[] = Object.keys(variables).map((name) => `{${name}}`);
  let longest = 4000 + 9 * 30;
  for (let axis = 0; longest + 330 < MAX_PROMPT_BYTES - 4000 && template.join(' ').length < 3900; axis++) {
    variables[`solo${axis}`] = [`${'s'.repeat(290)} ${axis}`];
    template.push(`{solo${axis}}`);
    longest += 300;
  }
  const categories: Record<string, unknown> = {};
  const scenario = { name: 'largest', context: 'c'.repeat(3900), style: 's'.repeat(900), variables, categories };
  // Categories, each with its own unused padding axis, until the inline size limit is reached.
  for (let i = 0; Buffer.byteLength(JSON.stringify(scenario)) < MAX_SCENARIO_BYTES - 40_000; i++) {
    categories[`category-${i}`] = { template: `Scene ${i}: {context} ${template.join(' ')}`, variables: { padding: Array.from({ length: 100 }, (_, n) => `${'p'.repeat(280)} ${n}`) }, weight: 1 + (i % 3) };
  }
  return scenario;
}
