import { describe, expect, it } from 'vitest';
import { parseRunRequest } from '../../functions/core/scenario/index.js';
import { closestName, editDistance } from '../../functions/core/scenario/index.js';
import { builtinScenarios, DEFAULT_SCENARIO } from '../../functions/scenarios/index.js';

const parse = (body: unknown) => parseRunRequest(body, builtinScenarios(), DEFAULT_SCENARIO);
const scenario = (template: string) => ({ name: 'x', variables: { time_of_day: ['at dawn'], weather: ['rain'] }, categories: { street: { template } } });

describe('suggestions for names typed wrong', () => {
  it.each([
    { a: 'kitten', b: 'sitting', d: 3 },
    { a: 'time_of_dya', b: 'time_of_day', d: 1 }, // a swapped pair is one edit
    { a: 'ca', b: 'abc', d: 3 }, // optimal string alignment: no edits inside a transposed pair
    { a: '', b: 'abc', d: 3 },
  ])('editDistance($a, $b) = $d', ({ a, b, d }) => expect(editDistance(a, b)).toBe(d));

  it.each([
    { typed: 'time_of_dya', known: ['time_of_day', 'weather'], want: 'time_of_day' },
    { typed: 'cout', known: ['count', 'seed'], want: 'count' },
    { typed: 'zzz', known: ['count', 'seed'], want: undefined },
    { typed: 'ab', known: ['ac', 'ad'], want: undefined }, // a tie suggests nothing
    { typed: 'constructor', known: ['weather'], want: undefined },
  ])('closestName($typed) = $want', ({ typed, known, want }) => expect(closestName(typed, known)).toBe(want));

  it.each([
    { body: { count: 2, scenario: scenario('A {time_of_dya} street.') }, field: 'scenario.categories.street.template', message: 'unknown placeholder {time_of_dya}: did you mean {time_of_day}?', suggestion: '{time_of_day}' },
    { body: { count: 2, cout: 2 }, field: 'cout', message: 'unknown field "cout"; did you mean "count"?', suggestion: 'count' },
    { body: { count: 2, image: { aspectRatoi: '1:1' } }, field: 'image.aspectRatoi', message: 'unknown field "aspectRatoi"; did you mean "aspectRatio"?', suggestion: 'aspectRatio' },
    { body: { count: 2, scenario: 'defualt' }, field: 'scenario', message: /did you mean "default"\?/, suggestion: 'default' },
    { body: { count: 2, categories: ['gatherngs'] }, field: 'categories', message: /did you mean "gatherings"\?/, suggestion: 'gatherings' },
    { body: { count: 2, scenario: scenario('A {nothing_like_it} street.') }, field: 'scenario.categories.street.template', message: /define "nothing_like_it"/, suggestion: undefined },
  ])('$field: $message', ({ body, field, message, suggestion }) => {
    const result = parse(body);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.fields).toHaveLength(1);
    expect(result.fields[0]?.field).toBe(field);
    if (typeof message === 'string') expect(result.fields[0]?.message).toBe(message);
    else expect(result.fields[0]?.message).toMatch(message);
    expect(result.fields[0]?.suggestion).toBe(suggestion);
    expect(result.message).toContain(result.fields[0]?.suggestion ?? field.split(".")[0]);
  });
});
