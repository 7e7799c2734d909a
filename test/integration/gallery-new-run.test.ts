import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../../scripts/lib/tools.js';
import { unzipEntries } from '../support/unzip.js';

// The machine is shared: give the page time, without slowing a passing run.
const SLOW = { timeout: 20_000, interval: 200 };
const SCREENSHOT_DIR = join(projectRoot, '.stack-logs', 'test');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// Long enough to have overflowed its card before; the detail of every card must stay inside it.
const LONG_CATEGORY = 'individual_portraits_of_people_at_the_harbour_market';
const scenarioWith = (placeholder: string) => JSON.stringify({
  name: 'Harbour market',
  variables: { time_of_day: ['at dawn', 'at noon', 'at dusk'] },
  categories: {
    [LONG_CATEGORY]: { template: `A market stall keeper ${placeholder}, {framing}.`, variables: { framing: ['head and shoulders', 'half-length'] } },
    contextual_scenes: { template: 'An empty harbour market {time_of_day}.' },
  },
}, null, 2);

/**
 * A participant's whole loop in Debian's Chromium at 1366×768: the New run form and its preview,
 * a bad placeholder explained next to the field with the server's suggestion, the run started
 * and followed to the end, ratings and a note by keyboard, and the downloaded zip carrying them.
 */
