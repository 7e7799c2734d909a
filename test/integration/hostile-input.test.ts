/**
 * A hostile participant against the real api on the emulator stack. Every refused request
 * answers a JSON error with the right status and code, and writes and books nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { yamlString } from '../../functions/core/export/index.js';
import { FirestoreSignInFailures } from '../../functions/adapters/firestore-sign-in-failures.js';
import { MAX_JSON_DEPTH, MAX_PROMPT_BYTES } from '../../functions/core/scenario/index.js';
import { ApiClient } from '../../scripts/client/api-client.js';
import { exportRun } from '../../scripts/client/exporter.js';
import { largestScenario } from '../../scripts/bench/largest-scenario.js';
import { ensurePythonEnv } from '../../scripts/lib/python-env.js';
import { stackClients, waitForRun } from '../support/stack-clients.js';

type Who = 'instructor' | 'participant' | 'broke' | 'nobody';

describe('hostile input on the emulator stack', () => {
  const { stack, firestore } = stackClients();
  const tokens: Record<Who, string | null> = { instructor: stack.instructorToken, participant: null, broke: null, nobody: null };
  const ids: Record<string, string> = {};

  async function call(method: string, path: string, who: Who, body?: string | Buffer, headers: Record<string, string> = {}) {
    const token = tokens[who];
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : new Uint8Array(body) }),
    });
    const type = response.headers.get('content-type') ?? '';
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: response.status, headers: response.headers, type, body: (type.includes('json') ? await response.json() : null) as any };
  }

  /** Everything a request could write or book: runs, prompts, and each participant's usage. */
  async function snapshot() {
    const [runs, prompts, participants] = await Promise.all([
      firestore.collection('runs').count().get(),
      firestore.collectionGroup('prompts').count().get(),
      firestore.collection('participants').get(),
    ]);
    return {
      runs: runs.data().count,
      prompts: prompts.data().count,
      usage: Object.fromEntries(participants.docs.map((doc) => [doc.id, { imagesUsed: doc.get('imagesUsed'), activeRuns: doc.get('activeRuns') }])),
    };
  }

  /**
   * A run is marked completed before the reconciler releases it from its owner's active runs, in a
   * second write: a test that compares snapshots waits for the release, so both see a settled state.
   */
  async function waitForRelease(participantId: string, runId: string) {
    await vi.waitFor(async () => {
      const active = ((await firestore.collection('participants').doc(participantId).get()).get('activeRuns') ?? []) as Array<{ runId: string }>;
      expect(active.map((entry) => entry.runId)).not.toContain(runId);
    }, { timeout: 30_000, interval: 250 });
  }

  let prototypeRun = '';
  beforeAll(async () => {
    const created = await call('POST', '/v1/participants:batchCreate', 'instructor', JSON.stringify({ participants: [{ name: 'Mallory', imageQuota: 40 }, { name: 'Broke', imageQuota: 0 }] }));
    expect(created.status).toBe(201);
    const [mallory, broke] = created.body.participants as Array<{ id: string; token: string }>;
    tokens.participant = mallory?.token ?? null;
    tokens.broke = broke?.token ?? null;
    ids.participant = mallory?.id ?? '';
  });

  const scenario = (patch: Record<string, unknown>) => ({ name: 'hostile', variables: { place: ['square', 'quay'] }, categories: { street: { template: 'A {place}.' } }, ...patch });
  const run = (inline: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ count: 4, scenario: inline, ...extra });
  const deep = `{"count":1,"scenario":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;

  it.each([
    { name: 'a category named __x__', who: 'participant', body: run(scenario({ categories: { __x__: { template: 'A {place}.' } } })), status: 400, code: 'INVALID_ARGUMENT', message: /scenario\.categories\.__x__: .*reserved/ },
    { name: 'a shared axis named __x__', who: 'participant', body: run(scenario({ variables: { __x__: ['a'], place: ['b'] } })), status: 400, code: 'INVALID_ARGUMENT', message: /scenario\.variables\.__x__/ },
    { name: "a category's axis named __y__", who: 'participant', body: run(scenario({ categories: { street: { template: 'A {__y__}.', variables: { __y__: ['a'] } } } })), status: 400, code: 'INVALID_ARGUMENT', message: /scenario\.categories\.street\.variables\.__y__/ },
    { name: 'a category named __proto__', who: 'participant', body: `{"count":2,"scenario":{"name":"p","categories":{"__proto__":{"template":"t"},"ok":{"template":"t"}}}}`, status: 400, code: 'INVALID_ARGUMENT', message: /scenario\.categories\.__proto__/ },
    { name: '{context} repeated into 800 KB prompts', who: 'participant', body: run(scenario({ context: 'c'.repeat(8000), categories: { street: { template: '{context} '.repeat(100) } } })), status: 400, code: 'INVALID_ARGUMENT', message: new RegExp(`limit is ${MAX_PROMPT_BYTES} bytes`) },
    { name: 'a body nested 200,000 levels deep', who: 'participant', body: deep, status: 400, code: 'INVALID_ARGUMENT', message: new RegExp(`deeper than ${MAX_JSON_DEPTH} levels`) },
    { name: '__proto__ inside an inline scenario', who: 'participant', body: `{"count":1,"scenario":{"__proto__":{"x":1},"name":"p","categories":{"ok":{"template":"t"}}}}`, status: 400, code: 'INVALID_ARGUMENT', message: /^scenario\.__proto__: unknown field "__proto__"$/ },
    { name: 'DEL and C1 controls in a scenario name', who: 'participant', body: run(scenario({ name: 'Harbour\u007f\u0080\u009b day' })), status: 400, code: 'INVALID_ARGUMENT', message: /^scenario\.name: .*control characters/ },
    { name: 'a deep body on a cohort route', who: 'instructor', path: '/v1/participants', body: `{"name":${'['.repeat(50_000)}${']'.repeat(50_000)}}`, status: 400, code: 'INVALID_ARGUMENT', message: /deeper than/ },
    { name: 'the largest valid scenario from a participant with no quota left', who: 'broke', body: JSON.stringify({ count: 500, scenario: largestScenario() }), status: 429, code: 'RESOURCE_EXHAUSTED', message: /at most 100 images|quota/ },
    { name: 'a run over the quota', who: 'broke', body: run(scenario({})), status: 429, code: 'RESOURCE_EXHAUSTED', message: /image quota exceeded: 0 of 0 images used/ },
    { name: 'an unauthenticated gzip bomb (150 MB inflated)', who: 'nobody', body: gzipSync(Buffer.from(`{"count":1,"pad":"${' '.repeat(150 * 1024 * 1024)}"}`)), headers: { 'Content-Encoding': 'gzip' }, status: 413, code: 'PAYLOAD_TOO_LARGE', message: /limit is 1048576 bytes/ },
  ] as Array<{ name: string; who: Who; path?: string; body: string | Buffer; headers?: Record<string, string>; status: number; code: string; message: RegExp }>)(
    '$name → $status, nothing written or booked',
    async ({ who, path, body, headers, status, code, message }) => {
      const before = await snapshot();
      const response = await call('POST', path ?? '/v1/runs', who, body, headers);
      expect(response.status).toBe(status);
      expect(response.type).toMatch(/application\/json/);
      expect(response.body.error.code).toBe(code);
      expect(response.body.error.message).toMatch(message);
      expect(await snapshot()).toEqual(before);
    },
  );

  const forged = (cursor: unknown) => Buffer.from(JSON.stringify(cursor)).toString('base64url');
  it.each([
    ['/v1/runs', 'WyIyOTk5LTAxLTAxVDAwOjAwOjAwLjAwMFoiLCIiXQ'],
    ['/v1/runs', forged(['2999-01-01T00:00:00.000Z', 'a/b'])],
    ['/v1/participants', forged(['2999-01-01T00:00:00.000Z', '__x__'])],
    ['/v1/participants', forged(['2999-01-01T00:00:00.000Z', ''])],
  ])('GET %s with the forged cursor %s → 400 JSON, nothing written', async (path, token) => {
    const before = await snapshot();
    const response = await call('GET', `${path}?pageToken=${token}`, 'instructor');
    expect([response.status, response.type, response.body.error.code]).toEqual([400, expect.stringMatching(/application\/json/), 'INVALID_ARGUMENT']);
    expect(response.body.error.message).toMatch(/pageToken is not valid/);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a download ticket whose owner was revoked after asking for it', async () => {
    const created = await call('POST', '/v1/participants', 'instructor', JSON.stringify({ name: 'Trudy', imageQuota: 2 }));
    ids.revoked = created.body.id;
    const client = new ApiClient(stack.apiUrl, created.body.token);
    const runId = (await client.createRun({ count: 1, scenario: scenario({}) })).runId;
    await waitForRun(client, runId);
    await waitForRelease(ids.revoked, runId);
    const ticket = await client.call<{ url: string }>('POST', `/v1/runs/${runId}/dataset:ticket`);
    expect((await call('POST', `/v1/participants/${ids.revoked}:revoke`, 'instructor')).status).toBe(200);
    const before = await snapshot();
    const download = await call('GET', ticket.url, 'nobody');
    expect([download.status, download.type, download.body.error.code]).toEqual([401, expect.stringMatching(/application\/json/), 'UNAUTHENTICATED']);
    expect(download.body.error.message).toMatch(/no longer allowed/);
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['GET', '/v1/runs/__x__'],
    ['GET', '/v1/runs/__x__/prompts'],
    ['GET', '/v1/runs/__x__/images/p0001'],
    ['PUT', '/v1/runs/__x__/prompts/p0001/review'],
    ['PATCH', '/v1/participants/__x__'],
    ['POST', '/v1/participants/__x__:revoke'],
    ['DELETE', '/v1/participants/__x__/runs'],
  ])('%s %s (a Firestore-reserved id) → 404 JSON', async (method, path) => {
    const before = await snapshot();
    const body = method === 'PUT' ? JSON.stringify({ relevance: 1, inappropriate: false, note: '' }) : method === 'PATCH' ? JSON.stringify({ imageQuota: 1 }) : undefined;
    const response = await call(method, path, 'instructor', body);
    expect([response.status, response.body.error.code]).toEqual([404, 'NOT_FOUND']);
    expect(await snapshot()).toEqual(before);
  });

  it('runs, reports and exports a scenario whose names and values are prototype keys', async () => {
    const inline = {
      name: 'prototypes',
      variables: { constructor: ['__proto__', 'constructor', 'toString'], toString: ['valueOf', 'hasOwnProperty'] },
      // `tostring` leaves the toString axis out: its prompts must not count Object.prototype.toString as a value.
      categories: { constructor: { template: 'A {constructor} {toString} scene.' }, tostring: { template: 'Another {constructor} scene.' } },
    };
    const created = await call('POST', '/v1/runs', 'participant', run(inline, { count: 6, seed: 5 }));
    expect(created.status).toBe(202);
    prototypeRun = created.body.runId;
    const client = new ApiClient(stack.apiUrl, tokens.participant ?? '');
    const status = await waitForRun(client, prototypeRun);
    await waitForRelease(ids.participant, prototypeRun);
    expect(status.report?.balance.categories.counts).toEqual({ constructor: 3, tostring: 3 });
    expect(status.report?.balance.categories.normalisedEntropy).toBe(1);
    const axis = (name: string) => status.report?.balance.axes[name];
    expect(Object.keys(axis('constructor')?.counts ?? {}).sort()).toEqual(['__proto__', 'constructor', 'toString']);
    expect(typeof axis('toString')?.normalisedEntropy).toBe('number');
    expect(Object.entries(axis('toString')?.counts ?? {}).filter(([value]) => value !== 'valueOf' && value !== 'hasOwnProperty')).toEqual([]);
    expect(Object.values(axis('toString')?.counts ?? {}).reduce((a, b) => a + b, 0)).toBe(3);
    const out = await mkdtemp(join(tmpdir(), 'hostile-export-'));
    try {
      const exported = await exportRun(client, status, out, {});
      expect(exported.images).toBe(6);
      expect(await readFile(join(out, 'documentation', 'generation_log.md'), 'utf8')).toContain('| constructor | 3 | 0 |');
      expect((await readFile(join(out, 'metadata', 'quality_scores.csv'), 'utf8')).split('\n').filter((line) => line.startsWith('generated_images/constructor/'))).toHaveLength(3);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('writes YAML that PyYAML reads back exactly, whatever text it is given', async () => {
    const texts = ['Harbour\u007f\u0080\u009b day', '\u0000\u0001\t\n\r\u001b[31m', 'NEL\u0085 LS\u2028 PS\u2029 BOM\ufeff', 'a "quoted" \\ back\\slash', '---\nlicense: evil', 'Hafentag – ☀️ مرفأ', '# not a comment: {[&*!|>%@`'];
    const yaml = texts.map((text, i) => `t${i}: ${yamlString(text)}`).join('\n');
    const python = await ensurePythonEnv();
    const load = 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))';
    const child = execFile(python, ['-c', load]);
    child.stdin?.end(yaml);
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(Object.fromEntries(texts.map((text, i) => [`t${i}`, text])));
  });

  it('gives image responses Vary: Authorization', async () => {
    const response = await call('GET', `/v1/runs/${prototypeRun}/images/p0001`, 'participant');
    expect(response.status).toBe(200);
    expect(response.headers.get('vary')).toMatch(/Authorization/);
    expect(response.headers.get('cache-control')).toMatch(/private/);
  });

  it('limits one caller’s review writes with 429 and Retry-After, and no one else’s', async () => {
    const review = JSON.stringify({ relevance: 3, inappropriate: false, note: '=HYPERLINK("http://x")' });
    const path = `/v1/runs/${prototypeRun}/prompts/p0001/review`;
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 30 }, () => call('PUT', path, 'participant', review)));
    const seconds = (Date.now() - started) / 1000;
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    // The test stack allows 30 a minute in bursts of 15 (global-setup.ts): a burst, plus what refilled meanwhile.
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(15 + Math.ceil(seconds / 2));
    // On a slow machine the burst may refill while contended; then the next writes in a row find it empty.
    for (let i = 0; i < 20 && !answers.some((answer) => answer.status === 429); i++) answers.push(await call('PUT', path, 'participant', review));
    const limited = answers.find((answer) => answer.status === 429);
    expect(limited?.body.error.code).toBe('RESOURCE_EXHAUSTED');
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await call('PUT', path, 'instructor', review)).status).toBe(200);
  });

  it('answers failed sign-ins at once, keyed on the right-most X-Forwarded-For entry, with counts every instance shares, never blocking a valid token', async () => {
    const front = '203.0.113.77';
    const wrong = { Authorization: 'Bearer wrong-token-0123456789abcdef0123' };
    // Failed sign-ins, each with a different left-most entry, all through one front-end address,
    // until the address is closed for its whole window (30 failures; a 429 in between counts too).
    const statuses: number[] = [];
    let closedForWindow = false;
    for (let i = 0; i < 40 && !closedForWindow; i++) {
      const answer = await call('GET', '/v1/me', 'nobody', undefined, { ...wrong, 'X-Forwarded-For': `198.51.100.${i}, ${front}` });
      statuses.push(answer.status);
      closedForWindow = answer.status === 429 && Number(answer.headers.get('retry-after')) > 60;
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(closedForWindow, `statuses: ${statuses.join(',')}`).toBe(true);
    const rotated = await call('GET', '/v1/me', 'nobody', undefined, { ...wrong, 'X-Forwarded-For': `198.51.100.200, ${front}` });
    expect([rotated.status, rotated.body.error.code]).toEqual([429, 'RESOURCE_EXHAUSTED']);
    // Another api instance (this process, on the same Firestore) finds the address closed too.
    expect(await new FirestoreSignInFailures(firestore).record(front, Date.now())).toMatchObject({ refused: true });
    // The instructor and a participant in the same room still get in.
    expect((await call('GET', '/v1/me', 'instructor', undefined, { 'X-Forwarded-For': front })).status).toBe(200);
    expect((await call('GET', '/v1/me', 'participant', undefined, { 'X-Forwarded-For': `10.0.0.1, ${front}` })).status).toBe(200);
    // Naming the blocked address on the left blocks no one else.
    const victim = await call('GET', '/v1/me', 'nobody', undefined, { ...wrong, 'X-Forwarded-For': `${front}, 192.0.2.10` });
    expect(victim.status).toBe(401);
  }, 120_000);

  afterAll(async () => {
    for (const id of [ids.participant, ids.revoked]) if (id) await call('DELETE', `/v1/participants/${id}/runs`, 'instructor');
  });
});
