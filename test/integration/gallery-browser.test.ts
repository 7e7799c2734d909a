import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { GALLERY_CSP } from '../../functions/handlers/gallery.js';
import { ApiClient } from '../../scripts/client/api-client.js';
import { projectRoot } from '../../scripts/lib/tools.js';
import { jsonCaller, waitForRun } from '../support/stack-clients.js';

const XSS = '<img src=x onerror=alert(1)>';
const SCREENSHOT_DIR = join(projectRoot, '.stack-logs', 'test');
// As root and on this machine's closed network Chromium needs all of these.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Every wait on the page: for the event it needs, with a timeout that holds on a machine busy with other work (expect.poll's own is 1 s). */
const SLOW = { timeout: 30_000, interval: 200 };

interface Review { relevance: number | null; inappropriate: boolean; note: string }
interface Prompt { promptId: string; prompt: string; variables: Record<string, string>; status: string; review: Review | null }

/**
 * The review gallery in a real browser against the emulator stack: sign in with a
 * participant's token, rate two images with the keyboard, reload, and find the ratings kept;
 * a prompt with markup in it is shown as text, and the page runs under its CSP without violations.
 */
describe('review gallery in a browser', () => {
  const stack = inject('stack');

  const call = jsonCaller(stack.apiUrl);
  const waitForCompletion = (token: string, runId: string) => waitForRun(new ApiClient(stack.apiUrl, token), runId, 120_000);

  const card = (page: Page, promptId: string) => page.locator(`#grid .card[data-prompt-id="${promptId}"]`);

  it('signs in, rates with the keyboard, keeps the ratings and shows markup as text', async () => {
    const participant = await call<{ id: string; name: string; token: string }>(stack.instructorToken, 'POST', '/v1/participants', { name: 'Ada' });
    expect(participant.status).toBe(201);
    const { token } = participant.body;
    const created = await call<{ runId: string }>(token, 'POST', '/v1/runs', {
      count: 6,
      scenario: {
        name: 'xss check',
        variables: { thing: [`a ${XSS} banner`, 'a plain banner', 'two flags'] },
        categories: { street: { template: 'A street with {thing}, view {n}.', variables: { n: ['one', 'two'] } } },
      },
    });
    expect(created.status).toBe(202);
    const { runId } = created.body;
    await waitForCompletion(token, runId);
    const prompts = async () => (await call<{ prompts: Prompt[] }>(token, 'GET', `/v1/runs/${runId}/prompts`)).body.prompts;
    const hostile = (await prompts()).find((prompt) => prompt.prompt.includes(XSS));
    expect(hostile, 'the planner used the hostile value').toBeDefined();

    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      const consoleErrors: string[] = [];
      const dialogs: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) consoleErrors.push(message.text());
      });
      page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });

      const response = await page.goto(`${stack.apiUrl}/`);
      expect(response?.headers()['content-security-policy']).toBe(GALLERY_CSP);
      await page.fill('#token-input', token);
      await page.press('#token-input', 'Enter');
      await expect.poll(() => page.locator('#whoami').textContent(), SLOW).toContain('Ada');
      expect(page.url()).not.toContain(token);

      const openRun = async () => {
        if ((await page.locator('#grid .card').count()) === 0) await page.locator(`#run-list li[data-run-id="${runId}"] button`).click();
        await page.locator('#grid .card img').first().waitFor(SLOW);
      };
      await openRun();
      const ids = await page.locator('#grid .card').evaluateAll((cards) => cards.map((card) => card.getAttribute('data-prompt-id') as string));
      expect(ids).toHaveLength(6);
      const [first, second] = ids as [string, string];

      // Select the first image, rate it 4; move right, rate it 2.
      await card(page, first).click();
      await page.keyboard.press('4');
      await page.keyboard.press('ArrowRight');
      await expect.poll(() => card(page, second).getAttribute('aria-selected'), SLOW).toBe('true');
      await page.keyboard.press('2');
      for (const id of [first, second]) await expect.poll(() => card(page, id).locator('.save-state').textContent(), SLOW).toBe('saved');

      // The token survives a reload (sessionStorage); the ratings come back from the server.
      await page.reload();
      await expect.poll(() => page.locator('#whoami').textContent(), SLOW).toContain('Ada');
      await openRun();
      expect(await card(page, first).locator('.rating').textContent()).toBe('★ 4');
      expect(await card(page, second).locator('.rating').textContent()).toBe('★ 2');
      const reviews = new Map((await prompts()).map((prompt) => [prompt.promptId, prompt.review]));
      expect(reviews.get(first)).toMatchObject({ relevance: 4, inappropriate: false, note: '' });
      expect(reviews.get(second)).toMatchObject({ relevance: 2, inappropriate: false, note: '' });

      // The filters narrow the grid; the menus count what each choice would show.
      expect(await page.locator('#filter-category option[value="street"]').textContent()).toBe('street (6)');
      await page.selectOption('#filter-rating', '4');
      await expect.poll(() => page.locator('#grid .card').count(), SLOW).toBe(1);
      expect(await page.locator('#filter-count').textContent()).toBe('1 of 6 images');
      await page.selectOption('#filter-rating', 'unrated');
      await expect.poll(() => page.locator('#grid .card').count(), SLOW).toBe(4);
      await page.selectOption('#filter-rating', '');
      await expect.poll(() => page.locator('#grid .card').count(), SLOW).toBe(6);
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'gallery-grid.png') });

      // The hostile prompt is text in the detail view, not an element.
      await card(page, hostile!.promptId).click();
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('#detail-info .prompt-text').textContent(), SLOW).toBe(hostile!.prompt);
      expect(await page.locator('#detail-info').textContent()).toContain(`a ${XSS} banner`);
      await page.locator('#detail-image img').waitFor(SLOW);
      expect(await page.locator('img[src="x"]').count()).toBe(0);
      expect(await page.locator('#detail-info img:not(.thumb img)').count()).toBe(0);
      expect(dialogs).toEqual([]);

      await page.screenshot({ path: join(SCREENSHOT_DIR, 'gallery.png') });
      expect(consoleErrors.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual([]);
      expect(consoleErrors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