describe('gallery: from a new run to a downloaded dataset', () => {
  const stack = inject('stack');

  async function call<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await response.json()) as T;
  }

  /** Every card's content stays within the card: nothing spills into the neighbours. */
  const overflowingCards = (page: Page) => page.locator('#grid .card').evaluateAll((cards) => cards.flatMap((card) => {
    const box = card.getBoundingClientRect();
    const shown = [...card.querySelectorAll('*')].filter((el) => el.getBoundingClientRect().width > 0);
    const out = shown.filter((el) => el.getBoundingClientRect().right > box.right + 0.5 || el.getBoundingClientRect().left < box.left - 0.5);
    return card.scrollWidth > card.clientWidth || out.length ? [`${card.getAttribute('data-prompt-id')}: ${out.map((el) => el.className).join(', ')}`] : [];
  }));

  it('previews, explains a typo, runs, rates by keyboard and downloads the ratings', async () => {
    const participant = await call<{ token: string }>(stack.instructorToken, 'POST', '/v1/participants', { name: 'Grace Hopper', imageQuota: 20 });
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, acceptDownloads: true });
      const errors: string[] = [];
      page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
      page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
      await page.goto(`${stack.apiUrl}/`);
      await page.fill('#token-input', participant.token);
      await page.press('#token-input', 'Enter');
      await expect.poll(() => page.locator('#whoami').textContent(), SLOW).toContain('Grace Hopper');
      expect(await page.locator('#whoami').textContent()).toContain('0 of 20 images of quota used');

      // The built-in scenario, previewed: prompts, balance, cost and quota, nothing spent.
      await page.click('#new-run');
      // With a built-in scenario there is no JSON box to mistake for the scenario in use.
      expect(await page.locator('#nr-scenario').isVisible()).toBe(false);
      // Every choice of the form reads in full at 1366×768: no select narrower than its chosen text.
      const cutSelects = await page.locator('#newrun-view .newrun-form select').evaluateAll((selects) => selects.flatMap((select) => {
        const s = select as HTMLSelectElement;
        const context = document.createElement('canvas').getContext('2d')!;
        context.font = getComputedStyle(s).font;
        const needed = context.measureText(s.selectedOptions[0]?.text ?? '').width + 28; // padding and the arrow
        return s.clientWidth < needed ? [`${s.id}: ${s.clientWidth} < ${Math.ceil(needed)}`] : [];
      }));
      expect(cutSelects).toEqual([]);
      await page.fill('#nr-count', '4');
      await page.click('#nr-preview');
      await expect.poll(() => page.locator('#nr-result .preview-summary').textContent(), SLOW).toContain('4 images planned');
      expect(await page.locator('#nr-result .preview-summary').textContent()).toContain('0 used, 20 left');
      expect(await page.locator('#nr-result .preview-prompts li').count()).toBe(4);
      expect(await page.locator('#nr-result table.balance caption').first().textContent()).toContain('Categories');

      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'gallery-preview.png') });

      // Not even JSON: the error, and the earlier preview gone rather than passed off as this one's.
      await page.selectOption('#nr-source', 'json');
      expect(await page.locator('#nr-scenario').isVisible()).toBe(true);
      await page.fill('#nr-scenario', '{"name": "Harbour market",');
      await page.click('#nr-preview');
      await expect.poll(() => page.locator('#nr-error-scenario').textContent(), SLOW).toContain('not valid JSON');
      expect(await page.locator('#nr-result').textContent()).toBe('');

      // A pasted scenario with a typo: the server's message and suggestion next to the scenario field.
      await page.fill('#nr-scenario', scenarioWith('{time_of_dya}'));
      await page.click('#nr-preview');
      await expect.poll(() => page.locator('#nr-error-scenario').textContent(), SLOW).toContain('unknown placeholder {time_of_dya}: did you mean {time_of_day}?');
      expect(await page.locator('#nr-start').isDisabled()).toBe(true);
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'gallery-form-error.png') });
      await page.click('#nr-error-scenario button.suggestion');
      await expect.poll(() => page.locator('#nr-result .preview-summary').textContent(), SLOW).toContain('4 images planned');
      expect(await page.locator('#nr-error-scenario').textContent()).toBe('');
      expect(await page.inputValue('#nr-scenario')).toContain('{time_of_day}');

      // Start: the run opens and fills in until it completes.
      await page.click('#nr-start');
      await expect.poll(() => page.locator('#run-meta').textContent(), { timeout: 120_000, interval: 500 }).toMatch(/completed · 4\/4 images/);
      await expect.poll(() => page.locator('#grid .card img').count(), { timeout: 30_000 }).toBe(4);
      await expect.poll(() => page.locator('#whoami').textContent(), SLOW).toContain('4 images made');
      // The quota line follows the run without a new sign-in.
      await expect.poll(() => page.locator('#whoami').textContent(), SLOW).toContain('4 of 20 images of quota used');
      const runId = (await page.locator('#run-meta').textContent())!.split(' · ')[0]!;
      expect(await page.locator('#run-meta').textContent()).toContain(' · embedded-procedural-v1 · ');
      expect(await page.locator('#run-list .run-item[aria-current] .run-meta').textContent()).toContain(runId);
      // Category names are shown whole, wrapped inside the card, not cut.
      const cutNames = await page.locator('#grid .card .category').evaluateAll((names) => names.filter((el) => el.scrollWidth > el.clientWidth).map((el) => el.textContent));
      expect(cutNames).toEqual([]);
      expect(await page.locator('#grid .card .category', { hasText: LONG_CATEGORY }).count()).toBeGreaterThan(0);
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'gallery-new-run.png') });
      expect(await overflowingCards(page)).toEqual([]);
      // Nor does the long name widen the panes: the review pane and the filters stay inside their boxes.
      for (const selector of ['.review-pane', '.run-pane', '.filters']) {
        expect(await page.locator(selector).evaluate((el) => el.scrollWidth - el.clientWidth), selector).toBeLessThanOrEqual(0);
      }

      // Rate 4, write a note and press Enter, then → and 5: the 5 rates the next image, not the note.
      const ids = await page.locator('#grid .card').evaluateAll((cards) => cards.map((card) => card.getAttribute('data-prompt-id') as string));
      const [first, second] = ids as [string, string];
      const card = (id: string) => page.locator(`#grid .card[data-prompt-id="${id}"]`);
      await card(first).click();
      await page.keyboard.press('4');
      await page.keyboard.press('n');
      await page.keyboard.type('hands look odd');
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement?.id), 'Enter in the note returns the keyboard to the grid').toBe('grid');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('5');
      await expect.poll(() => card(second).locator('.rating').textContent(), SLOW).toBe('★ 5');
      for (const id of [first, second]) await expect.poll(() => card(id).locator('.save-state').textContent(), SLOW).toBe('saved');
      expect(await page.inputValue('#side-review textarea.note')).toBe('');
      expect(await card(first).locator('.rating').textContent()).toBe('★ 4');
      expect(await page.locator('#run-meta').textContent()).toMatch(/of 4 usable/);

      // The download carries both ratings and the note, exactly as typed.
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#run-download')]);
      await expect.poll(() => page.locator('#notice').textContent(), SLOW).toContain(`Downloading dataset-${runId}.zip`);
      const files = await unzipEntries(readFileSync(await download.path()));
      const rows = files.get('metadata/quality_scores.csv')!.toString('utf8').trim().split('\n');
      const row = (id: string) => rows.find((line) => line.split(',')[1] === id) ?? '';
      expect(row(first)).toMatch(/,4,0,hands look odd,Grace Hopper,,,[01],,,,,,,,$/);
      expect(row(second)).toMatch(/,5,0,,Grace Hopper,,,[01],,,,,,,,$/);
      expect(download.url()).not.toContain(participant.token);

      // The instructor's run list names the participant.
      const runs = await call<{ runs: Array<{ ownerName: string; scenario: string }> }>(stack.instructorToken, 'GET', '/v1/runs');
      expect(runs.runs.find((run) => run.scenario === 'Harbour market')?.ownerName).toBe('Grace Hopper');
      // The one failed request is the preview with the typo, answered 400 on purpose.
      expect(errors).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    } finally {
      await browser.close();
    }
  });
});
