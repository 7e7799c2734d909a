import { parse } from '@cdktf/hcl2json';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_VAR_FILE, deploySteps, findExecutable, parseDeployArgs, SECRET_RESOURCES } from '../../scripts/deploy.js';
import { secretActions, secretProblem } from '../../scripts/lib/deploy-secrets.js';
import { GOOGLE_PROVIDER } from '../../scripts/lib/go-tools.js';
import { collectSourceEntries, crc32, deployedPackageJson, encodeZip, sortEntries, type ArchiveEntry } from '../../scripts/lib/source-archive.js';

type Block = Record<string, unknown>;
const root = resolve(import.meta.dirname, '../..');
const infraDir = join(root, 'infra');
const first = (value: unknown): Block => (Array.isArray(value) ? (value[0] as Block) : ((value ?? {}) as Block));

describe('deploy: arguments', () => {
  const cwd = '/work/repo';
  it.each([
    { argv: ['apply'], expected: { command: 'apply', varFile: join(cwd, DEFAULT_VAR_FILE), autoApprove: false } },
    { argv: ['destroy', '--var-file', 'other.tfvars'], expected: { command: 'destroy', varFile: join(cwd, 'other.tfvars'), autoApprove: false } },
    { argv: ['apply', '--yes', '--var-file=/abs/x.tfvars'], expected: { command: 'apply', varFile: '/abs/x.tfvars', autoApprove: true } },
  ])('accepts $argv', ({ argv, expected }) => expect(parseDeployArgs(argv, cwd)).toEqual({ ok: true, options: expected }));

  it.each([
    { argv: [], error: 'say apply or destroy' },
    { argv: ['plan'], error: 'unknown command "plan"' },
    { argv: ['apply', 'now'], error: 'unexpected argument "now"' },
    { argv: ['apply', '--force'], error: "Unknown option '--force'" },
    { argv: ['apply', '--var-file='], error: '--var-file needs a file name' },
  ])('rejects $argv', ({ argv, error }) => expect(parseDeployArgs(argv, cwd)).toEqual({ ok: false, error: expect.stringContaining(error) }));

  it('asks for help', () => expect(parseDeployArgs(['-h'], cwd)).toEqual({ ok: false, help: true }));

  it('initialises, creates the secrets, stores their values outside Terraform, then applies the rest', () => {
    const options = { command: 'apply' as const, varFile: '/v.tfvars', autoApprove: true };
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
    const dir = mkdtempSync(join(tmpdir(), 'path-'));
    writeFileSync(join(dir, 'tofu'), '#!/bin/sh\n', { mode: 0o755 });
    expect(findExecutable(['terraform', 'tofu'], `/nonexistent:${dir}`)).toBe(join(dir, 'tofu'));
    expect(findExecutable(['terraform'], dir)).toBeNull();
  });
});

/** Reads a zip back through its central directory, checking each local header and checksum on the way. */
function readZip(zip: Buffer): ArchiveEntry[] {
  const end = zip.length - 22;
  expect(zip.readUInt32LE(end)).toBe(0x06054b50);
  let at = zip.readUInt32LE(end + 16);
  return Array.from({ length: zip.readUInt16LE(end + 10) }, () => {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const [method, nameLength] = [zip.readUInt16LE(at + 10), zip.readUInt16LE(at + 28)];
    const [crc, size, offset] = [zip.readUInt32LE(at + 16), zip.readUInt32LE(at + 20), zip.readUInt32LE(at + 42)];
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    expect(zip.readUInt32LE(offset)).toBe(0x04034b50);
    const start = offset + 30 + zip.readUInt16LE(offset + 26) + zip.readUInt16LE(offset + 28);
    const data = method === 8 ? inflateRawSync(zip.subarray(start, start + size)) : Buffer.from(zip.subarray(start, start + size));
    expect(crc32(data)).toBe(crc);
    at += 46 + nameLength;
    return { name, data };
  });
}

describe('deploy: the source archive', () => {
  const entries: ArchiveEntry[] = [
    { name: 'package.json', data: Buffer.from('{"name":"x"}\n') },
    { name: 'dist/functions/index.js', data: Buffer.from('export {};\n'.repeat(50)) },
    { name: 'dist/functions/scenarios/default-scenario.json', data: Buffer.from('{}') },
  ];

  it('computes the standard CRC-32', () => expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926));

  it('is byte-for-byte deterministic, whatever order the files come in', () => {
    const once = encodeZip(sortEntries(entries));
    expect(encodeZip(sortEntries([...entries].reverse())).equals(once)).toBe(true);
    expect(readZip(once)).toEqual(sortEntries(entries));
  });

  it.runIf(findExecutable(['unzip'], process.env.PATH))('is readable by unzip', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'zip-')), 'source.zip');
    writeFileSync(file, encodeZip(sortEntries(entries)));
    expect(execFileSync('unzip', ['-t', file], { encoding: 'utf8' })).toContain('No errors detected');
  });

  it('deploys package.json without scripts or dev dependencies, so the buildpack runs no build', () => {
    const deployed = JSON.parse(deployedPackageJson({ name: 'n', type: 'module', main: 'dist/functions/index.js', scripts: { build: 'tsc' }, devDependencies: { typescript: '1' }, dependencies: { zod: '4' } }));
    expect(deployed).toEqual({ name: 'n', type: 'module', main: 'dist/functions/index.js', dependencies: { zod: '4' } });
  });

  it('packs the compiled functions and the manifests, without source maps or scripts', () => {
    const project = mkdtempSync(join(tmpdir(), 'project-'));
    const files = ['package.json', 'package-lock.json', 'dist/functions/index.js', 'dist/functions/index.js.map', 'dist/functions/scenarios/s.json', 'dist/scripts/deploy.js'];
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
