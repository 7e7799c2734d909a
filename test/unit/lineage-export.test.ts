/** A lineage exported through the one formatter, datasetFiles: one image per slot, every version listed, the revisions recorded. */
import { describe, expect, it } from 'vitest';
import { datasetFiles, type ExportedPrompt, type ExportInput } from '../../functions/core/export/index.js';
import { DEFAULT_THRESHOLDS } from '../../functions/core/quality/index.js';
import { newPromptRecord, type RunRecord } from '../../functions/core/runs/index.js';

const CATEGORIES = ['gatherings', 'protest_scenes'];

function prompt(runId: string, i: number, patch: Partial<ExportedPrompt> = {}): ExportedPrompt {
  const id = `p${String(i).padStart(4, '0')}`;
  return {
    ...newPromptRecord(runId, { promptId: id, index: i, category: CATEGORIES[i % 2]!, prompt: `prompt ${i}`, variables: { a: String(i % 3) }, seed: i }),
    status: 'assessed', objectName: `runs/${runId}/${id}.png`, issues: [], duplicateOf: null, ...patch,
  };
}
const rejected = { review: { relevance: 1, inappropriate: false, note: 'text on placards', reviewedBy: 'Ada', reviewedAt: '' } };
const run = (runId: string, revision?: RunRecord['revision']) =>
  ({ runId, scenario: { name: 'S', variables: {}, categories: {} }, count: 20, seed: 5, categories: CATEGORIES, provider: 'embedded', model: 'm', createdAt: new Date(0).toISOString(), state: 'accepted', owner: 'u', ...(revision ? { revision } : {}) }) as unknown as RunRecord;

const root = Array.from({ length: 20 }, (_, i) => prompt('root', i + 1, [4, 9, 15].includes(i + 1) ? rejected : {}));
const revisionOf = (number: number, parentRunId: string, slots: number[], patch: (i: number) => Partial<ExportedPrompt>) => ({
  run: run(`rev${number}`, { rootRunId: 'root', parentRunId, number, select: 'rejected', slots: slots.map((i) => `p${String(i).padStart(4, '0')}`), amend: { append: 'No text.' }, note: 'placards' }),
  prompts: slots.map((i) => prompt(`rev${number}`, i, { version: number + 1, replaces: `${parentRunId}/p${String(i).padStart(4, '0')}`, prompt: `prompt ${i} No text.`, ...patch(i) })),
});

function input(revisions: ReturnType<typeof revisionOf>[]): ExportInput {
  return {
    run: run('root'), prompts: root, counts: {} as never, quality: { assessed: 20, meanBrightness: 1, meanColourVariance: 1, meanResolutionScore: 1 }, thresholds: { ...DEFAULT_THRESHOLDS },
    report: null, exportedAt: new Date(0).toISOString(), versions: {}, lineage: { revisions },
  };
}
const textOf = (files: ReturnType<typeof datasetFiles>, path: string): string => {
  const file = files.find((f) => f.path === path);
  if (!file || !('text' in file)) throw new Error(`no ${path}`);
  return file.text;
};

describe('a lineage in datasetFiles', () => {
  const first = revisionOf(1, 'root', [4, 9, 15], (i) => (i === 9 ? rejected : {}));

  it('holds 20 images, the three rejected slots from the revision that improved them, and lists all 23 versions', () => {
    const files = datasetFiles(input([first]));
    const images = files.flatMap((f) => ('image' in f ? [`${f.image.runId}/${f.image.promptId}`] : []));
    expect(images).toHaveLength(20);
    expect(images.filter((id) => !id.startsWith('root/'))).toEqual(['rev1/p0004', 'rev1/p0015']);
    expect(images).toContain('root/p0009'); // the revision did not improve on it: the original stays
    const entries = JSON.parse(textOf(files, 'metadata/image_prompts.json')) as Array<Record<string, unknown>>;
    expect(entries).toHaveLength(23);
    expect(entries.filter((e) => e.id === 'p0004')).toEqual([
      expect.objectContaining({ runId: 'root', version: 1, replaces: null, replacedBy: ['rev1/p0004'], inDataset: false }),
      expect.objectContaining({ runId: 'rev1', version: 2, replaces: 'root/p0004', replacedBy: [], inDataset: true, file: 'generated_images/gatherings/p0004.png' }),
    ]);
    expect(entries.filter((e) => e.inDataset)).toHaveLength(20);
    expect(entries.filter((e) => !e.inDataset).every((e) => e.file === undefined && e.split === undefined)).toBe(true);
  });

  it('records the amendments and a Revisions section that shows how the ratings moved', () => {
    const files = datasetFiles(input([first]));
    const parameters = JSON.parse(textOf(files, 'metadata/generation_parameters.json'));
    expect(parameters.revisions).toEqual([expect.objectContaining({ runId: 'rev1', revision: 1, parentRunId: 'root', select: 'rejected', slots: ['p0004', 'p0009', 'p0015'], amend: { append: 'No text.' }, note: 'placards' })]);
    const log = textOf(files, 'documentation/generation_log.md');
    expect(log).toContain('## Revisions');
    expect(log).toContain('appended to every prompt: “No text.”');
    expect(log).toMatch(/\| p0004 \| no flags, rated 1, not usable \| no flags, unrated, usable \| this version \|/);
    expect(log).toMatch(/\| p0009 \| no flags, rated 1, not usable \| no flags, rated 1, not usable \| another version \|/);
  });

  it('after two revisions, takes the latest usable version of each slot; every slot keeps one split', () => {
    const second = revisionOf(2, 'rev1', [9, 4], (i) => (i === 4 ? { issues: ['dark'] } : {}));
    const files = datasetFiles(input([second, first]));
    const images = files.flatMap((f) => ('image' in f ? [`${f.image.runId}/${f.image.promptId}`] : []));
    expect(images.filter((id) => !id.startsWith('root/'))).toEqual(['rev1/p0004', 'rev2/p0009', 'rev1/p0015']);
    const entries = JSON.parse(textOf(files, 'metadata/image_prompts.json')) as Array<{ id: string; inDataset: boolean; split?: string | null }>;
    const inDataset = entries.filter((e) => e.inDataset);
    expect(new Set(inDataset.map((e) => e.id)).size).toBe(20);
    const rows = textOf(files, 'generated_images/metadata.jsonl').trim().split('\n').map((line) => JSON.parse(line) as { id: string });
    expect(rows.map((r) => r.id).sort()).toEqual(root.map((p) => p.promptId));
  });
});
