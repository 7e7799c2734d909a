import { parse } from '@cdktf/hcl2json';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { DEFAULT_VAR_FILE, deploySteps, findExecutable, parseDeployArgs, SECRET_RESOURCES } from '../../scripts/ops/deploy.js';
import { secretActions, secretProblem } from '../../scripts/lib/deploy-secrets.js';
import { GOOGLE_PROVIDER } from '../../scripts/ops/go-tools.js';
import { collectSourceEntries, deployedPackageJson, encodeZip, sortEntries, type ArchiveEntry } from '../../scripts/ops/source-archive.js';
import { scratchDir } from '../support/scratch.js';

type Block = Record<string, unknown>;
const root = resolve(import.meta.dirname, '../..');
const infraDir = join(root, 'infra');
const first = (value: unknown): Block => (Array.isArray(value) ? (value[0] as Block) : ((value ?? {}) as Block));

describe('deploy: arguments', () => {
  const cwd = '/work/repo';
  it.each([
    { argv: ['apply'], expected: { command: 'apply', varFile: join(cwd, DEFAULT_VAR_FILE), autoApprove: false, rehearse: false } },
    { argv: ['destroy', '--var-file', 'other.tfvars'], expected: { command: 'destroy', varFile: join(cwd, 'other.tfvars'), autoApprove: false, rehearse: false } },
    { argv: ['apply', '--yes', '--var-file=/abs/x.tfvars'], expected: { command: 'apply', varFile: '/abs/x.tfvars', autoApprove: true, rehearse: false } },
  ])('accepts $argv', ({ argv, expected }) => expect(parseDeployArgs(argv, cwd)).toEqual({ ok: true, options: expected }));

  it.each([
    { argv: [], error: 'say apply or destroy' },
    { argv: ['plan'], error: 'unknown command "plan"' },
    { argv: ['apply', 'now'], error: 'unexpected argument "now"' },
    { argv: ['apply', '--force'], error: "Unknown option '--force'" },
    { argv: ['apply', '--var-file='], error: '--var-file needs a file name' },
    { argv: ['destroy', '--rehearse'], error: '--rehearse goes with apply' },
  ])('rejects $argv', ({ argv, error }) => expect(parseDeployArgs(argv, cwd)).toEqual({ ok: false, error: expect.stringContaining(error) }));

  it('rehearses instead of deploying', () => expect(parseDeployArgs(['apply', '--rehearse'], cwd)).toMatchObject({ ok: true, options: { command: 'apply', rehearse: true } }));

  it('asks for help', () => expect(parseDeployArgs(['-h'], cwd)).toEqual({ ok: false, help: true }));

  it('initialises, creates the secrets, stores their values outside Terraform, then applies the rest', () => {
    const options = { command: 'apply' as const, varFile: '/v.tfvars', autoApprove: true, rehearse: false };
    const vars = ['-var-file=/v.tfvars', '-var', 'source_archive_path=/s.zip', '-var', 'source_archive_sha256=ab'];
    expect(deploySteps(options, { path: '/s.zip', sha256: 'ab' })).toEqual([
      { terraform: ['init', '-input=false'] },
      { terraform: ['apply', ...vars, '-target=google_secret_manager_secret.instructor_token', '-target=google_secret_manager_secret.gemini_api_key', '-auto-approve'] },
      { storeSecrets: true },
      { terraform: ['apply', ...vars, '-auto-approve'] },
    ]);
    expect(deploySteps({ ...options, command: 'destroy' }, { path: '/s.zip', sha256: 'ab' }).map((step) => ('terraform' in step ? step.terraform[0] : 'secrets'))).toEqual(['init', 'destroy']);
  });

  it('targets secrets that infra/ declares', () => {
    const declared = readFileSync(join(infraDir, 'secrets.tf'), 'utf8');
    for (const address of SECRET_RESOURCES) expect(declared).toContain(`resource "${address.split('.')[0]}" "${address.split('.')[1]}"`);
  });

  it('adds the values the environment holds and keeps the stored ones otherwise', () => {
    const actions = secretActions({ INSTRUCTOR_TOKEN: 'image-datasets-instructor-token', GEMINI_API_KEY: 'image-datasets-gemini-api-key' }, { INSTRUCTOR_TOKEN: 'a'.repeat(48) });
    expect(actions).toEqual([
      { kind: 'keep-latest', variable: 'GEMINI_API_KEY', secretId: 'image-datasets-gemini-api-key' },
      { kind: 'add-if-changed', variable: 'INSTRUCTOR_TOKEN', secretId: 'image-datasets-instructor-token', value: 'a'.repeat(48) },
    ]);
    expect(secretProblem(secretActions({ INSTRUCTOR_TOKEN: 't' }, { INSTRUCTOR_TOKEN: 'short' })[0]!)).toMatch(/at least 32/);
  });

  it('finds executables on PATH in order of preference', () => {
    const dir = scratchDir('path-');
    writeFileSync(join(dir, 'tofu'), '#!/bin/sh\n', { mode: 0o755 });
    expect(findExecutable(['terraform', 'tofu'], `/nonexistent:${dir}`)).toBe(join(dir, 'tofu'));
    expect(findExecutable(['terraform'], dir)).toBeNull();
  });
});

