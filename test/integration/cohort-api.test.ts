import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { projectRoot } from '../../scripts/lib/tools.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { stackClients, waitForRun } from '../support/stack-clients.js';
import { scratchDir } from '../support/scratch.js';

/** One shared instance, many participants: tokens, roles, isolation, quotas, reviews, purge. */
describe('cohort access on the emulator stack', () => {
  const { stack, bucket, previews } = stackClients();
  const call = async (method: string, path: string, token: string | null, body?: unknown) => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const type = response.headers.get('content-type') ?? '';
    const json = type.includes('json');
    // Loosely typed on purpose: each test reads the fields of the answer it expects.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: response.status, body: (json ? await response.json() : {}) as Record<string, any>, bytes: json ? null : Buffer.from(await response.arrayBuffer()) };
  };
  const instructor = stack.instructorToken;
  let ada: { id: string; token: string };
  let grace: { id: string; token: string };
  let adaRun: string;

  beforeAll(async () => {
    const created = await call('POST', '/v1/participants:batchCreate', instructor, { participants: [{ name: 'Ada', imageQuota: 20 }, { name: 'Grace' }] });
    expect(created.status).toBe(201);
    [ada, grace] = created.body.participants;
    const run = await call('POST', '/v1/runs', ada.token, { count: 3, seed: 4 });
    expect(run.status).toBe(202);
    adaRun = run.body.runId;
    await waitForRun(stackClients().api, adaRun);
  });

  it.each([
    { name: 'no token', token: null },
    { name: 'a malformed header', token: 'x' },
    { name: 'an unknown token', token: 'sid_thisTokenWasNeverIssuedToAnyoneAtAll' },
  ])('answers 401 JSON to $name', async ({ token }) => {
    const response = await call('GET', '/v1/runs', token);
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('shows tokens once and stores only hashes', async () => {
    const listed = await call('GET', '/v1/participants', instructor);
    expect(listed.status).toBe(200);
    const entry = listed.body.participants.find((p: { id: string }) => p.id === ada.id);
    expect(entry).toMatchObject({ name: 'Ada', imageQuota: 20, imagesUsed: 3 });
    expect(JSON.stringify(listed.body)).not.toContain(ada.token);
    expect(entry.tokenHash).toBeUndefined();
    expect(ada.token.length).toBeGreaterThanOrEqual(32);
  });

  it.each([
    { method: 'GET', path: '/v1/participants' },
    { method: 'POST', path: '/v1/participants', body: { name: 'Mallory' } },
    { method: 'PATCH', path: '/v1/participants/u-anyone', body: { imageQuota: 1000 } },
    { method: 'DELETE', path: '/v1/cohort' },
  ])('answers 403 to a participant calling $method $path', async ({ method, path, body }) => {
    const response = await call(method, path, grace.token, body);
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('PERMISSION_DENIED');
  });

  it('keeps participants apart: another participant’s run answers 404 everywhere', async () => {
    expect((await call('GET', '/v1/runs', grace.token)).body.runs).toEqual([]);
    expect((await call('GET', '/v1/runs', ada.token)).body.runs.map((r: { runId: string }) => r.runId)).toEqual([adaRun]);
    for (const path of [`/v1/runs/${adaRun}`, `/v1/runs/${adaRun}/prompts`, `/v1/runs/${adaRun}/images/p0001`]) {
      expect((await call('GET', path, grace.token)).status, path).toBe(404);
    }
    expect((await call('PUT', `/v1/runs/${adaRun}/prompts/p0001/review`, grace.token, { relevance: 1, inappropriate: true, note: '' })).status).toBe(404);
    expect((await call('GET', `/v1/runs/${adaRun}`, instructor)).status).toBe(200);
  });

  it('saves reviews, validates them, and serves thumbnails to the owner', async () => {
    const saved = await call('PUT', `/v1/runs/${adaRun}/prompts/p0002/review`, ada.token, { relevance: 4, inappropriate: false, note: 'good <b>light</b>' });
    expect(saved).toMatchObject({ status: 200, body: { review: { relevance: 4, reviewedBy: 'Ada' } } });
    const prompts = await call('GET', `/v1/runs/${adaRun}/prompts`, ada.token);
    expect(prompts.body.prompts[1].review).toMatchObject({ relevance: 4, inappropriate: false, note: 'good <b>light</b>' });
    const bad = await call('PUT', `/v1/runs/${adaRun}/prompts/p0002/review`, ada.token, { relevance: 9, inappropriate: 'no' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/relevance/);
    const thumb = await call('GET', `/v1/runs/${adaRun}/images/p0001?size=thumb`, ada.token);
    expect(await sharp(thumb.bytes!).metadata()).toMatchObject({ format: 'jpeg', width: 256, height: 256 });
  });

  it('holds a quota under a burst of concurrent run requests', async () => {
    const { body: hopper } = await call('POST', '/v1/participants', instructor, { name: 'Hopper', imageQuota: 7 });
    const burst = await Promise.all(Array.from({ length: 8 }, () => call('POST', '/v1/runs', hopper.token, { count: 3 })));
    const accepted = burst.filter((r) => r.status === 202);
    const refused = burst.filter((r) => r.status === 429);
    expect(accepted).toHaveLength(2);
    expect(refused).toHaveLength(6);
    for (const r of refused) expect(r.body.error.message).toMatch(/image quota exceeded: 6 of 7 images used, 1 left|runs already in flight/);
    expect((await call('GET', '/v1/me', hopper.token)).body).toMatchObject({ role: 'participant', imageQuota: 7, imagesUsed: 6 });
    for (const r of accepted) await waitForRun(stackClients().api, r.body.runId);
  });

  it('refuses a token revoked mid-session', async () => {
    const { body: turing } = await call('POST', '/v1/participants', instructor, { name: 'Turing' });
    expect((await call('GET', '/v1/me', turing.token)).status).toBe(200);
    expect((await call('POST', `/v1/participants/${turing.id}:revoke`, instructor)).body).toMatchObject({ revoked: true });
    expect((await call('GET', '/v1/me', turing.token)).status).toBe(401);
    expect((await call('POST', '/v1/runs', turing.token, { count: 1 })).status).toBe(401);
  });

  it("purges a participant's runs from Firestore and Storage", async () => {
    const [before] = await bucket.getFiles({ prefix: `runs/${adaRun}/` });
    const [previewsBefore] = await previews.getFiles({ prefix: `runs/${adaRun}/` });
    expect([before.length, previewsBefore.length]).toEqual([3, 3]); // the images, and their previews in their own bucket
    expect((await call('DELETE', `/v1/participants/${ada.id}/runs`, instructor)).body).toEqual({ deletedRuns: 1 });
    expect((await call('GET', `/v1/runs/${adaRun}`, ada.token)).status).toBe(404);
    const [after] = await bucket.getFiles({ prefix: `runs/${adaRun}/` });
    const [previewsAfter] = await previews.getFiles({ prefix: `runs/${adaRun}/` });
    expect([...after, ...previewsAfter]).toHaveLength(0);
  });

  it('runs the cohort CLI against the deployment: add from a file, list, quota, revoke', async () => {
    const dir = scratchDir('cohort-');
    writeFileSync(join(dir, 'names.txt'), 'Lovelace\nBabbage, Charles\n\n');
    const cohort = (...args: string[]) =>
      spawnSync(process.execPath, ['dist/scripts/commands/cohort.js', '--api', stack.apiUrl, ...args], { cwd: projectRoot, encoding: 'utf8', env: { ...process.env, INSTRUCTOR_TOKEN: instructor } });
    const added = cohort('add', '--names', join(dir, 'names.txt'), '--quota', '5', '--out', join(dir, 'tokens.csv'));
    expect(added.status, added.stderr).toBe(0);
    expect(statSync(join(dir, 'tokens.csv')).mode & 0o777).toBe(0o600);
    const rows = readFileSync(join(dir, 'tokens.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('name,id,token,imageQuota');
    expect(rows[2]).toMatch(/^"Babbage, Charles",u-[0-9a-f]+,sid_\S+,5$/);
    const [, id, token] = rows[1]!.split(',');
    expect((await call('GET', '/v1/me', token!)).body).toMatchObject({ name: 'Lovelace', imageQuota: 5 });
    expect(cohort('quota', id!, '9').status).toBe(0);
    expect(cohort('list').stdout).toMatch(new RegExp(`${id}\\s+Lovelace\\s+0/9\\s+active`));
    expect(cohort('revoke', id!).status).toBe(0);
    expect((await call('GET', '/v1/me', token!)).status).toBe(401);
    expect(spawnSync(process.execPath, ['dist/scripts/commands/cohort.js', '--api', stack.apiUrl, 'list'], { cwd: projectRoot, encoding: 'utf8', env: { ...process.env, INSTRUCTOR_TOKEN: 'x'.repeat(40) } }).status).toBe(1);
  });
});
