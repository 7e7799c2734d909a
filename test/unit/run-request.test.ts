import { describe, expect, it } from 'vitest';
import { parseRunRequest } from '../../functions/core/scenario/index.js';
import { builtinScenarios, DEFAULT_SCENARIO } from '../../functions/scenarios/index.js';

const builtins = builtinScenarios();
const parse = (body: unknown) => parseRunRequest(body, builtins, DEFAULT_SCENARIO);
const inline = { name: 'x', variables: { a: ['1', '2'] }, categories: { one: { template: 'A {a}.' } } };

describe('parseRunRequest', () => {
  it.each([
    { body: { count: 20 }, count: 20 },
    { body: { count: 1, seed: 5 }, count: 1 },
    { body: { count: 500, scenario: 'default' }, count: 500 },
    { body: { count: 3, scenario: inline }, count: 3 },
    { body: { count: 3, categories: ['gatherings'] }, count: 3 },
  ])('accepts $body', ({ body, count }) => {
    const result = parse(body);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.count).toBe(count);
  });

  it.each([
    { body: [], message: /JSON object/ },
    { body: 'count', message: /JSON object/ },
    { body: null, message: /JSON object/ },
    { body: {}, message: /count/ },
    { body: { count: 0 }, message: /count: count must be at least 1/ },
    { body: { count: 10_000 }, message: /count: count must be at most 500/ },
    { body: { count: 2.5 }, message: /whole number/ },
    { body: { count: '20' }, message: /count/ },
    { body: { cout: 20, count: 2 }, message: /unknown field "cout"/ },
    { body: { count: 2, seed: -1 }, message: /seed/ },
    { body: { count: 2, scenario: 'atlantis' }, message: /unknown built-in scenario "atlantis"/ },
    { body: { count: 2, categories: ['nope'] }, message: /"nope" not in scenario/ },
    { body: { count: 2, scenario: { ...inline, categories: { one: { template: 'A {b}.' } } } }, message: /scenario\.categories\.one\.template: unknown placeholder \{b\}/ },
    { body: { count: 2, scenario: { ...inline, categories: { 'Bad Name': { template: 'A {a}.' } } } }, message: /\[a-z0-9_-\]\+/ },
    { body: { count: 2, scenario: { ...inline, extra: 1 } }, message: /scenario: unknown field "extra"/ },
    { body: { count: 2, scenario: { ...inline, categories: { one: { template: 'A {constructor}.' } } } }, message: /unknown placeholder \{constructor\}/ },
    { body: { count: 2, scenario: { ...inline, categories: { one: { template: 'A {__proto__}.' } } } }, message: /unknown placeholder \{__proto__\}/ },
    { body: { count: 2, scenario: { ...inline, context: 'x'.repeat(300_000) } }, message: /limit is 262144 bytes/ },
  ])('rejects $body with a message saying what to fix', ({ body, message }) => {
    const result = parse(body);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});
