import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { stackClients, waitForRun } from '../support/stack-clients.js';

const XSS = '<img src=x onerror=alert(1)>';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WAIT = { timeout: 30_000 };

/**
 * The review pane's checks and the cohort's labels by keyboard, and the Spot check view, in a real
 * browser at 1366×768: what the keys set is read back through the api.
 */
describe('the review pane and the spot check in the gallery', () => {
  const { api, stack } = stackClients();
  const declare = (labels: unknown[]) =>
    fetch(`${stack.apiUrl}/v1/cohort/labels`, { method: 'PUT', headers: { Authorization: `Bearer ${stack.instructorToken}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ labels }) });

  afterAll(async () => {
    await declare([]);
  });

  it('sets cultural sensitivity, alignment and a cohort label by key, and puts the spot-check sample first', async () => {
    expect((await declare([{ key: 'stereotype', name: `Shows a stereotype ${XSS}`, type: 'yesno' }])).status).toBe(200);
    const { runId } = await api.createRun({ count: 13, seed: 5 });
    await waitForRun(api, runId);

    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('dialog', (dialog) => (errors.push(`dialog: ${dialog.message()}`), dialog.dismiss()));
      await page.goto(`${stack.apiUrl}/`);
      await page.fill('#token-input', stack.instructorToken);
      await page.press('#token-input', 'Enter');
      await page.locator(`#run-list li[data-run-id="${runId}"] button`).click();
      await page.locator('#grid .card img').first().waitFor(WAIT);
      await page.locator('#side-review .check[aria-label^="Shows a stereotype"]').waitFor(WAIT);

      const first = await page.locator('#grid .card').first().getAttribute('data-prompt-id');
      for (const key of ['c', 'a', 'b']) await page.keyboard.press(key);
      // Read back through the api: what the three keys set, once the last save has landed.
      const stored = async () => (await api.getPrompts(runId)).prompts.find((p) => p.promptId === first)?.review;
      await expect.poll(stored, WAIT).toMatchObject({ culturalSensitivity: 'concern', scenarioAligned: true, labels: { stereotype: true } });
      await expect.poll(() => page.locator('#side-review .save-state').textContent(), WAIT).toBe('saved');
      // The label's name is the instructor's text: shown as text, never run as markup.
      expect(await page.locator('#side-review .check[aria-label^="Shows a stereotype"] .label').textContent()).toBe(`Shows a stereotype ${XSS}`);
      expect(await page.locator('img[src="x"]').count()).toBe(0);

      const sample = (await (await fetch(`${stack.apiUrl}/v1/runs/${runId}/spot-check`, { headers: { Authorization: `Bearer ${stack.instructorToken}` } })).json()) as { promptIds: string[] };
      await page.click('#run-spot-check');
      await expect.poll(() => page.locator('#spot-summary').textContent(), WAIT).toMatch(/^Spot check \(seed 5\): \d+ of 12 sampled images reviewed/);
      const order = await page.locator('#grid .card').evaluateAll((cards) => cards.map((card) => [card.getAttribute('data-prompt-id'), card.classList.contains('spot')]));
      expect(order.slice(0, 12).map(([id]) => id).sort()).toEqual([...sample.promptIds].sort());
      expect(order.map(([, spot]) => spot)).toEqual([...Array(12).fill(true), false]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