/**
 * Reads a zip back with yauzl, a maintained reader that shares no code with the writer, and checks
 * every entry's stored CRC-32 against node:zlib's own (yauzl itself does not check CRCs).
 */
async function readZip(zip: Buffer): Promise<ArchiveEntry[]> {
  const archive = await yauzl.fromBufferPromise(zip, { strictFileNames: true, validateEntrySizes: true });
  const entries: ArchiveEntry[] = [];
  for await (const entry of archive.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const chunk of await archive.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
    const data = Buffer.concat(chunks);
    expect(zlib.crc32(data), `CRC-32 of ${entry.fileName}`).toBe(entry.crc32);
    entries.push({ name: entry.fileName, data });
  }
  return entries;
}

describe('deploy: the source archive', () => {
  const entries: ArchiveEntry[] = [
    { name: 'package.json', data: Buffer.from('{"name":"x"}\n') },
    { name: 'dist/functions/index.js', data: Buffer.from('export {};\n'.repeat(50)) },
    { name: 'dist/functions/scenarios/default-scenario.json', data: Buffer.from('{}') },
  ];

  it('is byte-for-byte deterministic, whatever order the files come in', async () => {
    const once = await encodeZip(sortEntries(entries));
    expect((await encodeZip(sortEntries([...entries].reverse()))).equals(once)).toBe(true);
    expect(await readZip(once)).toEqual(sortEntries(entries));
  });

  it('gives the same bytes in another time zone', async () => {
    const zoneBefore = process.env.TZ;
    // Node applies a new TZ at once; the offsets show the switch took effect.
    const inZone = async (zone: string) => {
      process.env.TZ = zone;
      return { offset: new Date(0).getTimezoneOffset(), zip: await encodeZip(sortEntries(entries)) };
    };
    try {
      const [east, west] = [await inZone('Pacific/Kiritimati'), await inZone('America/Adak')];
      expect(east.offset).not.toBe(west.offset);
      expect(east.zip.equals(west.zip)).toBe(true);
    } finally {
      if (zoneBefore === undefined) delete process.env.TZ;
      else process.env.TZ = zoneBefore;
    }
  });

  it('passes unzip -t, a second independent reader', async () => {
    const unzip = findExecutable(['unzip'], process.env.PATH);
    expect(unzip, 'unzip must be installed for this check (apt-get install unzip)').not.toBeNull();
    const file = join(scratchDir('zip-'), 'source.zip');
    writeFileSync(file, await encodeZip(sortEntries(entries)));
    expect(execFileSync(unzip as string, ['-t', file], { encoding: 'utf8' })).toContain('No errors detected');
  });

  it('deploys package.json without scripts or dev dependencies, so the buildpack runs no build', () => {
    const deployed = JSON.parse(deployedPackageJson({ name: 'n', type: 'module', main: 'dist/functions/index.js', scripts: { build: 'tsc' }, devDependencies: { typescript: '1' }, dependencies: { zod: '4' } }));
    expect(deployed).toEqual({ name: 'n', type: 'module', main: 'dist/functions/index.js', dependencies: { zod: '4' } });
  });

  it('packs the compiled functions and the manifests, without source maps or scripts', () => {
    const project = scratchDir('project-');
    const files = ['package.json', 'package-lock.json', 'dist/functions/index.js', 'dist/functions/index.js.map', 'dist/functions/scenarios/s.json', 'dist/scripts/ops/deploy.js'];
    for (const file of files) {
      mkdirSync(join(project, file, '..'), { recursive: true });
      writeFileSync(join(project, file), file === 'package.json' ? '{"name":"p","scripts":{"build":"tsc"}}' : '{}');
    }
    const names = collectSourceEntries(project).map((entry) => entry.name);
    expect(names).toEqual(['dist/functions/index.js', 'dist/functions/scenarios/s.json', 'package-lock.json', 'package.json']);
  });
});

describe('infra-validate: the provider mirror', () => {
  it('builds the provider release that versions.tf allows', async () => {
    const versions = (await parse('versions.tf', readFileSync(join(infraDir, 'versions.tf'), 'utf8'))) as Block;
    const google = first(first(first(versions.terraform).required_providers).google);
    const [, major, minor] = /^~>\s*(\d+)\.(\d+)$/.exec(String(google.version)) ?? [];
    const [releaseMajor, releaseMinor] = GOOGLE_PROVIDER.releaseVersion.split('.').map(Number);
    expect(releaseMajor).toBe(Number(major));
    expect(releaseMinor).toBeGreaterThanOrEqual(Number(minor));
  });
});
