import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { METRIC_COLUMNS } from '../../functions/core/quality/index.js';
import { DEFAULT_THRESHOLDS, ISSUE_FLAGS } from '../../functions/core/quality/index.js';
import { main, type Output } from '../../scripts/commands/assess.js';
import { parseAssessArgs } from '../../scripts/commands/assess-files.js';
import { scratchDir } from '../support/scratch.js';

describe('parseAssessArgs', () => {
  it.each([
    { argv: ['pics'], options: { paths: ['pics'], format: 'table', thresholds: DEFAULT_THRESHOLDS, verbose: false } },
    { argv: ['a.png', 'dir', '--format', 'jsonl'], options: { paths: ['a.png', 'dir'], format: 'jsonl', thresholds: DEFAULT_THRESHOLDS, verbose: false } },
    { argv: ['--format=csv', 'dir', '--verbose'], options: { paths: ['dir'], format: 'csv', thresholds: DEFAULT_THRESHOLDS, verbose: true } },
    {
      argv: ['dir', '--threshold', 'darkP99=0.4', '--threshold', 'nearDuplicateHamming=4'],
      options: { paths: ['dir'], format: 'table', thresholds: { ...DEFAULT_THRESHOLDS, darkP99: 0.4, nearDuplicateHamming: 4 }, verbose: false },
    },
  ])('accepts $argv', ({ argv, options }) => {
    expect(parseAssessArgs(argv)).toEqual({ ok: true, options });
  });

  it.each([
    { argv: [], error: /at least one image file or directory/ },
    { argv: ['dir', '--format', 'xml'], error: /--format must be one of table, jsonl, csv, got "xml"/ },
    { argv: ['dir', '--threshold', 'darkness=0.3'], error: /unknown quality threshold "darkness"/ },
    { argv: ['dir', '--threshold', 'darkP99'], error: /name=value/ },
    { argv: ['dir', '--threshold', 'darkP99=dim'], error: /needs a number/ },
    { argv: ['dir', '--threshold', 'darkP99=7'], error: /darkP99/ },
    { argv: ['dir', '--colour'], error: /colour/ },
  ])('rejects $argv', ({ argv, error }) => {
    const parsed = parseAssessArgs(argv);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok && 'error' in parsed) expect(parsed.error).toMatch(error);
  });

  it('recognises --help', () => {
    expect(parseAssessArgs(['--help'])).toEqual({ ok: false, help: true });
  });
});

