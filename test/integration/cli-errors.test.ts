import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../scripts/lib/tools.js';
import { findOnPath } from '../../scripts/stack/prerequisites.js';
import { scratchDir } from '../support/scratch.js';

/**
 * The commands as a user runs them, with mistakes. gcloud, java and go are stand-ins that record
 * being run, so "nothing started" is checked, not assumed. The time of each is printed (the
 * under-a-second goal is measured by `npm run bench:cli`, not asserted here).
 */
const scratch = scratchDir('cli-errors-');
const bin = join(scratch, 'bin');
const ran = join(scratch, 'ran');
mkdirSync(bin);
for (const tool of ['gcloud', 'java', 'go']) {
  writeFileSync(join(bin, tool), `#!/bin/sh\necho "${tool} $*" >> ${ran}\nexit 1\n`);
  chmodSync(join(bin, tool), 0o755);
}
const scenario = (name: string, text: string): string => {
  writeFileSync(join(scratch, name), text);
  return join(scratch, name);
};
const valid = { name: 'Harbour', variables: { weather: ['in rain', 'at dawn'] }, categories: { quay: { template: 'A quay {weather}' } } };
const placeholder = scenario('placeholder.json', JSON.stringify({ ...valid, categories: { quay: { template: 'A quay {wether}' } } }));
const syntax = scenario('syntax.json', '{\n  "name": "Harbour",\n  "categories": {,}\n}');
const field = scenario('field.json', JSON.stringify({ ...valid, varibles: {} }));
const good = scenario('good.json', JSON.stringify(valid));
const missing = join(scratch, 'missing.json');
const usage = (command: string) => expect.stringMatching(new RegExp(`^\\nusage: .*${command}`));

function run(script: string, args: string[], env: Record<string, string> = {}) {
  const started = performance.now();
  const result = spawnSync(process.execPath, [join('dist', 'scripts', 'commands', script), ...args], {
    cwd: projectRoot,
    encoding: 'utf8',
    // Node is started by its full path: PATH holds only the stand-ins, or the tools a test chooses.
    env: { ...process.env, PATH: bin, API_TOKEN: 'token', ...env },
    timeout: 30_000,
  });
  return { ...result, ms: performance.now() - started };
}

