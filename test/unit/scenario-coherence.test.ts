import { describe, expect, it } from 'vitest';
import { planPrompts } from '../../functions/core/scenario/index.js';
import { axesOf, fillTemplate, type Scenario } from '../../functions/core/scenario/index.js';
import { compileRules, isExcluded, rulesFor } from '../../functions/core/scenario/index.js';
import { builtinScenarios, DEFAULT_SCENARIO } from '../../functions/scenarios/index.js';

/**
 * The built-in scenario's coherence: every combination the planner can reach (every combination
 * its exclusions allow) is checked against the contradictions written down here, and against
 * repeated phrases. A contradiction holds when the prompt matches both of its patterns.
 */
const PEOPLE = /\b(commuters|crowds?(?!-)|marchers|neighbours|residents|families|queue|queueing|person|waiting|vendors?)\b/;
const CONTRADICTIONS: Array<{ name: string; a: RegExp; b: RegExp; category?: string }> = [
  { name: 'a high sun behind cloud, rain or fog', a: /high sun/, b: /overcast|rain|fog/ },
  { name: 'golden-hour light through overcast, heavy rain or fog', a: /golden hour/, b: /overcast|heavy rain|thick fog/ },
  { name: 'sunlight at night, dawn, dusk or blue hour', a: /at night|at dawn|at dusk|blue hour/, b: /sunlight|high sun/ },
  { name: 'a candlelit vigil in daylight', a: /candlelit/, b: /at dawn|early morning|midday/ },
  { name: 'candles in heavy rain or a blustery wind', a: /candlelit/, b: /heavy rain|blustery/ },
  { name: 'a festive or energetic vigil', a: /vigil/, b: /festive|energetic/ },
  { name: 'a close-up of hundreds of people', a: /close-up/, b: /hundred/ },
  { name: 'a still or calm atmosphere in a blustery wind', a: /atmosphere is (eerily still|calm)/, b: /blustery/ },
  { name: 'people in a scene that has none', a: /no people in the frame|deserted/, b: PEOPLE, category: 'contextual_scenes' },
  { name: 'a strike during a pause in the unrest', a: /pause in the unrest/, b: /strike/ },
  { name: 'sitting and standing at once', a: /\bsitting\b/, b: /\bstanding\b/ },
  { name: 'facing the camera in profile', a: /towards the camera/, b: /profile|looking off/ },
  { name: 'a blurred and a sharp background', a: /out of focus|shallow depth of field/, b: /surroundings sharp|environmental/ },
  { name: 'drying in the wet', a: /drying/, b: /rain|fog/ },
  { name: 'a street view of a place without a street', a: /along the street/, b: /quayside|courtyard|promenade|forecourt/ },
  { name: 'busy and deserted', a: /\bbusy\b/, b: /deserted|no people|abandoned/ },
  { name: 'rain gear in dry weather', a: /raincoat|umbrella/, b: /clear skies|dusty haze|crisp air/ },
  { name: 'waiting while marching', a: /waiting/, b: /marching/ },
  { name: 'one person as a varied crowd', a: /a single person/, b: /marching|varied ages/ },
  { name: 'a fuel station where there is no road', a: /fuel station/, b: /quayside|hillside village|promenade|campus/ },
  { name: 'the strike shown twice', a: /strike notices/, b: /ticket hall|bus station/ },
];

