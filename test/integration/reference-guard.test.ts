import { Storage } from '@google-cloud/storage';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { imageObjectName, type PromptRecord } from '../../functions/core/runs/index.js';
import { ApiClient } from '../../scripts/client/api-client.js';
import { loadPhotographs } from '../../scripts/bench/guard-set.js';
import { oneCategoryRun, promptOf } from '../support/kit.js';
import { stackClients, waitForRun } from '../support/stack-clients.js';
import { unzipEntries } from '../support/unzip.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const photographs = new Map(loadPhotographs().map((photo) => [photo.name, photo.bytes]));
const photo = (name: string) => photographs.get(name) as Buffer;

/** What the model answers, given the reference it was sent: the reference, exactly or transformed, or an unrelated photograph. */
const ANSWERS: Array<{ answer: string; make: (reference: Buffer) => Promise<Buffer> }> = [
  { answer: 'the reference, exactly', make: (reference) => sharp(reference).png().toBuffer() },
  { answer: 'the reference resized to 1024 × 1024', make: (reference) => sharp(reference).resize(1024, 1024, { fit: 'fill' }).png().toBuffer() },
  { answer: 'the reference as JPEG quality 70', make: async (reference) => sharp(await sharp(reference).jpeg({ quality: 70 }).toBuffer()).png().toBuffer() },
  { answer: 'the reference cropped 10 % on every side', make: async (reference) => {
    const { width = 0, height = 0 } = await sharp(reference).metadata();
    return sharp(reference).extract({ left: Math.round(width * 0.1), top: Math.round(height * 0.1), width: Math.round(width * 0.8), height: Math.round(height * 0.8) }).png().toBuffer();
  } },
  { answer: 'the reference mirrored', make: (reference) => sharp(reference).flop().png().toBuffer() },
  { answer: 'an unrelated photograph', make: () => sharp(photo('chelsea')).png().toBuffer() },
];

/**
 * The privacy guard on the emulator stack. References are uploaded through the api; the run's
 * prompts name them (set on the records directly, as the planner will). The model is played by
 * this test: for each prompt it takes the stored copy of the reference the prompt was guided by,
 * transforms it, and stores the result where the generator stores an image. From there everything
 * is the deployed code: the finalize event, the assessor's guard, the api's listing and the zip.
 */
