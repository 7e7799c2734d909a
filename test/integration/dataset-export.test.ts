import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetOptions } from '../../functions/core/export/index.js';
import { splitPlanOf } from '../../functions/core/export/index.js';
import { DIGITAL_SOURCE_TYPE } from '../../functions/core/objects/index.js';
import { ApiClient } from '../../scripts/client/api-client.js';
import { exportRun, type ExportResult } from '../../scripts/client/exporter.js';
import { ensurePythonEnv } from '../../scripts/lib/python-env.js';
import { projectRoot } from '../../scripts/lib/tools.js';
import { startStack, type Stack } from '../../scripts/stack/stack.js';
import { startFakeGemini, type FakeGemini } from '../support/fake-gemini-server.js';
import { stackClients, waitForRun } from '../support/stack-clients.js';
import { scratchDir } from '../support/scratch.js';

const COLUMNS = ['image', 'id', 'label', 'prompt', 'variables', 'issues', 'usable', 'review', 'split', 'exclusion'];

/** Runs python/check_dataset.py in the project's venv: load_dataset, mlcroissant, duplicates across splits, XMP via Pillow. */
async function checkWithPython(exported: ExportResult, sourceType: string) {
  const python = await ensurePythonEnv();
  const sizes = Object.fromEntries(Object.entries(splitPlanOf(exported.input).perSplit).filter(([, n]) => n > 0));
  const expected = { sizes, columns: COLUMNS, sourceType };
  const { stdout } = await promisify(execFile)(python, [join(projectRoot, 'python', 'check_dataset.py'), exported.dir, JSON.stringify(expected)], {
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, HF_DATASETS_CACHE: scratchDir('hf-cache-'), HF_HUB_OFFLINE: '1' },
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as { sizes: Record<string, number>; duplicatePairsInSplits: number; checksums: number; xmp: number };
}

describe('a dataset export from the embedded renderer', () => {
  const { api, stack } = stackClients();

  it('loads as train/validation/test, validates as Croissant, leaves the low-rated image out, and says algorithmicMedia in every PNG', async () => {
    const created = await api.createRun({ count: 30, seed: 2031 });
    await waitForRun(api, created.runId);
    const review = await fetch(`${stack.apiUrl}/v1/runs/${created.runId}/prompts/p0003/review`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${stack.instructorToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ relevance: 1, inappropriate: false, note: 'off topic' }),
    });
    expect(review.status).toBe(200);
    const status = await api.getRun(created.runId);
    const options: DatasetOptions = { split: [0.8, 0.1, 0.1], exclude: [{ kind: 'rated-below', relevance: 3 }], license: 'cc0-1.0' };
    const exported = await exportRun(api, status, scratchDir('dataset-'), { test: '1' }, options);

    const plan = splitPlanOf(exported.input);
    expect(plan.perSplit).toEqual({ train: 23, validation: 3, test: 3 });
    expect([...plan.excluded]).toEqual([['p0003', ['rated 1 (below 3)']]]);
    const entries = JSON.parse(readFileSync(join(exported.dir, 'metadata', 'image_prompts.json'), 'utf8')) as Array<{ id: string; split: string | null; excluded?: string[] }>;
    expect(entries.find((entry) => entry.id === 'p0003')).toMatchObject({ split: null, excluded: ['rated 1 (below 3)'] });
    const card = readFileSync(join(exported.dir, 'README.md'), 'utf8');
    expect(card).toMatch(/^---\nlicense: "cc0-1\.0"\n/);
    expect(card).toContain('- p0003 excluded: rated 1 (below 3)');
    expect(readFileSync(join(exported.dir, 'documentation', 'generation_log.md'), 'utf8')).toContain('| **all** | 23 | 3 | 3 | 1 |');

    const summary = await checkWithPython(exported, DIGITAL_SOURCE_TYPE.algorithmicMedia);
    expect(summary).toMatchObject({ sizes: { train: 23, validation: 3, test: 3 }, xmp: 30 });
    // 30 images and the 9 text files before croissant.json, each with its sha256.
    expect(summary.checksums).toBe(39);
  }, 240_000);
});

/** A noisy 64×64 pattern per prompt text: distinct prompts get distinct pHashes, repeated texts identical bytes. */
async function patternFor(prompt: string): Promise<Buffer> {
  const seed = createHash('sha256').update(prompt).digest();
  const pixels = Buffer.alloc(8 * 8 * 3, 0).map((_, i) => seed[i % 32]! ^ (i * 37));
  return sharp(pixels, { raw: { width: 8, height: 8, channels: 3 } }).resize(64, 64, { kernel: 'nearest' }).png().toBuffer();
}

describe('a dataset export from Gemini, with duplicates', () => {
  let fake: FakeGemini;
  let stack: Stack;

  beforeAll(async () => {
    fake = await startFakeGemini({ imageFor: patternFor });
    stack = await startStack({
      provider: 'gemini',
      logDir: join(projectRoot, '.stack-logs', 'test-dataset-gemini'),
      functionEnv: { GEMINI_API_KEY: fake.apiKey, GOOGLE_GEMINI_BASE_URL: fake.url, GEMINI_RATE_LIMIT_RPM: '600' },
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await fake?.close();
  });

  it('keeps every duplicate pair in one split and says trainedAlgorithmicMedia in every PNG', async () => {
    const api = new ApiClient(stack.apiUrl, stack.instructorToken);
    // Four and three prompt texts for ten images each: texts repeat, so the fake returns identical images.
    const scenario = {
      name: 'Duplicates',
      categories: {
        harbour: { template: 'A harbour quay, view {view}.', variables: { view: ['one', 'two', 'three', 'four'] } },
        market: { template: 'A market street, stall {stall}.', variables: { stall: ['red', 'green', 'blue'] } },
      },
    };
    const created = await api.createRun({ scenario, count: 20, seed: 5 });
    const status = await waitForRun(api, created.runId);
    expect(status.counts.assessed).toBe(20);
    const exported = await exportRun(api, status, scratchDir('dataset-gemini-'), { test: '1' });
    const duplicates = exported.input.prompts.filter((p) => p.issues.includes('exact_duplicate'));
    expect(duplicates.length).toBe(13);

    const summary = await checkWithPython(exported, DIGITAL_SOURCE_TYPE.trainedAlgorithmicMedia);
    expect(summary).toMatchObject({ duplicatePairsInSplits: 13, xmp: 20 });
  }, 240_000);
});