const STOPWORDS = new Set('a an the of and in at on by to up with from under beneath during after through beside along about its his her their no is are as for or into out one off than this that over around between where'.split(' '));
const PREPOSITIONS = ['under', 'beneath', 'during', 'with', 'after', 'in', 'at', 'on', 'through', 'beside', 'along', 'by'];
const words = (text: string): string[] => text.toLowerCase().match(/[a-z][a-z'-]*/g) ?? [];
const contentBigrams = (text: string): string[] => {
  const list = words(text);
  return list.slice(1).flatMap((word, i) => (STOPWORDS.has(word) || STOPWORDS.has(list[i] as string) ? [] : [`${list[i]} ${word}`]));
};

/** What is wrong with one filled prompt, checked on its text. */
function problems(prompt: string, category: string, style: string): string[] {
  const text = prompt.replace(style, '').toLowerCase();
  const found = CONTRADICTIONS.filter((c) => (!c.category || c.category === category) && c.a.test(text) && c.b.test(text.replace(c.a, ''))).map((c) => c.name);
  const bigrams = contentBigrams(text);
  const repeated = bigrams.filter((bigram, i) => bigrams.indexOf(bigram) !== i);
  if (repeated.length) found.push(`repeated phrase "${repeated[0]}"`);
  for (const clause of text.split(/[,;.:]/)) {
    const clauseWords = words(clause);
    const twice = PREPOSITIONS.find((p) => clauseWords.filter((w) => w === p).length > 1);
    if (twice) found.push(`"${twice}" twice in "${clause.trim()}"`);
  }
  return found;
}

const scenario = builtinScenarios().get(DEFAULT_SCENARIO) as Scenario;
const style = scenario.style ?? '';
const rules = compileRules(scenario.exclude);

/**
 * Every check above is about two parts of a prompt at most (two values, or a value and the
 * template), so a combination is clean when each value alone and each pair of its values,
 * rendered with the template, are clean. Pairs are checked once, then every reachable
 * combination (millions for some categories) is enumerated against the table of bad pairs.
 */
function badPairsOf(category: string, axes: Array<[string, string[]]>) {
  const template = scenario.categories[category]?.template ?? '';
  // The other slots stay empty, so a pair's problems are its own.
  const base: Record<string, string> = { style, context: scenario.context ?? '' };
  const render = (overrides: Record<string, string>) => fillTemplate(template, { ...base, ...overrides });
  const single = axes.map(([axis, values]) => values.map((value) => problems(render({ [axis]: value }), category, style)));
  /** pair[a][b][i * |b| + j]: problems of value i of axis a with value j of axis b (b > a), or undefined. */
  const pair = axes.map(([axisA, valuesA], a) =>
    axes.map(([axisB, valuesB], b) => {
      const table: Array<string[] | undefined> = [];
      if (b <= a) return table;
      valuesA.forEach((valueA, i) =>
        valuesB.forEach((valueB, j) => {
          const found = problems(render({ [axisA]: valueA, [axisB]: valueB }), category, style);
          if (found.length) table[i * valuesB.length + j] = found;
        }),
      );
      return table;
    }),
  );
  return { single, pair };
}

describe('the built-in scenario is coherent', () => {
  for (const category of Object.keys(scenario.categories)) {
    it(`no reachable ${category} prompt contradicts itself or repeats a phrase`, () => {
      const axesRecord = axesOf(scenario, category);
      const axes = Object.entries(axesRecord);
      const categoryRules = rulesFor(axesRecord, rules);
      const { single, pair } = badPairsOf(category, axes);
      const failures: string[] = [];
      let reachable = 0;
      // The rules as per-axis masks over value indices, so millions of combinations need no objects.
      const masks = categoryRules.map((rule) => rule.map(([axis, values]) => {
        const a = axes.findIndex(([name]) => name === axis);
        return [a, axes[a]?.[1].map((value) => values.has(value)) ?? []] as const;
      }));
      const excluded = (index: number[]) => masks.some((rule) => rule.every(([a, allowed]) => allowed[index[a] as number]));
      const index = axes.map(() => 0);
      for (;;) {
        if (!excluded(index)) {
          reachable++;
          const combination = () => Object.fromEntries(axes.map(([axis, values], a) => [axis, values[index[a] as number] as string]));
          for (let a = 0; a < axes.length && failures.length < 5; a++) {
            const own = single[a]?.[index[a] as number] ?? [];
            if (own.length) failures.push(`${JSON.stringify(combination())}: ${own.join('; ')}`);
            for (let b = a + 1; b < axes.length; b++) {
              const found = pair[a]?.[b]?.[(index[a] as number) * (axes[b]?.[1].length ?? 0) + (index[b] as number)];
              if (found) failures.push(`${axes[a]?.[0]}="${combination()[axes[a]?.[0] as string]}" with ${axes[b]?.[0]}="${combination()[axes[b]?.[0] as string]}": ${found.join('; ')}`);
            }
          }
          if (failures.length >= 5) break;
        }
        let axis = axes.length - 1;
        while (axis >= 0 && (index[axis] = ((index[axis] as number) + 1) % (axes[axis]?.[1].length ?? 1)) === 0) axis--;
        if (axis < 0) break;
      }
      expect(failures).toEqual([]);
      expect(reachable).toBeGreaterThanOrEqual(500);
    });
  }

  it.each([60, 500])('the planner, %i prompts, never plans an excluded or contradictory prompt (checked on the text)', (count) => {
    for (const seed of [1, 2, 3]) {
      for (const prompt of planPrompts(scenario, { count, seed })) {
        expect(isExcluded(prompt.variables, rules), prompt.prompt).toBe(false);
        expect(problems(prompt.prompt, prompt.category, style), prompt.prompt).toEqual([]);
      }
    }
  });

  it('catches the contradictions the issue found in the old scenario', () => {
    expect(problems('At midday under a high sun under clear skies.', 'protest_scenes', '')).toContain('"under" twice in "at midday under a high sun under clear skies"');
    expect(problems('A row of idle minibuses parked during the transport strike during a pause in the unrest.', 'contextual_scenes', '')).toEqual(expect.arrayContaining(['a strike during a pause in the unrest']));
    expect(problems('Photographed at midday under a high sun in heavy rain.', 'protest_scenes', '')).toContain('a high sun behind cloud, rain or fog');
    expect(problems('A bus shelter with a short queue of waiting commuters. Composition: wide, no people in the frame.', 'contextual_scenes', '')).toContain('people in a scene that has none');
  });
});
