import { describe, expect, it } from 'vitest';
import { parseDevArgs, parseGenerateArgs, parseStartArgs } from '../../scripts/lib/cli-args.js';

describe('parseStartArgs', () => {
  it.each([
    { argv: [], expected: { count: 60, out: 'DataCollection', provider: 'embedded', force: false, seed: undefined, categories: undefined, scenarioFile: undefined } },
    { argv: ['--count', '5', '--seed', '9', '--out', '/tmp/x', '--force'], expected: { count: 5, seed: 9, out: '/tmp/x', force: true } },
    { argv: ['--scenario', 's.json', '--categories', 'a, b,'], expected: { scenarioFile: 's.json', categories: ['a', 'b'] } },
    { argv: ['--provider', 'embedded'], expected: { provider: 'embedded' } },
    { argv: ['--provider', 'gemini'], expected: { provider: 'gemini' } },
    { argv: [], expected: { dataset: { split: [0.8, 0.1, 0.1], exclude: [], license: 'cc-by-4.0' } } },
    { argv: ['--split', '0.7,0.2,0.1', '--exclude', 'issues,rated-below=3', '--license', 'CC0-1.0'], expected: { dataset: { split: [0.7, 0.2, 0.1], exclude: [{ kind: 'issues' }, { kind: 'rated-below', relevance: 3 }], license: 'cc0-1.0' } } },
  ])('accepts $argv', ({ argv, expected }) => {
    const parsed = parseStartArgs(argv);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.options).toMatchObject(expected);
  });

  it.each([
    { argv: ['--count', '0'], error: /--count must be between 1 and 500, got 0/ },
    { argv: ['--count', '501'], error: /between 1 and 500/ },
    { argv: ['--count', 'ten'], error: /--count must be a whole number, got "ten"/ },
    { argv: ['--seed', '-3'], error: /--seed/ },
    { argv: ['--provider', 'dalle'], error: /--provider must be "embedded" or "gemini", got "dalle"/ },
    { argv: ['--cuont', '5'], error: /^unknown option --cuont; did you mean --count\?$/ },
    // --count and --out are both one edit from --cout: a tie suggests nothing rather than guess.
    { argv: ['--cout', '5'], error: /^unknown option --cout$/ },
    { argv: ['extra'], error: /Unexpected argument 'extra'/ },
    { argv: ['--split', '0.8,0.1'], error: /--split takes three/ },
    { argv: ['--exclude', 'blurry'], error: /--exclude: unknown policy "blurry"/ },
    { argv: ['--license', 'cc by: 4.0'], error: /--license takes a licence id/ },
  ])('rejects $argv', ({ argv, error }) => {
    const parsed = parseStartArgs(argv);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok && 'error' in parsed) expect(parsed.error).toMatch(error);
  });

  it('asks for help', () => {
    expect(parseStartArgs(['--help'])).toEqual({ ok: false, help: true });
  });
});

describe('parseGenerateArgs', () => {
  it.each([
    { argv: ['--count', '3'], error: /--api URL is required/ },
    { argv: ['--api', 'localhost:8080'], error: /--api must be an http\(s\) URL/ },
  ])('rejects $argv', ({ argv, error }) => {
    const parsed = parseGenerateArgs(argv);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok && 'error' in parsed) expect(parsed.error).toMatch(error);
  });

  it('takes the dataset options like every command that exports', () => {
    expect(parseGenerateArgs(['--api', 'http://127.0.0.1:8080', '--split', '60,20,20', '--exclude', 'not-usable'])).toMatchObject({ ok: true, options: { dataset: { split: [0.6, 0.2, 0.2], exclude: [{ kind: 'not-usable' }] } } });
  });

  it('accepts a deployed URL', () => {
    expect(parseGenerateArgs(['--api', 'https://api-xyz.a.run.app', '--count', '80'])).toMatchObject({ ok: true, options: { api: 'https://api-xyz.a.run.app', count: 80 } });
  });
});

describe('parseDevArgs', () => {
  it.each([
    { argv: [], expected: { provider: 'embedded', judge: 'none' } },
    { argv: ['--provider', 'gemini'], expected: { provider: 'gemini', judge: 'none' } },
    { argv: ['--provider', 'gemini', '--judge', 'gemini'], expected: { provider: 'gemini', judge: 'gemini' } },
  ])('$argv', ({ argv, expected }) => {
    const parsed = parseDevArgs(argv);
    expect(parsed.ok && parsed.options).toMatchObject(expected);
  });

  it('refuses an unknown provider, naming it', () => {
    expect(parseDevArgs(['--provider', 'dall-e'])).toEqual({ ok: false, error: '--provider must be "embedded" or "gemini", got "dall-e"' });
  });
});
