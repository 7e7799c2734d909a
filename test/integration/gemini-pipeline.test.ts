import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isPreviewObject } from '../../functions/core/objects/index.js';
import { ApiClient } from '../../scripts/client/api-client.js';
import { startStack, type Stack } from '../../scripts/stack/stack.js';
import { projectRoot } from '../../scripts/lib/tools.js';
import { startFakeGemini, type FakeGemini } from '../support/fake-gemini-server.js';
import { functionLog, LOG_LANDS, waitForRun } from '../support/stack-clients.js';
import { unzipEntries } from '../support/unzip.js';
import { loadPhotographs } from '../../scripts/bench/guard-set.js';

/** What each fault marker in a prompt must end as, and how many model calls it may take. */
const EXPECTED = [
  { marker: 'clean', status: 'assessed', reason: null, calls: 1 },
  { marker: '[fault:429x1]', status: 'assessed', reason: null, calls: 2 },
  { marker: '[fault:503x2]', status: 'assessed', reason: null, calls: 3 },
  { marker: '[fault:500x1]', status: 'assessed', reason: null, calls: 2 },
  { marker: '[fault:jpeg-as-png]', status: 'assessed', reason: null, calls: 1 },
  { marker: '[fault:slow]', status: 'assessed', reason: null, calls: 1 },
  { marker: '[fault:block-prompt]', status: 'failed', reason: /^blocked:SAFETY$/, calls: 1 },
  { marker: '[fault:block-finish]', status: 'failed', reason: /^blocked:IMAGE_SAFETY$/, calls: 1 },
  { marker: '[fault:no-image]', status: 'failed', reason: /^no_image$/, calls: 1 },
  { marker: '[fault:text-only]', status: 'failed', reason: /^no_image$/, calls: 1 },
  { marker: '[fault:429-bare]', status: 'failed', reason: /^gave up after 3 attempts: .*429/, calls: 3 },
] as const;

/**
 * The whole pipeline with IMAGE_PROVIDER=gemini: the real @google/genai client in the real
 * generator process, talking to a fake Gemini API that injects faults by prompt.
 */
