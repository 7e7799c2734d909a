/** The export writer against a hostile server: a real HTTP server answering with unsafe names, and the real client. */
import { createServer, type Server } from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPromptRecord } from '../../functions/core/runs/index.js';
import { ApiClient, type RunStatus } from '../../scripts/client/api-client.js';
import { exportRun, resolveInside, UnsafeExportError } from '../../scripts/client/exporter.js';

let answer: { run: unknown; prompts: unknown[] } = { run: null, prompts: [] };
let server: Server;
let base: string;
let root: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.includes('/images/')) res.writeHead(200, { 'Content-Type': 'image/png' }).end(Buffer.from('png'));
    else if (req.url?.endsWith('/revisions')) res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ rootRunId: 'r1', runs: [{ runId: 'r1' }] }));
    else res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ ...answer, thresholds: {} }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  root = await mkdtemp(join(tmpdir(), 'export-safety-'));
});
afterAll(async () => {
  server.close();
  await rm(root, { recursive: true, force: true });
});

const run = (runId: string) => ({ runId, scenario: { name: 's', variables: {}, categories: {} }, count: 1, seed: 1, categories: [], provider: 'embedded', model: 'm', createdAt: new Date(0).toISOString(), state: 'accepted', owner: 'o', image: { aspectRatio: '1:1', imageSize: '1K' }, costEstimate: { images: 1, usd: 0, perImageUsd: 0 } });
const prompt = (patch: Record<string, unknown>) => ({ ...newPromptRecord('r1', { promptId: 'p0001', index: 1, category: 'street', prompt: 'x', variables: {}, seed: 1 }), status: 'assessed', issues: [], duplicateOf: null, ...patch });
const status = { runId: 'r1', report: null, counts: { planned: 0, generating: 0, generated: 0, assessed: 1, failed: 0 }, quality: { assessed: 1, meanBrightness: null, meanColourVariance: null, meanResolutionScore: null } } as unknown as RunStatus;

describe('exportRun refuses a hostile server', () => {
  it.each([
    { name: 'a category climbing out of --out', runId: 'r1', patch: { category: '../../../ESCAPED' }, message: /unsafe category "\.\.\/\.\.\/\.\.\/ESCAPED"/ },
    { name: 'an absolute category', runId: 'r1', patch: { category: '/tmp/escaped' }, message: /unsafe category/ },
    { name: 'a category of ..', runId: 'r1', patch: { category: '..' }, message: /unsafe category/ },
    { name: 'a backslash category', runId: 'r1', patch: { category: '..\\..\\x' }, message: /unsafe category/ },
    { name: 'a prompt id with a path', runId: 'r1', patch: { promptId: '../p0001' }, message: /unsafe prompt id/ },
    { name: 'a prompt id that is not a string', runId: 'r1', patch: { promptId: { toString: 'x' } }, message: /unsafe prompt id/ },
    { name: 'a run id with a path', runId: '../r1', patch: {}, message: /unsafe run id/ },
  ])('$name: nothing is written', async ({ runId, patch, message }) => {
    answer = { run: run(runId), prompts: [prompt(patch)] };
    const out = join(root, 'out', 'inner');
    const error = await exportRun(new ApiClient(base, 't'), status, out, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsafeExportError);
    expect((error as Error).message).toMatch(message);
    expect(await readdir(root)).toEqual([]);
  });

  it('writes a safe answer inside --out', async () => {
    answer = { run: run('r1'), prompts: [prompt({ category: 'constructor' })] };
    const out = join(root, 'safe');
    await exportRun(new ApiClient(base, 't'), status, out, {});
    expect(await readdir(join(out, 'generated_images', 'constructor'))).toEqual(['p0001.png']);
    expect(Object.hasOwn(Object, 'succeeded')).toBe(false);
  });

  it.each(['../x', '/etc/passwd', 'a/../../x', 'a//b', './a', 'a\\b', 'C:', 'a/\u0000'])('resolveInside refuses %j', (path) => {
    expect(() => resolveInside(root, path)).toThrow(UnsafeExportError);
  });

  it('resolveInside keeps a plain path inside', () => {
    expect(resolveInside(root, 'metadata/quality_scores.csv')).toBe(join(root, 'metadata', 'quality_scores.csv'));
  });
});
