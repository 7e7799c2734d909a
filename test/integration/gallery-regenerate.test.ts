import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../../scripts/lib/tools.js';

const SLOW = { timeout: 30_000, interval: 200 };
const SCREENSHOT_DIR = join(projectRoot, '.stack-logs', 'test');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const APPENDED = 'No text or signage in the image.';

/**
 * Regenerating from the gallery in Debian's Chromium at 1366×768: a finished run with two rejected
 * images offers "Regenerate 2 rejected"; its form previews the slots and the amended prompts, starts
 * the revision, and the revision's detail view shows each image beside the one it replaces.
 */
describe('gallery: regenerate what review rejected', () => {
  const stack = inject('stack');

  async function call<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await response.json()) as T;
  }

  async function waitForCompletion(token: string, runId: string): Promise<void> {
    const deadline = Date.now() + 180_000;
    while ((await call<{ state: string }>(token, 'GET', `/v1/runs/${runId}`)).state !== 'completed') {
      if (Date.now() > deadline) throw new Error(`run ${runId} did not complete`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  it('previews the amended prompts, starts the revision and shows the versions side by side', async () => {
    const { token } = await call<{ token: string }>(stack.instructorToken, 'POST', '/v1/participants', { name: 'Revising Rosa', imageQuota: 20 });
    const { runId } = await call<{ runId: string }>(token, 'POST', '/v1/runs', { count: 6, seed: 4 });
    await waitForCompletion(token, runId);
    const prompts = (await call<{ prompts: Array<{ promptId: string; status: string; prompt: string }> }>(token, 'GET', `/v1/runs/${runId}/prompts`)).prompts.filter((p) => p.status === 'assessed');
    const rejected = prompts.slice(0, 2);
    for (const p of rejected) await call(token, 'PUT', `/v1/runs/${runId}/prompts/${p.promptId}/review`, { relevance: 1, inappropriate: false, note: '' });

    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      const errors: string[] = [];
      page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
      page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
      await page.goto(`${stack.apiUrl}/#run=${runId}`);
      await page.fill('#token-input', token);
      await page.press('#token-input', 'Enter');

      const button = page.locator('#run-revisions button.regenerate[data-select="rejected"]');
      await expect.poll(() => button.textContent(), SLOW).toBe('Regenerate 2 rejected');
      await button.click();
      await page.fill('#rg-append', APPENDED);
      await page.fill('#rg-note', 'placards carried text');
      expect(await page.locator('#rg-start').isDisabled()).toBe(true);
      await page.click('#rg-preview');
      await expect.poll(() => page.locator('#rg-result .preview-summary').textContent(), SLOW).toContain('2 images to regenerate as revision 1');
      expect(await page.locator('#rg-result .preview-summary').textContent()).toContain('quota: 6 used, 14 left');
      const rows = await page.locator('#rg-result table.regen-slots tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
      expect(rows).toEqual(rejected.map((p) => [p.promptId, '2', p.prompt, `${p.prompt} ${APPENDED}`]));
      // Nothing fits outside the window at the workshop's screen size.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1366);
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'gallery-regenerate.png') });

      await page.click('#rg-start');
      await expect.poll(() => page.locator('#run-revisions .lineage-run').allTextContents(), SLOW).toEqual(['Original · 6', 'Revision 1 · 2']);
      expect(await page.locator('#run-revisions .lineage-run.current').textContent()).toBe('Revision 1 · 2');
      expect((await call<{ imagesUsed: number }>(token, 'GET', '/v1/me')).imagesUsed).toBe(8);

      const revisionId = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1)).get('run') as string;
      await waitForCompletion(token, revisionId);
      await page.click('#run-reload');
      await expect.poll(() => page.locator('#grid .card').count(), SLOW).toBe(2);
      await page.locator('#grid .card').first().click();
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('#detail-info .versions img').count(), SLOW).toBe(2);
      expect(await page.locator('#detail-info .versions figcaption').allTextContents()).toEqual([`version 1 · replaced (run ${runId})`, 'version 2 · this image']);
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'gallery-versions.png') });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
