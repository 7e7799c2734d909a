/** The pure parts of a revision: what a selection takes, how an amendment changes prompts, and which version a lineage's dataset holds. */
import { describe, expect, it } from 'vitest';
import { amendScenario, lineageView, revisionPrompt, selectSlots, type LineagePrompt, type SelectablePrompt } from '../../functions/core/revisions/index.js';
import { planPrompts, type Scenario } from '../../functions/core/scenario/index.js';
import { builtinScenarios } from '../../functions/scenarios/index.js';

const scenario = builtinScenarios().get('default') as Scenario;
const planned = planPrompts(scenario, { count: 20, seed: 7 });
const slots = planned.map(({ promptId, index, category, variables }) => ({ promptId, index, category, variables }));

const image = (promptId: string, patch: Partial<SelectablePrompt> = {}): SelectablePrompt => ({ promptId, status: 'assessed', issues: [], review: null, ...patch });
const rated = (relevance: number | null, inappropriate = false) => ({ relevance, inappropriate });

describe('selectSlots', () => {
  const prompts = [
    image('p0001'),
    image('p0002', { review: rated(1) }),
    image('p0003', { review: rated(2) }),
    image('p0004', { review: rated(3) }),
    image('p0005', { review: rated(5, true) }),
    image('p0006', { issues: ['dark'] }),
    image('p0007', { status: 'failed', review: null }),
    image('p0008', { status: 'failed' }),
  ];

  it('takes rated 1 or 2, or marked inappropriate, as rejected; a 3 is not', () => {
    expect(selectSlots('r', prompts, 'rejected')).toEqual({ ok: true, promptIds: ['p0002', 'p0003', 'p0005'] });
  });

  it('follows the usable verdict for not-usable, the flags for flagged, and the ended-without-image for failed', () => {
    expect(selectSlots('r', prompts, 'not-usable')).toEqual({ ok: true, promptIds: ['p0002', 'p0003', 'p0005', 'p0006'] });
    expect(selectSlots('r', prompts, 'flagged')).toEqual({ ok: true, promptIds: ['p0006'] });
    expect(selectSlots('r', prompts, 'failed')).toEqual({ ok: true, promptIds: ['p0007', 'p0008'] });
  });

  it('keeps named prompts in plan order, answers 404 for a prompt the run lacks and 400 for a selection of nothing', () => {
    expect(selectSlots('r', prompts, { promptIds: ['p0004', 'p0001'] })).toEqual({ ok: true, promptIds: ['p0001', 'p0004'] });
    expect(selectSlots('r', prompts, { promptIds: ['p0001', 'p0099'] })).toMatchObject({ ok: false, status: 404, message: expect.stringContaining('p0099') });
    expect(selectSlots('r', prompts.slice(0, 1), 'rejected')).toMatchObject({ ok: false, status: 400, message: expect.stringMatching(/matches no prompt.*nothing to regenerate/) });
  });
});