describe('gemini provider through the emulator stack', () => {
  let fake: FakeGemini;
  let stack: Stack;

  beforeAll(async () => {
    // The slow answer (16 s) outlives the push acknowledgement deadline (10 s): Pub/Sub redelivers mid-call.
    fake = await startFakeGemini({ retryDelay: '1s', slowMs: 16_000 });
    stack = await startStack({
      provider: 'gemini',
      logDir: join(projectRoot, '.stack-logs', 'test-gemini'),
      leaseSeconds: 50,
      maxAttempts: 3,
      pushAckDeadlineSeconds: 10,
      functionEnv: { GEMINI_API_KEY: fake.apiKey, GOOGLE_GEMINI_BASE_URL: fake.url, GEMINI_TIMEOUT_SECONDS: '20', GEMINI_RATE_LIMIT_RPM: '600' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await fake?.close();
  });

  it('ends every prompt succeeded or failed with its reason, with no prompt billed twice', async () => {
    const api = new ApiClient(stack.apiUrl, stack.instructorToken);
    const scenario = {
      name: 'fault injection',
      variables: { fault: EXPECTED.map((entry) => entry.marker) },
      categories: { street: { template: 'A quiet street scene, case {fault}.' } },
    };
    const created = await api.createRun({ scenario, count: EXPECTED.length, seed: 1 });
    const status = await waitForRun(api, created.runId, 150_000);
    expect(status.costEstimate).toMatchObject({ images: EXPECTED.length, usdPerImage: 0.039, usd: 0.429 });
    expect(status.model).toBe('gemini-2.5-flash-image');

    const { prompts } = await api.getPrompts(created.runId);
    const storage = new Storage({ projectId: stack.projectId, apiEndpoint: stack.storageUrl }).bucket(stack.bucket);
    for (const expected of EXPECTED) {
      const prompt = prompts.find((p) => p.prompt.includes(`case ${expected.marker}.`))!;
      expect(prompt.status, expected.marker).toBe(expected.status);
      if (expected.reason) expect(prompt.failureReason, expected.marker).toMatch(expected.reason);
      expect(fake.calls(expected.marker), `model calls for ${expected.marker}`).toBe(expected.calls);
      const [exists] = await storage.file(`runs/${created.runId}/street/${prompt.promptId}.png`).exists();
      expect(exists, `image for ${expected.marker}`).toBe(expected.status === 'assessed');
      if (exists) {
        const [bytes] = await storage.file(`runs/${created.runId}/street/${prompt.promptId}.png`).download({ validation: false });
        expect((await sharp(bytes).metadata()).format, expected.marker).toBe('png');
        expect(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
      }
    }
    const [files] = await storage.getFiles({ prefix: `runs/${created.runId}/` });
    expect(files.filter((file) => !isPreviewObject(file.name))).toHaveLength(EXPECTED.filter((entry) => entry.status === 'assessed').length);

    // The slow prompt was delivered again while its first call was running, and the redelivery made no call.
    const slow = prompts.find((p) => p.prompt.includes('[fault:slow]'))!;
    await vi.waitFor(() => {
      const slowLog = functionLog(stack.logDir, 'generateImage', created.runId).filter((entry) => entry.promptId === slow.promptId);
      expect(slowLog.filter((entry) => entry.message === 'provider_call')).toHaveLength(1);
      expect(readFileSync(join(stack.logDir, 'generateImage.log'), 'utf8')).toContain(`prompt ${created.runId}/${slow.promptId} is leased by another worker`);
    }, LOG_LANDS);
  });

  it('sends a reference from the references bucket as an image part with the instruction, and estimates its tokens', async () => {
    const photo = await sharp({ create: { width: 900, height: 600, channels: 3, background: { r: 30, g: 120, b: 60 } } }).jpeg().toBuffer();
    const upload = await fetch(`${stack.apiUrl}/v1/references?name=park`, { method: 'POST', headers: { Authorization: `Bearer ${stack.instructorToken}`, 'Content-Type': 'image/jpeg' }, body: new Uint8Array(photo) });
    const { referenceId } = (await upload.json()) as { referenceId: string };
    const api = new ApiClient(stack.apiUrl, stack.instructorToken);
    const scenario = { name: 'guided', categories: { park: { template: 'A picnic protest in a park, guided case.', references: [referenceId] } } };
    const created = await api.createRun({ scenario, count: 1, seed: 2 });
    const status = await waitForRun(api, created.runId, 120_000);
    // 900×600 is stored as sent (under 1024 px): 2×1 tiles of 768 px, 516 input tokens at $0.30 per 1M, beside $0.039 for the image.
    expect(status.costEstimate).toMatchObject({ images: 1, usd: 0.039, references: { images: 1, tokens: 516, usd: 0 } });
    const [stored] = await new Storage({ projectId: stack.projectId, apiEndpoint: stack.storageUrl }).bucket(`${stack.bucket}-references`).getFiles({ prefix: 'references/' });
    const [bytes] = await stored.find((file) => file.name.includes(referenceId))!.download();
    const request = fake.requests().find((received) => received.prompt.includes('guided case'))!;
    const parts = (request.body.contents as Array<{ parts: Array<{ text?: string; inlineData?: { mimeType: string; data: string } }> }>)[0]!.parts;
    expect(parts[0]).toEqual({ inlineData: { mimeType: 'image/jpeg', data: bytes.toString('base64') } });
    expect(parts.map((part) => part.text ?? '').join(' ')).toMatch(/Never reproduce a person, a face, legible text or any identifying detail.* A picnic protest in a park, guided case\.$/);
  });
  it('flags answers that copy the reference the model was sent, exactly and transformed, and leaves them out of the dataset', async () => {
    const photo = loadPhotographs().find((candidate) => candidate.name === 'astronaut')!.bytes;
    const upload = await fetch(`${stack.apiUrl}/v1/references?name=astronaut`, { method: 'POST', headers: { Authorization: `Bearer ${stack.instructorToken}`, 'Content-Type': 'image/jpeg' }, body: new Uint8Array(photo) });
    expect(upload.status).toBe(201);
    const { referenceId } = (await upload.json()) as { referenceId: string };
    // Each copy_* prompt is answered with the image part the generator sent (fake-model-copies.ts); `own` with a picture of the fake's own.
    const kinds = ['exact', 'mirror', 'jpeg70', 'crop'];
    const categories = Object.fromEntries([
      ...kinds.map((kind) => [`copy_${kind}`, { template: `A vigil in a square at dusk [copy:${kind}], copy case.`, references: [referenceId] }]),
      ['own', { template: 'A vigil in a square at dusk, own picture case.', references: [referenceId] }],
    ]);
    const api = new ApiClient(stack.apiUrl, stack.instructorToken);
    const created = await api.createRun({ scenario: { name: 'copies', categories }, count: kinds.length + 1, seed: 3 });
    await waitForRun(api, created.runId, 180_000);
    const prompts = (await api.getPrompts(created.runId)).prompts as unknown as Array<{ promptId: string; category: string; issues: string[]; referenceScreening?: { outcome: string; referenceId?: string } }>;
    const outcomes = Object.fromEntries(prompts.map((p) => [p.category, { flags: p.issues.filter((flag) => flag.includes('reference')), outcome: p.referenceScreening?.outcome, referenceId: p.referenceScreening?.referenceId }]));
    expect(outcomes).toEqual({
      ...Object.fromEntries(kinds.map((kind) => [`copy_${kind}`, { flags: ['copies_reference'], outcome: 'copy', referenceId }])),
      own: { flags: [], outcome: 'clear', referenceId: undefined },
    });

    const zip = await fetch(`${stack.apiUrl}/v1/runs/${created.runId}/dataset.zip`, { headers: { Authorization: `Bearer ${stack.instructorToken}` } });
    expect(zip.status).toBe(200);
    const files = await unzipEntries(Buffer.from(await zip.arrayBuffer()));
    expect([...files.keys()].filter((path) => path.startsWith('generated_images/copy_'))).toEqual([]);
    const listed = JSON.parse(files.get('metadata/image_prompts.json')!.toString('utf8')) as Array<{ category: string; inDataset?: boolean }>;
    expect(listed.filter((entry) => entry.category.startsWith('copy_')).map((entry) => entry.inDataset)).toEqual(kinds.map(() => false));
  });
});
