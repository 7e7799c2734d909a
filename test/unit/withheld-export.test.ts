import { describe, expect, it } from 'vitest';
import { datasetFiles, type DatasetOptions, type ExportedPrompt, type ExportInput } from '../../functions/core/export/index.js';
import { DEFAULT_THRESHOLDS } from '../../functions/core/quality/index.js';
import type { ReferenceScreening } from '../../functions/core/references/index.js';
import { newPromptRecord, type RunRecord } from '../../functions/core/runs/index.js';

const run = {
  runId: 'r1', scenario: { name: 'Marevand', variables: {}, categories: {} }, count: 8, seed: 5, categories: ['scenes'],
  provider: 'gemini', model: 'gemini-2.5-flash-image', createdAt: new Date(0).toISOString(), state: 'accepted', owner: 'x',
} as unknown as RunRecord;

const copy: ReferenceScreening = { outcome: 'copy', generation: '1', referenceIds: ['ref-a'], referenceId: 'ref-a', distance: 12, similarity: 0.95, reason: 'near copy of the reference' };
const clear: ReferenceScreening = { outcome: 'clear', generation: '1', referenceIds: ['ref-a'] };
const unscreened: ReferenceScreening = { outcome: 'unscreened', generation: '1', referenceIds: ['ref-a', 'ref-gone'], missing: ['ref-gone'], reason: 'could not be screened: reference ref-gone no longer exists or has no readable signature' };

function prompt(i: number, patch: Partial<ExportedPrompt> = {}): ExportedPrompt {
  const id = `p${String(i).padStart(4, '0')}`;
  return { ...newPromptRecord('r1', { promptId: id, index: i, category: 'scenes', prompt: `prompt ${i}`, variables: {}, seed: i }), status: 'assessed', issues: [], duplicateOf: null, ...patch };
}

/** Eight images: 1–5 unguided or clear, 6 a near copy, 7 unscreened, 8 guided but not assessed yet. */
const prompts = [
  ...[1, 2, 3, 4].map((i) => prompt(i)),
  prompt(5, { referenceIds: ['ref-a'], referenceScreening: clear }),
  prompt(6, { referenceIds: ['ref-a'], referenceScreening: copy, issues: ['copies_reference'] }),
  prompt(7, { referenceIds: ['ref-a', 'ref-gone'], referenceScreening: unscreened, issues: ['unscreened_reference'] }),
  prompt(8, { referenceIds: ['ref-a'], status: 'generated' }),
];

const input = (dataset: DatasetOptions = { split: [0.8, 0.1, 0.1], exclude: [], license: 'cc-by-4.0' }): ExportInput => ({
  run, prompts, counts: {} as never, quality: { assessed: 7, meanBrightness: 1, meanColourVariance: 1, meanResolutionScore: 1 }, thresholds: { ...DEFAULT_THRESHOLDS },
  report: null, exportedAt: new Date(0).toISOString(), versions: {}, dataset,
});
const textOf = (files: ReturnType<typeof datasetFiles>, path: string): string => {
  const file = files.find((f) => f.path === path);
  if (!file || !('text' in file)) throw new Error(`no ${path}`);
  return file.text;
};
const withheldIds = ['p0006', 'p0007', 'p0008'];

describe('an export leaves out every image the privacy guard withholds', () => {
  it.each([
    ['the default options', undefined],
    ['no exclusion policy at all', { split: [1, 0, 0], exclude: [], license: 'cc0-1.0' } as DatasetOptions],
  ])('with %s: no file, metadata row, score row or checksum for a copy, an unscreened image or an unscreened one', (_, options) => {
    const files = datasetFiles(input(options));
    const images = files.filter((file) => 'image' in file).map((file) => file.path);
    expect(images).toEqual(['p0001', 'p0002', 'p0003', 'p0004', 'p0005'].map((id) => `generated_images/scenes/${id}.png`));
    const texts = ['generated_images/metadata.jsonl', 'metadata/quality_scores.csv', 'croissant.json'].map((path) => textOf(files, path));
    for (const text of texts) for (const id of withheldIds) expect(text).not.toContain(`scenes/${id}.png`);
    expect(textOf(files, 'generated_images/metadata.jsonl').trim().split('\n')).toHaveLength(5);
  });

  it('lists a withheld image in image_prompts.json with why, and no file or split', () => {
    const entries = JSON.parse(textOf(datasetFiles(input()), 'metadata/image_prompts.json')) as Array<Record<string, unknown>>;
    const byId = new Map(entries.map((entry) => [entry.id, entry]));
    expect(byId.get('p0006')).toMatchObject({ inDataset: false, withheld: 'near copy of reference ref-a (12 of 255 hash bits differ)' });
    expect(byId.get('p0007')).toMatchObject({ inDataset: false, withheld: unscreened.reason });
    expect(byId.get('p0008')).toMatchObject({ inDataset: false, withheld: 'not yet screened against its references' });
    for (const id of withheldIds) expect(byId.get(id)).not.toHaveProperty('file');
    for (const id of withheldIds) expect(byId.get(id)).not.toHaveProperty('split');
    expect(byId.get('p0005')).toMatchObject({ inDataset: true, file: 'generated_images/scenes/p0005.png' });
    expect(byId.get('p0005')).not.toHaveProperty('withheld');
  });

  it('says on the dataset card how many were left out as near copies and how many could not be screened', () => {
    const card = textOf(datasetFiles(input()), 'README.md');
    expect(card).toContain('- 1 image was left out as a near copy of a reference photograph');
    expect(card).toContain('- 2 images were left out because they could not be screened against their references');
    expect(card).toContain('5 synthetic images in 1 categories');
  });

  it('says nothing of withheld images when there are none', () => {
    const files = datasetFiles({ ...input(), prompts: prompts.slice(0, 5) });
    expect(textOf(files, 'README.md')).not.toContain('left out as near copies');
  });
});