describe('npm run assess', () => {
  let dir: string;
  const run = async (argv: string[]) => {
    const captured = { out: '', err: '' };
    const io: Output = { out: (text) => void (captured.out += text), err: (text) => void (captured.err += text) };
    return { code: await main(argv, io), ...captured };
  };

  beforeAll(async () => {
    dir = scratchDir('assess-cli-');
    mkdirSync(join(dir, 'nested'));
    let state = 5;
    const pixels = Buffer.alloc(160 * 120 * 3);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (((i / 3) % 160) * 1.5 + ((state = (Math.imul(state, 1103515245) + 12345) | 0) >>> 26)) & 255;
    const clean = await sharp(pixels, { raw: { width: 160, height: 120, channels: 3 } }).png().toBuffer();
    writeFileSync(join(dir, 'a-clean.png'), clean);
    writeFileSync(join(dir, 'nested', 'b-copy.png'), await sharp(clean).png({ compressionLevel: 1 }).toBuffer());
    writeFileSync(join(dir, 'c-dark.jpg'), await sharp(clean).linear(0.2, 0).jpeg().toBuffer());
    writeFileSync(join(dir, 'd-truncated.png'), clean.subarray(0, Math.floor(clean.length / 2)));
    writeFileSync(join(dir, 'notes.txt'), 'not an image');
  });

  it('writes only JSON lines to stdout with --format jsonl', async () => {
    const { code, out, err } = await run([dir, '--format', 'jsonl']);
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((record) => record.file)).toEqual(['a-clean.png', 'c-dark.jpg', 'd-truncated.png', join('nested', 'b-copy.png')].map((name) => join(dir, name)));
    expect(records[0]).toMatchObject({ width: 160, height: 120, issues: [], duplicateOf: null });
    expect(Object.keys(records[0]!)).toEqual(['file', 'width', 'height', 'metrics', 'issues', 'duplicateOf']);
    expect(records[1]).toMatchObject({ issues: expect.arrayContaining(['dark']) });
    expect(records[2]).toEqual({ file: join(dir, 'd-truncated.png'), width: null, height: null, metrics: null, issues: ['unreadable'], duplicateOf: null, error: expect.stringMatching(/\S/) });
    expect(records[3]).toMatchObject({ issues: ['exact_duplicate'], duplicateOf: join(dir, 'a-clean.png') });
    expect(err).toMatch(/assessed 4\/4/);
    expect(err).toContain('1 file skipped, not PNG, JPEG or WebP (--verbose lists them)');
    expect(err).not.toContain('notes.txt');
  });

  it('lists the skipped files with --verbose', async () => {
    const { err } = await run([dir, '--format', 'jsonl', '--verbose']);
    expect(err).toContain(`1 file skipped, not PNG, JPEG or WebP:\n  ${join(dir, 'notes.txt')}\n`);
  });

  it('writes a CSV with one 0/1 column per flag', async () => {
    const { code, out } = await run([dir, '--format', 'csv']);
    expect(code).toBe(0);
    const [header, ...rows] = out.trimEnd().split('\n');
    const columns = header!.split(',');
    expect(columns).toEqual(['file', 'width', 'height', ...METRIC_COLUMNS.filter((c) => c !== 'width' && c !== 'height'), ...ISSUE_FLAGS, 'duplicateOf', 'error']);
    expect(rows).toHaveLength(4);
    const truncated = rows.find((row) => row.startsWith(join(dir, 'd-truncated.png')))!.split(',');
    expect(truncated[columns.indexOf('unreadable')]).toBe('1');
    expect(truncated[columns.indexOf('dark')]).toBe('0');
  });

  it('prints a table with a summary by default', async () => {
    const { code, out } = await run([dir]);
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toBe(`paths relative to ${dir}`);
    expect(lines[1]).toMatch(/^file\s+size\s+p5.*issues\s+error$/);
    // Paths relative to the folder given, in the rows and in the duplicate's original.
    expect(lines.find((line) => line.startsWith('nested/b-copy.png '))).toMatch(/exact_duplicate \(of a-clean\.png\)/);
    expect(lines.find((line) => line.startsWith('d-truncated.png '))).toMatch(/unreadable\s+\S/);
    expect(lines.slice(1).join('\n')).not.toContain(dir);
    // The darkened copy keeps its structure, so pHash also calls it a near duplicate.
    expect(out).toMatch(/4 images, 3 with issues: dark 1, exact_duplicate 1, near_duplicate 1, unreadable 1/);
    expect(out).toMatch(/mean pairwise pHash distance \d+\.\d of 64, Vendi score \d+\.\d\d \(/);
  });

  it('honours a threshold override', async () => {
    const { out } = await run([join(dir, 'a-clean.png'), '--format', 'jsonl', '--threshold', 'darkP99=0.99']);
    expect(JSON.parse(out).issues).toContain('dark');
  });

  it.each([
    { argv: () => [join(dir, 'nested'), '--format', 'yaml'], code: 2, err: /usage: npm run assess/ },
    { argv: () => [join(dir, 'missing')], code: 2, err: /missing does not exist; give an image file or a folder of them/ },
    { argv: () => [join(dir, 'empty')], code: 1, err: /no PNG, JPEG or WebP files/ },
  ])('exits $code with a message', async ({ argv, code, err }) => {
    mkdirSync(join(dir, 'empty'), { recursive: true });
    const result = await run(argv());
    expect(result.code).toBe(code);
    expect(result.out).toBe('');
    expect(result.err).toMatch(err);
  });
});
