/**
 * docs/commands.md against the parsers: every option it documents, for every command, is fed to
 * that command's parser with a value of the documented form, and every option a command's usage
 * text offers is documented. So the page and the commands cannot drift apart again.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { THRESHOLD_NAMES } from '../../functions/core/quality/index.js';
import { USAGE as DEPLOY_USAGE, parseDeployArgs } from '../../scripts/ops/deploy.js';
import { ASSESS_USAGE, parseAssessArgs } from '../../scripts/commands/assess-files.js';
import { DATA_USAGE, parseDevArgs, parseGenerateArgs, parseStartArgs, RUN_USAGE } from '../../scripts/lib/cli-args.js';
import { parseCohortArgs } from '../../scripts/commands/cohort-args.js';
import { EXPORT_USAGE, parseExportArgs } from '../../scripts/commands/export-args.js';

const page = readFileSync(resolve(import.meta.dirname, '../../docs/commands.md'), 'utf8');
const API = 'http://127.0.0.1:9';

interface Command {
  /** argv in, the parser's verdict out. */
  parse: (argv: string[]) => { ok: boolean; error?: string };
  /** What the command needs besides the option under test. */
  base: string[];
  /** The command's usage text, whose options must all be documented; absent where the page gives whole command lines. */
  usage?: string;
}

/** Each command section of the page (by its heading), with its parser. A new section fails until it is added here. */
const COMMANDS: ReadonlyMap<string, Command> = new Map([
  ['`npm start`: make a dataset', { parse: parseStartArgs, base: [], usage: `${RUN_USAGE}\n${DATA_USAGE}` }],
  ['`npm run dev`', { parse: parseDevArgs, base: [], usage: DATA_USAGE }],
  ['`npm run generate`: a run on any deployment', { parse: parseGenerateArgs, base: ['--api', API], usage: RUN_USAGE }],
  ['`npm run export`: a run\'s dataset as it stands now', { parse: parseExportArgs, base: ['--api', API, '--run', 'r1'], usage: EXPORT_USAGE }],
  ['`npm run assess`: quality of any folder of images', { parse: parseAssessArgs, base: ['images'], usage: ASSESS_USAGE }],
  ['`npm run cohort`: the instructor\'s cohort operations', { parse: parseCohortArgs, base: [] }],
  ['`npm run deploy` and `npm run destroy`', { parse: (argv) => parseDeployArgs(['apply', ...argv], '/'), base: [], usage: DEPLOY_USAGE }],
]);
/** Sections that list commands without options of their own parser (tests, benchmarks) or none at all. */
const WITHOUT_OPTIONS = ['How commands run', '`npm run infra:validate`', '`npm run build:kernel`', 'Tests and checks', 'Benchmarks and soaks'];

/** A value of the documented form; `a|b` placeholders are handled by the caller, one alternative at a time. */
function sample(option: string, placeholder: string): string {
  const byOption: Record<string, string> = { '--license': 'cc0-1.0', '--split': '0.7,0.2,0.1', '--threshold': `${THRESHOLD_NAMES[0]}=0.5`, '--exclude': 'issues,rated-below=3' };
  const byPlaceholder: Record<string, string> = { N: '3', FILE: 'scenario.json', DIR: join('tmp', 'out'), 'A,B': 'street,quay', URL: API, RUN_ID: 'r1', ID: 'u-1', POLICY: 'issues' };
  return byOption[option] ?? byPlaceholder[placeholder] ?? placeholder;
}