describe('bad options and bad scenario files', () => {
  it.each([
    ['start.js', ['--count', '0'], 'error: --count must be between 1 and 500, got 0', usage('npm start')],
    ['start.js', ['--count', 'many'], 'error: --count must be a whole number, got "many"', usage('npm start')],
    ['start.js', ['--provider', 'dalle'], 'error: --provider must be "embedded" or "gemini", got "dalle"', usage('npm start')],
    ['start.js', ['--colour'], 'error: unknown option --colour', usage('npm start')],
    ['start.js', ['--cuont', '3'], 'error: unknown option --cuont; did you mean --count?', usage('npm start')],
    ['dev.js', ['--fersh'], 'error: unknown option --fersh; did you mean --fresh?', usage('npm run dev')],
    ['dev.js', ['--data-dir', ''], 'error: --data-dir needs a folder', usage('npm run dev')],
    ['generate.js', ['--count', '3'], 'error: --api URL is required (the api function URL, e.g. http://127.0.0.1:8080)', usage('npm run generate')],
    ['generate.js', ['--api', 'http://127.0.0.1:9', '--count', '3'], 'error: set API_TOKEN to your token (a participant\'s from the instructor, or the instructor\'s that npm run dev prints), e.g. API_TOKEN=... npm run generate -- --api URL', '', { API_TOKEN: '' }],
    ['start.js', ['--scenario', missing], `error: scenario file ${missing} does not exist`, ''],
    ['start.js', ['--scenario', join(scratch, 'good.jsn')], `error: scenario file ${join(scratch, 'good.jsn')} does not exist; did you mean ${scratch}/good.json?`, ''],
    ['start.js', ['--scenario', syntax], `error: ${syntax} (line 3, column 18): not valid JSON: Expected property name or '}' in JSON at position 40`, ''],
    ['start.js', ['--scenario', field], `error: ${field}: unknown field "varibles"; did you mean "variables"?`, ''],
    ['start.js', ['--scenario', placeholder], `error: ${placeholder}: categories.quay.template: unknown placeholder {wether}: did you mean {weather}?`, ''],
    ['start.js', ['--scenario', good, '--categories', 'quai'], `error: --categories: "quai" is not a category of ${good}; did you mean "quay"? Its categories: quay`, ''],
    ['start.js', ['--categories', 'protest'], 'error: --categories: "protest" is not a category of the built-in scenario; did you mean "protest_scenes"? Its categories: protest_scenes, gatherings, individual_portraits, contextual_scenes', ''],
    ['generate.js', ['--api', 'http://127.0.0.1:9', '--scenario', placeholder], `error: ${placeholder}: categories.quay.template: unknown placeholder {wether}: did you mean {weather}?`, ''],
  ] as Array<[string, string[], string, unknown, Record<string, string>?]>)('%s %j exits 2 with its message, starting nothing', (script, args, message, rest, env = {}) => {
    const result = run(script, script === 'dev.js' ? args : [...args, '--out', join(scratch, 'out')], env);
    console.log(`${script} ${args.join(' ')}: ${Math.round(result.ms)} ms`);
    expect(result.status).toBe(2);
    const [first, ...others] = result.stderr.trimEnd().split('\n');
    expect(first).toBe(message);
    expect(others.length ? `\n${others.join('\n')}` : '').toEqual(rest);
    expect(result.stdout).toBe('');
    expect(existsSync(ran) ? readFileSync(ran, 'utf8') : '').toBe('');
  });
});

/** The real start-up path, with one prerequisite hidden or broken at a time. */
describe('prerequisites and start-up failures', () => {
  const realJava = findOnPath('java', process.env.PATH) as string;
  const realGcloud = findOnPath('gcloud', process.env.PATH) as string;
  const pathWith = (tools: Record<string, string>): string => {
    const dir = scratchDir('cli-path-');
    for (const [name, target] of Object.entries(tools)) symlinkSync(target, join(dir, name));
    return dir;
  };
  const dev = (path: string) => run('dev.js', ['--data-dir', join(scratch, 'data')], { PATH: path });

  it.each([
    ['gcloud', { java: realJava }, /^error: gcloud is not on PATH; .*sudo apt-get install google-cloud-cli/],
    ['java', { gcloud: realGcloud }, /^error: java is not on PATH; .*sudo apt-get install openjdk-17-jre-headless/],
  ])('names a missing %s at once', (_, tools, message) => {
    const result = dev(pathWith(tools));
    console.log(`dev without ${_}: ${Math.round(result.ms)} ms`);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
  });

  it('fails the start as soon as an emulator exits, with the end of its log', () => {
    // A gcloud install whose emulators die at once, as one does on a broken Java.
    const sdk = join(scratch, 'sdk');
    mkdirSync(join(sdk, 'platform', 'cloud-firestore-emulator'), { recursive: true });
    mkdirSync(join(sdk, 'platform', 'pubsub-emulator'), { recursive: true });
    mkdirSync(join(sdk, 'bin'));
    writeFileSync(join(sdk, 'bin', 'gcloud'), '#!/bin/sh\necho "starting $*"\necho "Exception: the emulator cannot bind its port" >&2\nexit 3\n');
    chmodSync(join(sdk, 'bin', 'gcloud'), 0o755);
    const result = dev(`${join(sdk, 'bin')}:${pathWith({ java: realJava })}`);
    console.log(`dev with a failing emulator: ${Math.round(result.ms)} ms`);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/error: (firestore|pubsub)-emulator exited while starting \(code 3\); the end of its log \(.*\.log\):\nstarting .*emulators .* start/);
    expect(result.stderr).toContain('Exception: the emulator cannot bind its port');
  });
});
