import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../scripts/lib/tools.js';
import { startFakeGeminiApi, type FakeGeminiApi } from '../support/fake-gemini-api.js';
import { scratchDir } from '../support/scratch.js';

/**
 * One category, and one image, per judge behaviour: the marker in its template reaches the judge's
 * rubric (the fake counts calls per rubric, which two images of one category would share).
 */
const CATEGORIES = {
  clean: { marker: '[judge:valid]', verdict: 'judged' },
  once: { marker: '[judge:429x1]', verdict: 'judged' },
  twice: { marker: '[judge:429x2]', verdict: 'judged' },
  // 429 with RetryInfo on every call: the verdict ends failed once its attempts are spent.
  always: { marker: '[judge:429]', verdict: 'failed' },
} as const;
const MAX_ATTEMPTS = 3;

interface ExportedEntry {
  id: string;
  category: keyof typeof CATEGORIES;
  status: string;
  judge: { status: string; relevance?: number; failureReason?: string } | null;
}

/** RFC 4180 rows: quoted cells may hold commas, doubled quotes and line breaks (a failure reason quotes the API's answer). */
function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted && char === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (!quoted && char === ',') {
      row.push(cell);
      cell = '';
    } else if (!quoted && char === '\n') {
      rows.push([...row, cell]);
      row = [];
      cell = '';
    } else {
      cell += char;
    }
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** Runs `npm start` as a user does, without blocking this process (the fake API answers from it). */
function npmStart(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    // A port and a token of its own, as a user without API_PORT or INSTRUCTOR_TOKEN set gets.
    const { API_PORT: _port, INSTRUCTOR_TOKEN: _token, ...inherited } = process.env;
    const child = spawn('npm', ['start', '--', ...args], { cwd: projectRoot, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/**
 * Issue 22: `npm start -- --provider gemini --judge gemini` against a Gemini API that answers some
 * judge calls 429 with RetryInfo. The run must not be exported before its verdicts have ended: every
 * succeeded image carries a verdict or a failure reason, in image_prompts.json and in the CSV.
 */
describe('npm start with the Gemini provider and judge, judge calls answered 429 with RetryInfo', () => {
  let fake: FakeGeminiApi;
  let result: { code: number | null; output: string };
  const out = scratchDir('start-judge-');

  beforeAll(async () => {
    // A RetryInfo delay longer than assessing the pixels takes: without "completed means judged", these verdicts would miss the export.
    fake = await startFakeGeminiApi({ judge: { retryDelay: '4s' } });
    const scenarioFile = join(out, 'scenario.json');
    const categories = Object.fromEntries(Object.entries(CATEGORIES).map(([name, { marker }]) => [name, { template: `A quiet street scene, case ${marker}.` }]));
    writeFileSync(scenarioFile, JSON.stringify({ name: 'judge 429s', variables: {}, categories }));
    result = await npmStart(
      ['--provider', 'gemini', '--judge', 'gemini', '--count', String(Object.keys(CATEGORIES).length), '--seed', '5', '--scenario', scenarioFile,
        '--out', join(out, 'dataset'), '--data-dir', join(out, 'data'), '--fresh'],
      { GEMINI_API_KEY: fake.apiKey, GOOGLE_GEMINI_BASE_URL: fake.url, GEMINI_RATE_LIMIT_RPM: '600', JUDGE_RATE_LIMIT_RPM: '600', MAX_ATTEMPTS: String(MAX_ATTEMPTS) },
    );
  }, 300_000);

  afterAll(async () => {
    await fake?.close();
  });

  it('exports a verdict or a failure reason for every succeeded image, never a silent null', () => {
    expect(result.code, result.output).toBe(0);
    const entries = JSON.parse(readFileSync(join(out, 'dataset', 'metadata', 'image_prompts.json'), 'utf8')) as ExportedEntry[];
    expect(entries).toHaveLength(Object.keys(CATEGORIES).length);
    expect(entries.map((entry) => entry.status)).toEqual(entries.map(() => 'succeeded'));
    for (const entry of entries) {
      const expected = CATEGORIES[entry.category];
      expect(entry.judge?.status, `${entry.id} (${expected.marker})`).toBe(expected.verdict);
      if (expected.verdict === 'judged') expect(entry.judge?.relevance, entry.id).toBeGreaterThanOrEqual(1);
      else expect(entry.judge?.failureReason, entry.id).toMatch(new RegExp(`^gave up after ${MAX_ATTEMPTS} attempts: .*429`));
    }
    // The judge was asked until its answer came: once, twice, three times, and MAX_ATTEMPTS times for the always-429 image.
    expect(fake.judge.calls(CATEGORIES.clean.marker)).toBe(1);
    expect(fake.judge.calls(CATEGORIES.once.marker)).toBe(2);
    expect(fake.judge.calls(CATEGORIES.twice.marker)).toBe(3);
    expect(fake.judge.calls(CATEGORIES.always.marker)).toBe(MAX_ATTEMPTS);

    // The CSV's judge columns: a verdict's cells, or its status and failure reason; none left blank.
    const [header, ...rows] = csvRows(readFileSync(join(out, 'dataset', 'metadata', 'quality_scores.csv'), 'utf8'));
    const column = (name: string) => header!.indexOf(name);
    expect(rows).toHaveLength(entries.length);
    for (const row of rows) {
      const entry = entries.find((candidate) => candidate.id === row[column('id')])!;
      expect(row[column('judgeStatus')], entry.id).toBe(entry.judge?.status);
      if (entry.judge?.status === 'judged') expect(Number(row[column('judgeRelevance')])).toBe(entry.judge.relevance);
      else expect(row[column('judgeFailureReason')], entry.id).toMatch(/^gave up after/);
    }
  });
});
