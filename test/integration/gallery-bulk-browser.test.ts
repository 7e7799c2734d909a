import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../../scripts/client/api-client.js';
import { projectRoot } from '../../scripts/lib/tools.js';
import { jsonCaller, waitForRun } from '../support/stack-clients.js';

const SCREENSHOT_DIR = join(projectRoot, '.stack-logs', 'test');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Every wait on the page: for the event it needs, with a timeout that holds on a machine busy with other work (expect.poll's own is 1 s). */
const SLOW = { timeout: 30_000, interval: 200 };

interface Review { relevance: number | null; inappropriate: boolean; note: string }
interface Prompt { promptId: string; category: string; status: string; issues: string[]; duplicateOf: string | null; review: Review | null }

/**
 * Bulk review, undo, and the detail view's comparison and zoom, in a real browser at 1366×768 against
 * the emulator stack. What the page saved is read back through the api, never from the page.
 */
describe('gallery: bulk review, undo, compare and zoom', () => {
  const stack = inject('stack');

  const call = jsonCaller(stack.apiUrl);
  const waitForCompletion = (token: string, runId: string) => waitForRun(new ApiClient(stack.apiUrl, token), runId, 180_000);

  const card = (page: Page, promptId: string) => page.locator(`#grid .card[data-prompt-id="${promptId}"]`);

  it('selects with Shift and Ctrl+A under a filter, rates them all with one key, undoes, compares a duplicate and zooms', async () => {
    const participant = await call<{ token: string }>(stack.instructorToken, 'POST', '/v1/participants', { name: 'Bulk Reviewer' });
    expect(participant.status).toBe(201);
    const { token } = participant.body;
    // A near-duplicate threshold of 64 bits (of 64) makes every image after the first a near duplicate
    // of an earlier one: the renderer draws each prompt afresh, and the test needs a duplicate to compare.
    const created = await call<{ runId: string }>(token, 'POST', '/v1/runs', {
      count: 8,
      seed: 3,
      scenario: {
        name: 'bulk review',
        variables: { thing: ['a red door', 'a blue door', 'two bicycles', 'a bakery'] },
        categories: { street: { template: 'A quiet street with {thing}.' }, wall: { template: 'A plain white wall.' } },
        quality: { thresholds: { nearDuplicateHamming: 64 } },
      },
    });
    expect(created.status).toBe(202);
    const { runId } = created.body;
    await waitForCompletion(token, runId);
    const prompts = async () => (await call<{ prompts: Prompt[] }>(token, 'GET', `/v1/runs/${runId}/prompts`)).body.prompts;
    const reviews = async () => new Map((await prompts()).map((p) => [p.promptId, p.review]));
    const planned = await prompts();
    const streets = planned.filter((p) => p.category === 'street').map((p) => p.promptId);
    expect(streets.length).toBeGreaterThanOrEqual(4);
    const duplicate = planned.find((p) => p.duplicateOf !== null);
    expect(duplicate?.issues).toContain('near_duplicate');

    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
      page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
      await page.goto(`${stack.apiUrl}/#run=${runId}`);
      await page.fill('#token-input', token);
      await page.press('#token-input', 'Enter');
      await page.locator('#grid .card img').first().waitFor(SLOW);
      mkdirSync(SCREENSHOT_DIR, { recursive: true });

      // Under the category filter, Shift+→ twice from the first street selects three of them.
      await page.selectOption('#filter-category', 'street');
      await expect.poll(() => page.locator('#grid .card').count(), SLOW).toBe(streets.length);
      await card(page, streets[0]!).click();
      await page.keyboard.press('Shift+ArrowRight');
      await page.keyboard.press('Shift+ArrowRight');
      await expect.poll(() => page.locator('#selection-count').textContent(), SLOW).toBe('3 selected · Esc clears');
      const shifted = streets.slice(0, 3);
      await page.keyboard.press('4');
      await expect.poll(() => page.locator('#review-status').textContent(), SLOW).toBe('3 images reviewed, 3 changed · u undoes');
      for (const id of shifted) await expect.poll(() => card(page, id).locator('.save-state').textContent(), SLOW).toBe('saved');
      let saved = await reviews();
      for (const id of shifted) expect(saved.get(id)).toMatchObject({ relevance: 4, inappropriate: false, reviewedBy: 'Bulk Reviewer' });
      for (const id of planned.map((p) => p.promptId).filter((id) => !shifted.includes(id))) expect(saved.get(id), id).toBeNull();
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'gallery-bulk-selected.png') });

      // The same selection is what a revision can take: its preview plans exactly those three slots.
      const regenerate = page.locator('#run-revisions button[data-select="selected"]');
      await expect.poll(() => regenerate.textContent(), SLOW).toBe('Regenerate 3 selected');
      await regenerate.click();
      await page.click('#rg-preview');
      await expect.poll(() => page.locator('#rg-result .preview-summary').textContent(), SLOW).toContain('3 images to regenerate as revision 1');
      expect(await page.locator('#rg-result .regen-slots tbody td:first-child').allTextContents()).toEqual(shifted);
      await page.click('#regen-view button:text("Cancel")');
      await expect.poll(() => page.locator('#run-view').isVisible(), SLOW).toBe(true);

      // Ctrl+A takes every street the filter shows, and no wall; x marks them all.
      await page.keyboard.press('Control+A');
      await expect.poll(() => page.locator('#selection-count').textContent(), SLOW).toBe(`${streets.length} selected · Esc clears`);
      await page.keyboard.press('x');
      await expect.poll(() => page.locator('#review-status').textContent(), SLOW).toBe(`${streets.length} images reviewed, ${streets.length} changed · u undoes`);
      saved = await reviews();
      for (const id of streets) expect(saved.get(id), id).toMatchObject({ inappropriate: true, relevance: shifted.includes(id) ? 4 : null });
      for (const p of planned.filter((p) => p.category === 'wall')) expect(saved.get(p.promptId), p.promptId).toBeNull();

      // u undoes the x; u again undoes the rating, back to "not reviewed". Both are saved.
      await page.keyboard.press('u');
      await expect.poll(() => page.locator('#review-status').textContent(), SLOW).toBe(`Undone: ${streets.length} images restored`);
      saved = await reviews();
      for (const id of shifted) expect(saved.get(id), id).toMatchObject({ inappropriate: false, relevance: 4 });
      for (const id of streets.filter((id) => !shifted.includes(id))) expect(saved.get(id), id).toBeNull(); // not reviewed before the x
      await page.keyboard.press('u');
      await expect.poll(() => page.locator('#review-status').textContent(), SLOW).toBe('Undone: 3 images restored');
      saved = await reviews();
      for (const p of planned) expect(saved.get(p.promptId), p.promptId).toBeNull();
      expect(await card(page, shifted[0]!).locator('.rating').textContent()).toBe('unrated');

      // Esc clears the selection; a single rating is undone the same way.
      await page.keyboard.press('Escape');
      await expect.poll(() => page.locator('#selection-count').textContent(), SLOW).toBe('');
      // The keyboard's card is still the third street, where Shift+→ left it: only it is rated now.
      expect(await page.locator('#grid .card[aria-selected="true"]').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-prompt-id')))).toEqual([shifted[2]]);
      await page.keyboard.press('2');
      await expect.poll(async () => (await reviews()).get(shifted[2]!)?.relevance, SLOW).toBe(2);
      expect([...(await reviews()).values()].filter(Boolean)).toHaveLength(1);
      await page.keyboard.press('u');
      await expect.poll(() => page.locator('#review-status').textContent(), SLOW).toBe('Undone: 1 image restored');
      expect((await reviews()).get(shifted[2]!)).toBeNull();

      // A duplicate opens beside the image it duplicates.
      await page.selectOption('#filter-category', '');
      await card(page, duplicate!.promptId).click();
      await page.keyboard.press('Enter');
      const panes = page.locator('#detail-image .zoom-pane');
      await expect.poll(() => page.locator('#detail-image .zoom-pane img').count(), SLOW).toBe(2);
      expect(await panes.locator('figcaption').allTextContents()).toEqual([`${duplicate!.promptId} · this image`, `${duplicate!.duplicateOf} · the image it duplicates`]);
      await expect.poll(() => page.locator('#detail-zoom').textContent(), SLOW).toMatch(/^Fit · \d+ %$/);
      const fitted = await page.locator('#detail-image img').first().evaluate((img: HTMLImageElement) => ({ width: img.clientWidth, natural: img.naturalWidth, frame: img.parentElement!.clientWidth, rendering: getComputedStyle(img).imageRendering }));
      expect(fitted.width).toBeLessThanOrEqual(fitted.frame);
      expect(fitted.width).toBeLessThan(fitted.natural); // two 1K images side by side do not fit at 100 % in 1366×768
      expect(fitted.rendering).toBe('auto');
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'gallery-compare.png') });

      // + zooms in step by step up to 100 %, where the pixels are drawn as squares; - goes back below it.
      for (let i = 0; i < 8 && (await page.locator('#detail-zoom').textContent()) !== '100 %'; i += 1) await page.keyboard.press('+');
      expect(await page.locator('#detail-zoom').textContent()).toBe('100 %');
      const actual = await page.locator('#detail-image img').first().evaluate((img: HTMLImageElement) => ({ width: img.clientWidth, natural: img.naturalWidth, rendering: getComputedStyle(img).imageRendering }));
      expect(actual).toEqual({ width: actual.natural, natural: actual.natural, rendering: 'pixelated' });
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'gallery-zoom-100.png') });
      // Scrolling one of the compared images scrolls the other to the same spot.
      const frames = page.locator('#detail-image .zoom-frame');
      await frames.first().evaluate((frame) => frame.scrollTo(120, 80));
      await expect.poll(() => frames.nth(1).evaluate((frame) => [frame.scrollLeft, frame.scrollTop]), SLOW).toEqual([120, 80]);
      await page.keyboard.press('-');
      expect(await page.locator('#detail-zoom').textContent()).toBe('75 %');
      expect(await page.locator('#detail-image img').first().evaluate((img) => getComputedStyle(img).imageRendering)).toBe('auto');

      // The mouse wheel zooms too.
      const box = (await page.locator('#detail-image').boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, -120);
      await expect.poll(() => page.locator('#detail-zoom').textContent(), SLOW).toBe('100 %');
      await page.mouse.wheel(0, -120);
      await expect.poll(() => page.locator('#detail-zoom').textContent(), SLOW).toBe('150 %');
      await page.click('#zoom-fit');
      await expect.poll(() => page.locator('#detail-zoom').textContent(), SLOW).toMatch(/^Fit · /);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