describe('the privacy guard on the emulator stack', () => {
  const { stack, store } = stackClients();
  const referenceBucket = new Storage({ projectId: stack.projectId, apiEndpoint: stack.clientEnv.STORAGE_API_ENDPOINT }).bucket(`${stack.bucket}-references`);
  const images = new Storage({ projectId: stack.projectId, apiEndpoint: stack.clientEnv.STORAGE_API_ENDPOINT }).bucket(stack.bucket);
  const request = (method: string, path: string, token: string, body?: Buffer | string, contentType = 'application/json') =>
    fetch(`${stack.apiUrl}${path}`, { method, headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': contentType }) }, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : new Uint8Array(body) }) });

  let ada: { id: string; token: string };
  let runId: string;
  let astronaut: string;
  let prompts: PromptRecord[];

  it('flags the answers that copy a reference, exactly or transformed, and leaves them out of the dataset; the unrelated image is not flagged', async () => {
    const created = await request('POST', '/v1/participants', stack.instructorToken, JSON.stringify({ name: 'Guard Ada' }));
    ada = (await created.json()) as { id: string; token: string };
    const upload = async (name: string) => {
      const response = await request('POST', `/v1/references?name=${name}`, ada.token, photo(name), 'image/jpeg');
      expect(response.status).toBe(201);
      return ((await response.json()) as { referenceId: string }).referenceId;
    };
    astronaut = await upload('astronaut');
    const coffee = await upload('coffee');
    const storedCopy = async (referenceId: string) => (await referenceBucket.file(`references/${ada.id}/${referenceId}.jpg`).download())[0];

    runId = `guard-${Date.now().toString(36)}`;
    const run = oneCategoryRun({ runId, owner: ada.id, count: ANSWERS.length, provider: 'embedded', model: 'scripted-reference-copier' });
    prompts = ANSWERS.map((_, i) => promptOf(runId, i + 1, { referenceIds: [coffee, astronaut], queuedAt: Date.now() }));
    await store.createRun(run, prompts);
    for (const [i, { make }] of ANSWERS.entries()) {
      const prompt = prompts[i] as PromptRecord;
      // The model was sent both references and answers from the astronaut's.
      await images.file(imageObjectName(runId, prompt.category, prompt.promptId)).save(await make(await storedCopy(astronaut)), { resumable: false, contentType: 'image/png' });
    }

    const api = new ApiClient(stack.apiUrl, ada.token);
    await waitForRun(api, runId, 180_000);
    const listed = new Map((await api.getPrompts(runId)).prompts.map((prompt) => [prompt.promptId, prompt as unknown as PromptRecord & { issues: string[] }]));
    const outcomes = ANSWERS.map(({ answer }, i) => {
      const prompt = listed.get(prompts[i]!.promptId)!;
      const screening = prompt.referenceScreening;
      return { answer, issues: prompt.issues.filter((flag) => flag.includes('reference')), outcome: screening?.outcome, referenceId: screening?.outcome === 'copy' ? screening.referenceId : undefined };
    });
    expect(outcomes).toEqual(ANSWERS.map(({ answer }) =>
      answer === 'an unrelated photograph'
        ? { answer, issues: [], outcome: 'clear', referenceId: undefined }
        : { answer, issues: ['copies_reference'], outcome: 'copy', referenceId: astronaut },
    ));
    const status = await api.getRun(runId);
    expect(status.report?.issueCounts).toMatchObject({ copies_reference: 5, unscreened_reference: 0 });

    const zip = await request('GET', `/v1/runs/${runId}/dataset.zip`, ada.token);
    expect(zip.status).toBe(200);
    const files = await unzipEntries(Buffer.from(await zip.arrayBuffer()));
    const unrelated = prompts[ANSWERS.length - 1] as PromptRecord;
    expect([...files.keys()].filter((path) => path.endsWith('.png'))).toEqual([`generated_images/c/${unrelated.promptId}.png`]);
    expect(files.get('README.md')?.toString('utf8')).toContain('- 5 images were left out as near copies of a reference photograph');
    // No file of the dataset holds the reference's bytes.
    const reference = await storedCopy(astronaut);
    for (const [path, bytes] of files) expect(bytes.includes(reference.subarray(0, 4096)), path).toBe(false);
  });

  it('shows a near copy beside its reference in the gallery, at 1366 × 768', async () => {
    const copy = prompts[0] as PromptRecord;
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${stack.apiUrl}/`);
      await page.fill('#token-input', ada.token);
      await page.press('#token-input', 'Enter');
      await page.locator(`#run-list li[data-run-id="${runId}"] button`).click();
      await page.locator(`#grid .card[data-prompt-id="${copy.promptId}"]`).click();
      await page.keyboard.press('Enter');
      const pictures = page.locator('#detail-info .reference-copy .reference-pair img');
      await expect.poll(() => pictures.count(), { timeout: 30_000 }).toBe(2);
      await pictures.nth(1).scrollIntoViewIfNeeded();
      // Both pictures decoded, the same size, side by side: the reference to the right of the image, level with it.
      const sizes = await pictures.evaluateAll((images) => images.map((image) => (image as HTMLImageElement).naturalWidth));
      expect(sizes.every((width) => width > 0)).toBe(true);
      const [mine, theirs] = [await pictures.nth(0).boundingBox(), await pictures.nth(1).boundingBox()];
      expect(mine && theirs).toBeTruthy();
      expect(theirs!.x).toBeGreaterThanOrEqual(mine!.x + mine!.width);
      expect(Math.abs(theirs!.y - mine!.y)).toBeLessThan(2);
      expect(Math.abs(theirs!.width - mine!.width)).toBeLessThan(2);
      expect(theirs!.x + theirs!.width).toBeLessThanOrEqual(1366);
      expect(await page.locator('#detail-info .reference-copy figcaption').nth(1).textContent()).toBe(`reference ${astronaut}`);
      expect(await page.locator('#detail-info .reference-copy p').textContent()).toMatch(/^Never exported: near copy of the reference/);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
