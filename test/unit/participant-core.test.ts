import { describe, expect, it } from 'vitest';
import { MemoryDownloadTickets } from '../../functions/adapters/memory-download-tickets.js';
import { datasetAsOf, DEFAULT_DATASET_OPTIONS } from '../../functions/core/export/index.js';
import { previewRun } from '../../functions/core/runs/index.js';
import { parseRunRequest } from '../../functions/core/scenario/index.js';
import { builtinScenarios, DEFAULT_SCENARIO } from '../../functions/scenarios/index.js';
import { parseExportArgs } from '../../scripts/commands/export-args.js';

describe('datasetAsOf', () => {
  const run = { createdAt: '2026-01-01T00:00:00.000Z' };
  it.each([
    { name: 'nothing happened yet', prompts: [], want: '2026-01-01T00:00:00.000Z' },
    { name: 'the latest assessment', prompts: [{ generatedAt: '2026-01-01T00:01:00.000Z', assessedAt: '2026-01-01T00:02:00.000Z', review: null }], want: '2026-01-01T00:02:00.000Z' },
    { name: 'a later review', prompts: [{ generatedAt: null, assessedAt: '2026-01-01T00:02:00.000Z', review: { reviewedAt: '2026-01-02T00:00:00.000Z' } }], want: '2026-01-02T00:00:00.000Z' },
  ])('is the time of $name', ({ prompts, want }) => {
    expect(datasetAsOf(run, prompts as never)).toBe(want);
  });
});

describe('previewRun', () => {
  it('plans what the run would plan with the same seed, with balance and cost', () => {
    const parsed = parseRunRequest({ count: 12, seed: 3 }, builtinScenarios(), DEFAULT_SCENARIO);
    if (!parsed.ok) throw new Error(parsed.message);
    const preview = previewRun({ ...parsed.value, seed: 3 }, 'gemini-2.5-flash-image');
    expect(preview.planned).toBe(12);
    expect(Object.values(preview.balance.categories.counts).reduce((a, b) => a + b, 0)).toBe(12);
    for (const [axis, balance] of Object.entries(preview.balance.axes)) {
      expect(Object.values(balance.counts).reduce((a, b) => a + b, 0), axis).toBe(preview.prompts.filter((p) => axis in p.variables).length);
    }
    expect(preview.costEstimate).toMatchObject({ images: 12, usd: 0.468 });
    expect(previewRun({ ...parsed.value, seed: 3 }, 'x').prompts).toEqual(preview.prompts);
  });
});

describe('MemoryDownloadTickets', () => {
  it('redeems a ticket once, and never after it expires', async () => {
    const tickets = new MemoryDownloadTickets();
    const ticket = { runId: 'r1', principal: { id: 'u-1', name: 'Ada', role: 'participant' as const }, expiresAt: 1000 };
    await tickets.issue('h1', ticket);
    await tickets.issue('h2', ticket);
    expect(await tickets.redeem('h1', 999)).toEqual(ticket);
    expect(await tickets.redeem('h1', 999)).toBeNull();
    expect(await tickets.redeem('h2', 1000)).toBeNull();
    expect(await tickets.redeem('unknown', 0)).toBeNull();
  });
});

describe('parseExportArgs', () => {
  it.each([
    { argv: ['--api', 'http://x', '--run', 'r-1'], want: { ok: true, options: { api: 'http://x', runId: 'r-1', out: 'DataCollection', force: false, dataset: DEFAULT_DATASET_OPTIONS } } },
    { argv: ['--api', 'http://x', '--run', 'r-1', '--out', '/tmp/d', '--force'], want: { ok: true, options: { api: 'http://x', runId: 'r-1', out: '/tmp/d', force: true, dataset: DEFAULT_DATASET_OPTIONS } } },
    { argv: ['--run', 'r-1'], want: { ok: false, error: expect.stringMatching(/--api URL is required/) } },
    { argv: ['--api', 'ftp://x', '--run', 'r'], want: { ok: false, error: expect.stringMatching(/http\(s\) URL/) } },
    { argv: ['--api', 'http://x'], want: { ok: false, error: expect.stringMatching(/--run RUN_ID is required/) } },
    { argv: ['--api', 'http://x', '--run', '../etc'], want: { ok: false, error: expect.stringMatching(/--run must be a run id/) } },
    { argv: ['--api', 'http://x', '--run', 'r', '--count', '3'], want: { ok: false, error: expect.stringMatching(/count/) } },
    { argv: ['--help'], want: { ok: false, help: true } },
  ])('$argv', ({ argv, want }) => {
    expect(parseExportArgs(argv)).toEqual(want);
  });
});
