import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { JudgeRecord } from '../../functions/core/judge/index.js';
import { stackClients, waitForRun } from '../support/stack-clients.js';

const XSS = '<img src=x onerror=alert(1)>';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Every wait on the page: for the event it needs, with a timeout that holds on a machine busy with other work (expect.poll's own is 1 s). */
const SLOW = { timeout: 30_000, interval: 200 };

/**
 * The judge's verdict in the gallery, in a real browser: relevance, reason and caption beside the
 * human rating, as text, and the Issue filter offering the judge's flags. The shared stack has no
 * judge, so the verdict is written into the prompt record as the assessor would write it.
 */
describe('the judge in the gallery', () => {
  const { api, firestore, stack } = stackClients();

  it('shows the verdict beside the human rating and filters by off_prompt', async () => {
    const created = await api.createRun({ count: 3, seed: 5 });
    await waitForRun(api, created.runId);
    const { prompts } = await api.getPrompts(created.runId);
    const target = prompts[0]!;
    const judge: JudgeRecord = {
      status: 'judged', generation: target.objectGeneration ?? '1', model: 'gemini-2.5-flash', attempts: 1, leaseOwner: null, leaseExpiresAt: null, lastError: null, reason: null, usage: null, judgedAt: new Date().toISOString(),
      answer: { relevance: 2, reason: `Shows an empty road ${XSS}.`, elements: [{ variable: 'crowd', present: false }], artifacts: [], inappropriate: false, concerns: [], caption: `An empty road at dusk ${XSS}.` },
    };
    await firestore.collection('runs').doc(created.runId).collection('prompts').doc(target.promptId).update({ judge, review: { relevance: 4, inappropriate: false, note: '', reviewedBy: 'instructor', reviewedAt: new Date().toISOString() } });
    // As the assessor's judge step does after a verdict: the run's stored summary predates it, so it is dropped.
    await firestore.collection('runs').doc(created.runId).update({ summary: null });

    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('dialog', (dialog) => (errors.push(`dialog: ${dialog.message()}`), dialog.dismiss()));
      await page.goto(`${stack.apiUrl}/`);
      await page.fill('#token-input', stack.instructorToken);
      await page.press('#token-input', 'Enter');
      await page.locator(`#run-list li[data-run-id="${created.runId}"] button`).click();
      await page.locator('#grid .card img').first().waitFor(SLOW);

      expect(await page.locator('#filter-issue option[value="off_prompt"]').textContent()).toBe('off_prompt (1)');
      await page.selectOption('#filter-issue', 'off_prompt');
      await expect.poll(() => page.locator('#grid .card').count(), SLOW).toBe(1);

      await page.locator(`#grid .card[data-prompt-id="${target.promptId}"]`).click();
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('#detail-info .judge .judge-score').textContent(), SLOW).toBe('relevance 2/5 · human 4/5');
      const text = await page.locator('#detail-info .judge').textContent();
      expect(text).toContain(`Shows an empty road ${XSS}.`);
      expect(text).toContain(`Caption: An empty road at dusk ${XSS}.`);
      expect(text).toContain('missing: crowd');
      expect(await page.locator('img[src="x"]').count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