const sections = page.split(/^## /m).slice(1).map((text) => ({ title: text.slice(0, text.indexOf('\n')).trim(), body: text }));

/** `--flag PLACEHOLDER` pairs from the section's option table and from its `npm …` lines. */
function documentedOptions(body: string): Array<{ option: string; placeholder: string | null }> {
  const found = new Map<string, string | null>();
  for (const [, cell] of body.matchAll(/^\| `(--[^`]+)` \|/gm)) {
    const [option, ...rest] = (cell as string).replace(/\\\|/g, '|').split(' ');
    found.set(option as string, rest.join(' ') || null);
  }
  for (const line of body.replace(/\\\n\s*/g, ' ').split('\n').filter((l) => /^npm /.test(l))) {
    for (const [, option, placeholder] of line.matchAll(/(--[a-z][a-z-]*)(?: ([A-Z][A-Z_,]*|[a-z]+(?:\|[a-z]+)+|name=value))?/g)) {
      if (option !== '--api' && !found.has(option as string)) found.set(option as string, placeholder ?? null);
    }
  }
  return [...found].map(([option, placeholder]) => ({ option, placeholder }));
}

/** The argv lists for one option: one per alternative of an `a|b` placeholder. */
function argvsFor(option: string, placeholder: string | null): string[][] {
  if (placeholder === null) return [[option]];
  return (placeholder.includes('|') ? placeholder.split('|') : [sample(option, placeholder)]).map((value) => [option, value]);
}

describe('docs/commands.md documents what the commands accept', () => {
  it('names a parser for every command section', () => {
    expect(sections.map((s) => s.title).filter((title) => !COMMANDS.has(title) && !WITHOUT_OPTIONS.includes(title))).toEqual([]);
    expect([...COMMANDS.keys()].filter((title) => !sections.some((s) => s.title === title))).toEqual([]);
  });

  const cases = sections.flatMap(({ title, body }) => {
    const command = COMMANDS.get(title);
    if (!command || title.includes('cohort')) return [];
    return documentedOptions(body).flatMap(({ option, placeholder }) => argvsFor(option, placeholder).map((argv) => ({ title, line: argv.join(' '), argv: [...command.base, ...argv], command })));
  });

  it('finds the options of each command', () => {
    const count = (title: string) => cases.filter((c) => c.title === title).length;
    expect(count('`npm start`: make a dataset')).toBeGreaterThanOrEqual(14);
    expect(count('`npm run export`: a run\'s dataset as it stands now')).toBe(6);
  });

  it.each(cases)('$title accepts $line', ({ argv, command }) => {
    const result = command.parse(argv);
    expect(result.ok ? null : (result.error ?? 'help')).toBeNull();
  });

  // The cohort page gives whole command lines: each line, and each `a | b` alternative, parses.
  const cohortLines = (sections.find((s) => s.title.includes('cohort'))?.body ?? '').split('\n').filter((line) => line.startsWith('npm run cohort -- '));
  const cohortArgvs = cohortLines.flatMap((line) => {
    const [head = '', ...alternatives] = line.replace('npm run cohort -- ', '').split(' | ');
    const [prefix, first] = [head.split(' ').slice(0, 2), head.split(' ').slice(2).join(' ')];
    return [first, ...alternatives].map((words) => [...prefix, ...words.split(' ')].map((word) => (word === 'URL' ? API : word === 'ID' ? 'u-1' : word === 'N' ? '3' : word)));
  });
  it('finds the cohort command lines', () => expect(cohortArgvs.length).toBeGreaterThanOrEqual(6));
  it.each(cohortArgvs.map((argv) => ({ argv, line: argv.join(' ') })))('cohort accepts $line', ({ argv }) => {
    const result = parseCohortArgs(argv);
    expect(result.ok ? null : 'error' in result ? result.error : 'help').toBeNull();
  });

  it.each([...COMMANDS].filter(([, command]) => command.usage !== undefined))('%s documents every option its usage text offers', (title, command) => {
    const documented = new Set(documentedOptions(sections.find((s) => s.title === title)?.body ?? '').map((o) => o.option));
    const offered = [...new Set([...(command.usage ?? '').matchAll(/(--[a-z][a-z-]*)/g)].map(([option]) => option as string))].filter((option) => option !== '--api');
    expect(offered.filter((option) => !documented.has(option))).toEqual([]);
  });
});
