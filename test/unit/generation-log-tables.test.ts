import { describe, expect, it } from 'vitest';
import type { ExportedPrompt } from '../../functions/core/export/index.js';
import { escapeMarkdown } from '../../functions/core/export/index.js';
import { balanceTable, flaggedImages } from '../../functions/core/export/index.js';
import { balanceOf, type RunReport } from '../../functions/core/quality/index.js';

const prompt = (promptId: string, category: string, issues: string[], extra: Partial<ExportedPrompt> = {}): ExportedPrompt =>
  ({ promptId, category, status: 'assessed', issues, duplicateOf: null, ...extra }) as ExportedPrompt;

describe('balanceTable', () => {
  it('gives one short row per axis, with the least and most used value', () => {
    const times = Array.from({ length: 40 }, (_, i) => ['at dawn', 'at noon', 'at night under streetlights in light drizzle'][i % 3] as string);
    const report = { balance: { categories: balanceOf(['quay', 'quay', 'market']), axes: { time_of_day: balanceOf(times), 'a|b': balanceOf(['x']) } } } as unknown as RunReport;
    const lines = balanceTable(report, escapeMarkdown);
    expect(lines.slice(4)).toEqual([
      '| axis | values | normalised entropy | fewest images | most images |',
      '|---|---:|---:|---|---|',
      '| categories | 2 | 0.918 | 1 (market) | 2 (quay) |',
      '| time\\_of\\_day | 3 | 0.999 | 13 (at night under streetlights in light drizzle) | 14 (at dawn) |',
      '| a\\|b | 1 | 1.000 | 1 (x) | 1 (x) |',
    ]);
  });
});

describe('flaggedImages', () => {
  it('lists the files under each flag, with the original a duplicate repeats', () => {
    const prompts = [
      prompt('p1', 'quay', []),
      prompt('p2', 'quay', ['dark', 'near_duplicate'], { duplicateOf: 'p1' }),
      prompt('p3', 'market', ['dark']),
      prompt('p4', 'market', ['dark'], { status: 'failed' }),
    ];
    expect(flaggedImages(prompts, escapeMarkdown)).toEqual([
      '',
      '## Flagged images',
      '',
      '### dark (2)',
      '- generated\\_images/quay/p2.png',
      '- generated\\_images/market/p3.png',
      '',
      '### near\\_duplicate (1)',
      '- generated\\_images/quay/p2.png (repeats generated\\_images/quay/p1.png)',
    ]);
  });

  it('says so when nothing is flagged', () => {
    expect(flaggedImages([prompt('p1', 'quay', [])], escapeMarkdown)).toEqual(['', '## Flagged images', '', 'None.']);
  });
});
