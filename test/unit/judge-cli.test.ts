import { describe, expect, it } from 'vitest';
import { parseGenerateArgs, parseStartArgs } from '../../scripts/lib/cli-args.js';
import { parseRunRequest } from '../../functions/core/scenario/index.js';
import { builtinScenarios, DEFAULT_SCENARIO } from '../../functions/scenarios/index.js';

describe('--judge and the run request', () => {
  it.each([
    [['--judge', 'gemini'], 'gemini'],
    [['--judge', 'none'], 'none'],
    [[], undefined],
  ])('npm start %j → judge %s', (argv, judge) => {
    expect(parseStartArgs(argv)).toMatchObject({ ok: true, options: { judge } });
    expect(parseGenerateArgs(['--api', 'http://x', ...argv])).toMatchObject({ ok: true, options: { judge } });
  });

  it('rejects an unknown judge before anything starts', () => {
    expect(parseStartArgs(['--judge', 'gpt'])).toEqual({ ok: false, error: '--judge must be "gemini" or "none", got "gpt"' });
  });

  it('takes the run request\'s judge, else the scenario\'s', () => {
    const builtins = builtinScenarios();
    const scenario = { ...builtins.get(DEFAULT_SCENARIO)!, judge: 'gemini' };
    expect(parseRunRequest({ count: 1, judge: 'none', scenario }, builtins, DEFAULT_SCENARIO)).toMatchObject({ ok: true, value: { judge: 'none' } });
    expect(parseRunRequest({ count: 1, scenario }, builtins, DEFAULT_SCENARIO)).toMatchObject({ ok: true, value: { judge: 'gemini' } });
    expect(parseRunRequest({ count: 1 }, builtins, DEFAULT_SCENARIO)).toMatchObject({ ok: true, value: { judge: undefined } });
    expect(parseRunRequest({ count: 1, judge: 'gpt' }, builtins, DEFAULT_SCENARIO)).toMatchObject({ ok: false, message: 'judge: judge must be "gemini" or "none"', fields: [{ field: 'judge' }] });
  });
});
