import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../../scripts/lib/tools.js';
import { unzipEntries } from '../support/unzip.js';
import { scratchDir } from '../support/scratch.js';

interface Answer<T> { status: number; body: T; headers: Headers }

/**
 * The run preview, the streamed dataset zip with its download tickets, and `npm run export`,
 * against the real stack: the zip and the CLI's export of the same run are the same files.
 */
describe('run preview, dataset.zip and npm run export', () => {
  const stack = inject('stack');

  async function call<T>(token: string | null, method: string, path: string, body?: unknown): Promise<Answer<T>> {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const type = response.headers.get('content-type') ?? '';
    const parsed = type.includes('json') ? await response.json() : Buffer.from(await response.arrayBuffer());
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  const participant = async (name: string) => (await call<{ id: string; token: string }>(stack.instructorToken, 'POST', '/v1/participants', { name, imageQuota: 20 })).body;

  /**
   * Until the run is complete and settled: the assessor can finish a prompt before the generator's
   * own record of it (model, generatedAt) lands, and two exports a moment apart would then differ.
   */
  async function waitForCompletion(token: string, runId: string): Promise<void> {
    const deadline = Date.now() + 120_000;
    const settled = async () => (await call<{ prompts: Array<{ status: string; generatedAt: string | null }> }>(token, 'GET', `/v1/runs/${runId}/prompts`)).body.prompts.every((p) => p.status === 'failed' || p.generatedAt);
    while ((await call<{ state: string }>(token, 'GET', `/v1/runs/${runId}`)).body.state !== 'completed' || !(await settled())) {
      if (Date.now() > deadline) throw new Error(`run ${runId} did not complete`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  function filesUnder(dir: string): Map<string, Buffer> {
    const files = new Map<string, Buffer>();
    const walk = (at: string) => {
      for (const name of readdirSync(at)) {
        const path = join(at, name);
        if (statSync(path).isDirectory()) walk(path);
        else files.set(relative(dir, path), readFileSync(path));
      }
    };
    walk(dir);
    return files;
  }

  it('previews without writing or booking, and explains a bad placeholder on its field', async () => {
    const ada = await participant('Preview Ada');
    const before = await call<{ runs: unknown[] }>(ada.token, 'GET', '/v1/runs');
    const preview = await call<{ planned: number; seed: number; prompts: Array<{ promptId: string; category: string; prompt: string; variables: Record<string, string> }>; balance: { categories: { counts: Record<string, number> }; axes: Record<string, unknown> }; costEstimate: { images: number }; quota: { used: number; left: number } }>(ada.token, 'POST', '/v1/runs:preview', { count: 8 });
    expect(preview.status).toBe(200);
    expect(preview.body.planned).toBe(8);
    expect(preview.body.prompts).toHaveLength(8);
    expect(Object.values(preview.body.balance.categories.counts).reduce((a, b) => a + b, 0)).toBe(8);
    expect(Object.keys(preview.body.balance.axes).length).toBeGreaterThan(0);
    expect(preview.body.costEstimate.images).toBe(8);
    expect(preview.body.quota).toEqual({ used: 0, left: 20 });
    // Nothing was written or booked.
    expect((await call<{ runs: unknown[] }>(ada.token, 'GET', '/v1/runs')).body.runs).toHaveLength(before.body.runs.length);
    expect((await call<{ imagesUsed: number }>(ada.token, 'GET', '/v1/me')).body.imagesUsed).toBe(0);
    // The same seed starts a run with exactly the previewed prompts.
    const created = await call<{ runId: string }>(ada.token, 'POST', '/v1/runs', { count: 8, seed: preview.body.seed });
    const prompts = (await call<{ prompts: Array<{ promptId: string; prompt: string }> }>(ada.token, 'GET', `/v1/runs/${created.body.runId}/prompts`)).body.prompts;
    expect(prompts.map((p) => p.prompt)).toEqual(preview.body.prompts.map((p) => p.prompt));

    const bad = await call<{ error: { code: string; message: string; fields: Array<{ field: string; message: string; suggestion?: string }> } }>(ada.token, 'POST', '/v1/runs:preview', {
      count: 2,
      scenario: { name: 'typo', variables: { time_of_day: ['at dawn'] }, categories: { street: { template: 'A street {time_of_dya}.' } } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual([{ field: 'scenario.categories.street.template', message: 'unknown placeholder {time_of_dya}: did you mean {time_of_day}?', suggestion: '{time_of_day}' }]);
    // The same error, word for word, from POST /v1/runs.
    const badRun = await call<{ error: unknown }>(ada.token, 'POST', '/v1/runs', { count: 2, scenario: { name: 'typo', variables: { time_of_day: ['at dawn'] }, categories: { street: { template: 'A street {time_of_dya}.' } } } });
    expect(badRun.body).toEqual(bad.body);
    expect((await call(ada.token, 'POST', '/v1/runs:preview', { count: 21 })).status).toBe(429);
  });

  it('streams the zip the CLI export matches file for file, with reviews as they stand, to its owner only', async () => {
    const [ada, bob] = [await participant('Zip Ada'), await participant('Zip Bob')];
    const { runId } = (await call<{ runId: string }>(ada.token, 'POST', '/v1/runs', { count: 5, seed: 11 })).body;
    await waitForCompletion(ada.token, runId);
    const prompts = (await call<{ prompts: Array<{ promptId: string }> }>(ada.token, 'GET', `/v1/runs/${runId}/prompts`)).body.prompts;
    const [first, second] = prompts as [{ promptId: string }, { promptId: string }];
    await call(ada.token, 'PUT', `/v1/runs/${runId}/prompts/${first.promptId}/review`, { relevance: 5, inappropriate: false, note: 'clear, "good" light' });
    await call(ada.token, 'PUT', `/v1/runs/${runId}/prompts/${second.promptId}/review`, { relevance: 2, inappropriate: true, note: '' });

    const zip = await call<Buffer>(ada.token, 'GET', `/v1/runs/${runId}/dataset.zip`);
    expect(zip.status).toBe(200);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    const zipped = await unzipEntries(zip.body);
    const csv = zipped.get('metadata/quality_scores.csv')!.toString('utf8');
    expect(csv.split('\n')[0]).toMatch(/,relevance,inappropriate,note,reviewedBy,culturalSensitivity,scenarioAligned,usable,judgeRelevance,judgeReason,judgeInappropriate,caption,judgeCulturalSensitivity,judgeScenarioAligned,judgeStatus,judgeFailureReason$/);
    expect(csv).toContain(`,5,0,"clear, ""good"" light",Zip Ada,`);
    expect(csv).toContain(`${second.promptId},`);
    expect([...zipped.keys()].filter((path) => path.endsWith('.png'))).toHaveLength(5);

    const out = scratchDir('export-');
    const cli = spawnSync(process.execPath, ['dist/scripts/commands/export.js', '--api', stack.apiUrl, '--run', runId, '--out', out, '--force'], { cwd: projectRoot, env: { ...process.env, API_TOKEN: ada.token }, encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stderr).toContain('2 reviews written');
    const exported = filesUnder(out);
    expect([...exported.keys()].sort()).toEqual([...zipped.keys()].sort());
    for (const [path, bytes] of zipped) expect(exported.get(path)?.toString(path.endsWith(".png") ? "base64" : "utf8"), path).toBe(bytes.toString(path.endsWith(".png") ? "base64" : "utf8"));

    // Another participant's run does not exist for Bob; no token is no zip.
    expect((await call(bob.token, 'GET', `/v1/runs/${runId}/dataset.zip`)).status).toBe(404);
    expect((await call(bob.token, 'POST', `/v1/runs/${runId}/dataset:ticket`)).status).toBe(404);
    expect((await call(null, 'GET', `/v1/runs/${runId}/dataset.zip`)).status).toBe(401);

    // A ticket works once, for its run only.
    const ticket = await call<{ url: string; expiresAt: string }>(ada.token, 'POST', `/v1/runs/${runId}/dataset:ticket`);
    expect(ticket.status).toBe(201);
    expect(ticket.body.url).not.toContain(ada.token);
    const byTicket = await call<Buffer>(null, 'GET', ticket.body.url);
    expect(byTicket.status).toBe(200);
    expect((await unzipEntries(byTicket.body)).get('metadata/quality_scores.csv')?.toString('utf8')).toBe(csv);
    expect((await call(null, 'GET', ticket.body.url)).status).toBe(401);
    const forOtherRun = await call<{ url: string }>(ada.token, 'POST', `/v1/runs/${runId}/dataset:ticket`);
    expect((await call(null, 'GET', forOtherRun.body.url.replace(runId, 'some-other-run'))).status).toBe(401);
  });
});
