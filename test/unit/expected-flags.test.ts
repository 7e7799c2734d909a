import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createEmbeddedProvider } from '../../functions/adapters/embedded/embedded-provider.js';
import { decodeImage } from '../../functions/adapters/image-decoder.js';
import { computeMetrics } from '../../functions/core/quality/index.js';
import { planPrompts, type PlannedPrompt } from '../../functions/core/scenario/index.js';
import { runQuality } from '../../functions/core/runs/index.js';
import { scenarioSchema } from '../../functions/core/scenario/index.js';
import { expectedFlags } from '../../functions/core/scenario/index.js';
import { usableVerdict } from '../../functions/core/runs/index.js';
import { builtinScenarios, DEFAULT_SCENARIO } from '../../functions/scenarios/index.js';

const scenario = builtinScenarios().get(DEFAULT_SCENARIO)!;
const NIGHT = 'at night, lit by sodium streetlights';
const NOON = 'at midday in harsh, high sunlight';

/** A prompt of the built-in scenario with its time of day set, rendered, darkened when asked, and assessed. */
async function assessed(index: number, time: string, darken: boolean) {
  const planned = planPrompts(scenario, { count: 20, seed: 5 }).find((p) => p.category === 'protest_scenes' && !/fog|haze/.test(p.prompt)) as PlannedPrompt;
  const variables = { ...planned.variables, time_of_day: time, weather: 'under clear skies' };
  const png = (await createEmbeddedProvider().generate({ ...planned, variables, prompt: `${planned.prompt} ${time}` })).png;
  const bytes = darken ? await sharp(png).linear(0.2, 0).png().toBuffer() : png;
  return { ...planned, promptId: `p${index}`, index, variables, status: 'assessed' as const, failureReason: null, metrics: computeMetrics(await decodeImage(bytes)) };
}

describe('expected flags', () => {
  it('reports a night scene\'s dark as expected, and a dark noon image as an issue', async () => {
    const prompts = [await assessed(1, NIGHT, true), await assessed(2, NOON, true)];
    const { byPrompt, report } = runQuality({ scenario }, prompts);
    expect(byPrompt.get('p1')).toMatchObject({ expected: ['dark'] });
    expect(byPrompt.get('p1')?.issues).not.toContain('dark');
    expect(byPrompt.get('p2')?.issues).toContain('dark');
    expect(byPrompt.get('p2')?.expected).toEqual([]);
    expect(report.issueCounts.dark).toBe(1);
    expect(report.expectedCounts.dark).toBe(1);
    // usable counts issues only, so the expected flag never makes the night image unusable.
    expect(usableVerdict({ issues: byPrompt.get('p1')?.issues ?? [], review: null }).reasons).not.toContain('issue:dark');
    expect(usableVerdict({ issues: byPrompt.get('p2')?.issues ?? [], review: null }).reasons).toContain('issue:dark');
  });

  it('the built-in scenario declares its expectations for night, blue hour, fog and haze', () => {
    expect(expectedFlags({ time_of_day: NIGHT }, scenario.expectations)).toEqual(new Set(['dark']));
    expect(expectedFlags({ weather: 'in thick fog', time_of_day: NIGHT }, scenario.expectations)).toEqual(new Set(['dark', 'low_information']));
    expect(expectedFlags({ time_of_day: NOON }, scenario.expectations)).toEqual(new Set());
  });

  it.each([
    [{ 'at noon': { expect: ['dark'] } }, 'expectations.at noon: "at noon" is not a value of any axis'],
    [{ 'at night': { expect: ['off_prompt'] } }, 'expectations.at night.expect.0'],
  ])('rejects expectations %j', (expectations, message) => {
    const result = scenarioSchema.safeParse({ name: 's', variables: { time: ['at night'] }, expectations, categories: { c: { template: 'A street {time}.' } } });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')).toContain(message);
  });

  it('keys expectations by value text, so "constructor" is an ordinary value', () => {
    expect(expectedFlags({ a: 'constructor', b: '__proto__' }, { constructor: { expect: ['dark' as const] } })).toEqual(new Set(['dark']));
    expect(expectedFlags({ a: 'toString' }, {})).toEqual(new Set());
  });
});