describe('amendScenario and revisionPrompt', () => {
  it('without an amendment, regenerates the very prompts of the plan with new seeds', () => {
    const result = amendScenario(scenario, undefined, slots);
    if (!result.ok) throw new Error(result.message);
    for (const [i, slot] of slots.entries()) {
      const again = revisionPrompt(result.scenario, slot, 99);
      expect(again.prompt).toBe(planned[i]?.prompt);
      expect(again.variables).toEqual(planned[i]?.variables);
      expect(again.seed).not.toBe(planned[i]?.seed);
    }
  });

  it('appends the text to every prompt and changes nothing else', () => {
    const result = amendScenario(scenario, { append: 'No text or signage in the image.' }, slots);
    if (!result.ok) throw new Error(result.message);
    for (const [i, slot] of slots.entries()) expect(revisionPrompt(result.scenario, slot, 1).prompt).toBe(`${planned[i]?.prompt} No text or signage in the image.`);
  });

  it("replaces one category's template, leaving the others' prompts as they were", () => {
    const result = amendScenario(scenario, { templates: { gatherings: 'A quiet gathering: {crowd} {activity} in a {setting}, {time_of_day}, {weather}.' } }, slots);
    if (!result.ok) throw new Error(result.message);
    for (const [i, slot] of slots.entries()) {
      const prompt = revisionPrompt(result.scenario, slot, 1).prompt;
      if (slot.category === 'gatherings') expect(prompt).toMatch(/^A quiet gathering: /);
      else expect(prompt).toBe(planned[i]?.prompt);
    }
  });

  it('names the amendment field of each error, with the scenario’s own messages', () => {
    const fail = (amend: Parameters<typeof amendScenario>[1]) => {
      const result = amendScenario(scenario, amend, slots);
      if (result.ok) throw new Error('accepted');
      return result.fields;
    };
    expect(fail({ templates: { gathering: '{crowd}' } })).toEqual([expect.objectContaining({ field: 'amend.templates.gathering', suggestion: 'gatherings' })]);
    expect(fail({ templates: { gatherings: '{crowd} at {tiem_of_day}' } })[0]).toMatchObject({ field: 'amend.templates.gatherings', message: expect.stringContaining('did you mean {time_of_day}') });
    expect(fail({ append: '{context}'.repeat(200) })[0]).toMatchObject({ field: 'amend.append', message: expect.stringMatching(/longest prompt .* bytes; the limit is 16384 bytes/) });
    expect(fail({ exclude: [{ weather: ['in thick fog'], colour: ['red'] }] })[0]).toMatchObject({ field: 'amend.exclude.0.colour', message: 'unknown axis "colour"' });
  });

  it('refuses a new exclusion that covers a selected slot, since the slot keeps its values', () => {
    const slot = slots.find((s) => s.variables.weather !== undefined && s.variables.time_of_day !== undefined) as (typeof slots)[number];
    const rule = { weather: [slot.variables.weather as string], time_of_day: [slot.variables.time_of_day as string] };
    const result = amendScenario(scenario, { exclude: [rule] }, [slot]);
    expect(result).toMatchObject({ ok: false, fields: [{ field: 'amend.exclude', message: expect.stringContaining(slot.promptId) }] });
    expect(amendScenario(scenario, { exclude: [rule] }, slots.filter((s) => s.variables.weather !== rule.weather[0] || s.variables.time_of_day !== rule.time_of_day[0]))).toMatchObject({ ok: true });
  });
});

describe('lineageView', () => {
  const version = (runId: string, promptId: string, v: number, patch: Partial<LineagePrompt> = {}): LineagePrompt => ({
    runId, promptId, status: 'assessed', issues: [], review: null, ...(v > 1 ? { version: v, replaces: `${v === 2 ? 'root' : 'rev1'}/${promptId}` } : {}), ...patch,
  });
  const rejected = { review: rated(1) };
  const root = [version('root', 'p0001', 1), version('root', 'p0002', 1, rejected), version('root', 'p0003', 1, rejected), version('root', 'p0004', 1, { status: 'failed' })];
  const rev1 = [version('rev1', 'p0002', 2), version('rev1', 'p0003', 2, rejected), version('rev1', 'p0004', 2, { issues: ['dark'] })];
  const rev2 = [version('rev2', 'p0003', 3), version('rev2', 'p0002', 3, { issues: ['blurry'] })];

  it('takes the latest usable version of each slot, else the original, else the latest with an image', () => {
    const view = lineageView(root, [rev1, rev2]);
    expect(view.chosen.map((p) => `${p.runId}/${p.promptId}`)).toEqual(['root/p0001', 'rev1/p0002', 'rev2/p0003', 'rev1/p0004']);
    expect(lineageView(root, [rev1]).chosen.map((p) => p.runId)).toEqual(['root', 'rev1', 'root', 'rev1']);
  });

  it('lists every version in order with what it replaces and what replaced it', () => {
    const slot3 = lineageView(root, [rev1, rev2]).versions.filter((v) => v.prompt.promptId === 'p0003');
    expect(slot3.map(({ imageId, version, replaces, replacedBy, chosen }) => ({ imageId, version, replaces, replacedBy, chosen }))).toEqual([
      { imageId: 'root/p0003', version: 1, replaces: null, replacedBy: ['rev1/p0003'], chosen: false },
      { imageId: 'rev1/p0003', version: 2, replaces: 'root/p0003', replacedBy: ['rev2/p0003'], chosen: false },
      { imageId: 'rev2/p0003', version: 3, replaces: 'rev1/p0003', replacedBy: [], chosen: true },
    ]);
  });
});
