import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closestName } from '../../functions/core/scenario/index.js';
import { checkScenario } from '../../scripts/commands/scenario-check.js';
import { scratchDir } from '../support/scratch.js';

const dir = scratchDir('scenario-check-');
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const valid = { name: 'Harbour', variables: { weather: ['in rain', 'at dawn'] }, categories: { quay: { template: 'A quay {weather}. {style}' }, market: { template: 'A market' } } };
const variant = (change: Record<string, unknown>) => JSON.stringify({ ...valid, ...change });
mkdirSync(join(dir, 'folder.json'));
// A link to itself cannot be read by anyone, root included (ELOOP); a chmod 000 file can be by root.
const unreadable = join(dir, 'loop.json');
symlinkSync('loop.json', unreadable);

describe('checkScenario', () => {
  it.each([
    ['a missing file', join(dir, 'missing.json'), undefined, `scenario file ${join(dir, 'missing.json')} does not exist`],
    ['a near miss of a file name', join(dir, 'valid.jsn'), undefined, `scenario file ${join(dir, 'valid.jsn')} does not exist; did you mean ${dir}/valid.json?`],
    ['a directory', join(dir, 'folder.json'), undefined, `scenario file ${join(dir, 'folder.json')} is a directory; give a .json file`],
    ['invalid JSON', file('syntax.json', '{\n  "name": "H",\n  "categories": {,}\n}'), undefined, `${join(dir, 'syntax.json')} (line 3, column 18): not valid JSON: Expected property name or '}' in JSON at position 34`],
    ['truncated JSON', file('short.json', '{"name": "H"'), undefined, `${join(dir, 'short.json')} (line 1, column 13): not valid JSON: Expected ',' or '}' after property value in JSON at position 12`],
    ['a misspelt field', file('field.json', variant({ varibles: {} })), undefined, `${join(dir, 'field.json')}: unknown field "varibles"; did you mean "variables"?`],
    ['a misspelt category field', file('catfield.json', variant({ categories: { quay: { templat: 'x' } } })), undefined, `${join(dir, 'catfield.json')}: categories.quay.template: missing; it must be a string\n${join(dir, 'catfield.json')}: categories.quay: unknown field "templat"; did you mean "template"?`],
    ['a wrong type', file('type.json', variant({ name: 7 })), undefined, `${join(dir, 'type.json')}: name: Invalid input: expected string, received number`],
    ['an unknown placeholder', file('placeholder.json', variant({ categories: { quay: { template: 'A quay {wether}' } } })), undefined, `${join(dir, 'placeholder.json')}: categories.quay.template: unknown placeholder {wether}: did you mean {weather}?`],
    ['a wrong category with nothing close', file('valid.json', JSON.stringify(valid)), ['harbour'], `--categories: "harbour" is not a category of ${join(dir, 'valid.json')}. Its categories: quay, market`],
    ['a placeholder with nothing close', file('far.json', variant({ categories: { quay: { template: 'A quay {mood}' } } })), undefined, `${join(dir, 'far.json')}: categories.quay.template: unknown placeholder {mood}: define "mood" in the scenario's or the category's variables`],
    ['an unknown threshold', file('threshold.json', variant({ quality: { thresholds: { darkP98: 0.2 } } })), undefined, expect.stringContaining(`quality.thresholds: unknown quality threshold "darkP98"; did you mean "darkP99"?`)],
    ['an unknown category', file('valid.json', JSON.stringify(valid)), ['quai'], `--categories: "quai" is not a category of ${join(dir, 'valid.json')}; did you mean "quay"? Its categories: quay, market`],
    ['an unknown built-in category', undefined, ['portraits'], expect.stringContaining('--categories: "portraits" is not a category of the built-in scenario; did you mean "individual_portraits"? Its categories: protest_scenes,')],
    ['a close built-in category', undefined, ['protest'], expect.stringContaining('did you mean "protest_scenes"?')],
  ])('reports %s', (_, path, categories, expected) => {
    const result = checkScenario(path as string | undefined, categories as string[] | undefined);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toEqual(expected);
  });

  it('reports an unreadable file with the reason', () => {
    expect(checkScenario(unreadable, undefined)).toEqual({ ok: false, error: expect.stringMatching(new RegExp(`^scenario file ${unreadable} cannot be read: ELOOP`)) });
  });

  it('accepts a valid scenario and categories, and the built-in one', () => {
    expect(checkScenario(file('ok.json', JSON.stringify(valid)), ['market']).ok).toBe(true);
    expect(checkScenario(undefined, ['gatherings']).ok).toBe(true);
  });
});

describe('closestName, as the commands use it', () => {
  it.each([
    ['wether', ['weather', 'crowd'], 'weather'],
    ['cuont', ['count'], 'count'],
    ['Weather', ['weather'], 'weather'],
    ['protest', ['protest_scenes', 'gatherings'], 'protest_scenes'],
    ['mood', ['weather', 'crowd'], undefined],
    ['x', ['y'], undefined],
    ['constructor', [], undefined],
  ])('%s among %j is %s', (typed, known, expected) => expect(closestName(typed, known)).toBe(expected));
});
