/** References never leave: the export lists their ids per image, the card and Croissant say how many guided the run, that none is included and how copies were screened. */
import { describe, expect, it } from 'vitest';
import { datasetFiles, type ExportedPrompt, type ExportInput } from '../../functions/core/export/index.js';
import { DEFAULT_THRESHOLDS } from '../../functions/core/quality/index.js';
import { newPromptRecord, type RunRecord } from '../../functions/core/runs/index.js';

function prompt(i: number, referenceIds?: string[]): ExportedPrompt {
  const id = `p${String(i).padStart(4, '0')}`;
  const planned = { promptId: id, index: i, category: i % 2 ? 'march' : 'vigil', prompt: `prompt ${i}`, variables: { a: 'x' }, seed: i, ...(referenceIds ? { referenceIds } : {}) };
  // A guided image reaches the export only once the guard has shown it clear of its references.
  const referenceScreening = referenceIds ? { outcome: 'clear' as const, generation: '1', referenceIds } : null;
  return { ...newPromptRecord('r1', planned), status: 'assessed', issues: [], duplicateOf: null, referenceScreening };
}

const run = {
  runId: 'r1', scenario: { name: 'Refs', variables: {}, categories: {} }, count: 8, seed: 5, categories: ['march', 'vigil'],
  provider: 'gemini', model: 'gemini-2.5-flash-image', createdAt: new Date(0).toISOString(), state: 'accepted', owner: 'x',
} as unknown as RunRecord;

function input(guided: boolean): ExportInput {
  const prompts = Array.from({ length: 8 }, (_, i) => prompt(i + 1, guided ? (i % 2 ? ['ref-harbour', 'ref-square'] : ['ref-square']) : undefined));
  return {
    run, prompts, counts: {} as never, quality: { assessed: 8, meanBrightness: 1, meanColourVariance: 1, meanResolutionScore: 1 }, thresholds: { ...DEFAULT_THRESHOLDS },
    report: null, exportedAt: new Date(0).toISOString(), versions: {}, dataset: { split: [0.8, 0.1, 0.1], exclude: [{ kind: 'issues' }], license: 'cc-by-4.0' },
  };
}

const textOf = (files: ReturnType<typeof datasetFiles>, path: string): string => {
  const file = files.find((f) => f.path === path);
  if (!file || !('text' in file)) throw new Error(`no ${path}`);
  return file.text;
};

describe('an export of a run guided by references', () => {
  const files = datasetFiles(input(true));

  it('lists each image\'s reference ids in image_prompts.json, and no file of a reference', () => {
    const entries = JSON.parse(textOf(files, 'metadata/image_prompts.json')) as Array<{ id: string; referenceIds: string[] }>;
    expect(entries.slice(0, 2).map((entry) => [entry.id, entry.referenceIds])).toEqual([['p0001', ['ref-square']], ['p0002', ['ref-harbour', 'ref-square']]]);
    // Only the generated images are copied, each from its own run's prompt.
    expect(files.filter((file) => 'image' in file).map((file) => file.path)).toEqual(input(true).prompts.map((p) => `generated_images/${p.category}/${p.promptId}.png`));
  });

  it('says in the card how many references guided the run, that none is included, and how copies were screened', () => {
    const card = textOf(files, 'README.md');
    expect(card).toContain('- Reference photographs: 2 reference photographs guided this run\'s prompts');
    expect(card).toContain('none is included in this dataset. Each image was compared with the references that guided it; near copies are flagged copies\\_reference and left out.');
  });

  it('carries the ids as one text column in every metadata row and as a Croissant field, with the same statement', () => {
    const rows = textOf(files, 'generated_images/metadata.jsonl').trim().split('\n').map((line) => JSON.parse(line) as { id: string; reference_ids: string });
    expect(rows.map((row) => row.reference_ids)).toEqual(Array.from({ length: 4 }, () => ['ref-square', 'ref-harbour ref-square']).flat());
    const croissant = JSON.parse(textOf(files, 'croissant.json')) as { description: string; recordSet: Array<{ '@id': string; field: Array<{ name: string }> }> };
    expect(croissant.recordSet.find((set) => set['@id'] === 'images')?.field.map((field) => field.name)).toContain('reference_ids');
    expect(croissant.description).toContain('2 reference photographs guided this run\'s prompts');
    expect(croissant.description).toContain('near copies are flagged copies_reference and left out');
  });
});

describe('an export of a run without references', () => {
  it('says nothing of references and keeps its columns as they were', () => {
    const files = datasetFiles(input(false));
    expect(textOf(files, 'README.md')).not.toMatch(/Reference photographs/);
    expect(JSON.parse(textOf(files, 'generated_images/metadata.jsonl').split('\n')[0] as string)).not.toHaveProperty('reference_ids');
    expect(JSON.parse(textOf(files, 'metadata/image_prompts.json'))[0].referenceIds).toEqual([]);
    expect(textOf(files, 'croissant.json')).not.toMatch(/reference_ids|reference photograph/);
  });
});
