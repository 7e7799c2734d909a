/**
 * `npm run bench:cli [-- --rounds N]`: time from invocation to exit of the commands people type,
 * on a built tree: `--help`, an option error and a scenario error. Each is run through `npm run`
 * (what users type) and as bare `node dist/…` (the command's own cost, without npm's).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { printFigures } from './figures.js';
import { projectRoot } from '../lib/index.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const rounds = Math.max(1, Number(values.rounds));

const scratch = mkdtempSync(join(tmpdir(), 'bench-cli-'));
const badScenario = join(scratch, 'bad-scenario.json');
// A typo in a placeholder: the most common scenario mistake.
writeFileSync(badScenario, JSON.stringify({ name: 'Harbour', variables: { weather: ['in rain'] }, categories: { quay: { template: 'A quay {wether}' } } }));

interface Case {
  label: string;
  script: string;
  entry: string;
  args: string[];
  expectedExit: number;
}

const cases: Case[] = [
  { label: 'generate --help', script: 'generate', entry: 'commands/generate.js', args: ['--help'], expectedExit: 0 },
  { label: 'generate --count 0 (option error)', script: 'generate', entry: 'commands/generate.js', args: ['--api', 'http://127.0.0.1:9', '--count', '0'], expectedExit: 2 },
  { label: 'start --scenario bad.json (scenario error)', script: 'start', entry: 'commands/start.js', args: ['--scenario', badScenario, '--out', join(scratch, 'out')], expectedExit: 2 },
];

function timeOnce(command: string, args: string[]): { ms: number; status: number | null } {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: projectRoot, encoding: 'utf8', env: { ...process.env, API_TOKEN: 'bench' }, timeout: 300_000 });
  return { ms: performance.now() - started, status: result.status };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const rows: Array<[string, string]> = [];
try {
  for (const c of cases) {
    const viaNpm: number[] = [];
    const viaNode: number[] = [];
    const statuses = new Set<number | null>();
    for (let round = 0; round < rounds; round++) {
      const npm = timeOnce('npm', ['run', '--silent', c.script, '--', ...c.args]);
      const node = timeOnce(process.execPath, [join(projectRoot, 'dist', 'scripts', c.entry), ...c.args]);
      viaNpm.push(npm.ms);
      viaNode.push(node.ms);
      statuses.add(npm.status).add(node.status);
    }
    const exit = [...statuses].join('/');
    const warn = exit === String(c.expectedExit) ? '' : ` (expected exit ${c.expectedExit})`;
    rows.push([c.label, `npm run ${Math.round(median(viaNpm))} ms · node ${Math.round(median(viaNode))} ms · exit ${exit}${warn}`]);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
printFigures(`bench:cli, median of ${rounds} rounds, invocation to exit`, rows);
