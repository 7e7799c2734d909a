import { describe, expect, it } from 'vitest';
import { datasetFiles, type ExportedPrompt, type ExportInput } from '../../functions/core/export/index.js';
import { DEFAULT_THRESHOLDS } from '../../functions/core/quality/index.js';
import { newPromptRecord, type RunRecord } from '../../functions/core/runs/index.js';

const CATEGORIES = ['protest_scenes', 'gatherings', 'individual_portraits', 'constructor'];

function prompt(i: number, patch: Partial<ExportedPrompt> = {}): ExportedPrompt {
  const id = `p${String(i).padStart(4, '0')}`;
  return {
    ...newPromptRecord('r1', { promptId: id, index: i, category: CATEGORIES[i % 4]!, prompt: `prompt ${i}`, variables: i % 4 === 0 ? { a: 'x', b: 'y' } : { a: 'z' }, seed: i }),
    status: 'assessed',
    issues: [],
    duplicateOf: null,
    ...patch,
  };
}

const run = {
  runId: 'r1', scenario: { name: 'Marevand "quoted"\n---\nlicense: evil', variables: {}, categories: {} }, count: 21, seed: 5, categories: CATEGORIES,
  provider: 'gemini', model: 'gemini-2.5-flash-image', createdAt: new Date(0).toISOString(), state: 'accepted', owner: 'x',
} as unknown as RunRecord;

function input(patch: Partial<ExportInput> = {}): ExportInput {
  const prompts = Array.from({ length: 20 }, (_, i) => prompt(i + 1));
  prompts[2] = prompt(3, { issues: ['dark'] });
  prompts[6] = prompt(7, { issues: ['near_duplicate'], duplicateOf: 'p0003' });
  prompts[8] = prompt(9, { review: { relevance: 4, inappropriate: false, note: 'fine', reviewedBy: 'Ada', reviewedAt: '' } });
  prompts.push(prompt(21, { status: 'failed', failureReason: 'blocked:SAFETY' }));
  return {
    run, prompts, counts: {} as never, quality: { assessed: 20, meanBrightness: 1, meanColourVariance: 1, meanResolutionScore: 1 }, thresholds: { ...DEFAULT_THRESHOLDS },
    report: null, exportedAt: new Date(0).toISOString(), versions: {}, dataset: { split: [0.8, 0.1, 0.1], exclude: [{ kind: 'issues' }], license: 'cc-by-4.0' }, ...patch,
  };
}

const textOf = (files: ReturnType<typeof datasetFiles>, path: string): string => {
  const file = files.find((f) => f.path === path);
  if (!file || !('text' in file)) throw new Error(`no ${path}`);
  return file.text;
};

describe('dataset packaging in datasetFiles', () => {
  it('adds the Hugging Face metadata, the card and croissant.json after the workshop files, which stay as they were', () => {
    const paths = datasetFiles(input()).map((file) => file.path);
    expect(paths.filter((path) => path.endsWith('.png'))).toHaveLength(20);
    expect(paths.slice(20)).toEqual([
      'metadata/image_prompts.json', 'metadata/generation_parameters.json', 'metadata/quality_scores.csv', 'documentation/generation_log.md',
      'generated_images/metadata.jsonl', 'generated_images/metadata_train.jsonl', 'generated_images/metadata_validation.jsonl', 'generated_images/metadata_test.jsonl',
      'README.md', 'croissant.json',
    ]);
  });

  it('writes type-stable metadata rows, one per image, and each split file holds only its split', () => {
    const files = datasetFiles(input());
    const rows = textOf(files, 'generated_images/metadata.jsonl').trim().split('\n').map((line) => JSON.parse(line));
    expect(rows).toHaveLength(20);
    expect(rows[0]).toEqual({
      file_name: 'gatherings/p0001.png', id: 'p0001', label: 'gatherings', prompt: 'prompt 1', variables: { a: 'z', b: '' },
      issues: expect.objectContaining({ dark: false, near_duplicate: false }), usable: true,
      review: { relevance: 0, inappropriate: false, note: '', reviewedBy: '', culturalSensitivity: '', scenarioAligned: '' }, split: expect.stringMatching(/^(train|validation|test)$/), exclusion: '',
    });
    expect(rows.find((row) => row.id === 'p0003')).toMatchObject({ split: 'excluded', exclusion: 'issue:dark', usable: false, issues: expect.objectContaining({ dark: true }) });
    for (const split of ['train', 'validation', 'test']) {
      const splitRows = textOf(files, `generated_images/metadata_${split}.jsonl`).trim().split('\n').map((line) => JSON.parse(line));
      expect(splitRows.length).toBeGreaterThan(0);
      expect(splitRows.every((row) => row.split === split)).toBe(true);
    }
  });

  it('adds a caption column only when a judge captioned an image', () => {
    const judged = input();
    judged.prompts[0] = { ...judged.prompts[0]!, judge: { status: 'judged', answer: { caption: 'A quay.' } } } as unknown as ExportedPrompt;
    const rows = textOf(datasetFiles(judged), 'generated_images/metadata.jsonl').trim().split('\n').map((line) => JSON.parse(line));
    expect(rows.map((row) => row.caption)).toEqual(['A quay.', ...Array(19).fill('')]);
    expect(textOf(datasetFiles(input()), 'generated_images/metadata.jsonl')).not.toContain('"caption"');
  });

  it('exports the four human checks and the cohort labels as columns of every file, unset ones as ""', () => {
    const base = input();
    const review = { relevance: 4, inappropriate: false, note: '', reviewedBy: 'Ada', reviewedAt: '', culturalSensitivity: 'concern' as const, scenarioAligned: false, labels: { stereotype: true, scene: '=HYPERLINK("x")' } };
    base.prompts[0] = prompt(1, { review });
    const files = datasetFiles(base);
    const rows = textOf(files, 'generated_images/metadata.jsonl').trim().split('\n').map((line) => JSON.parse(line));
    expect(rows[0]).toMatchObject({ review: { culturalSensitivity: 'concern', scenarioAligned: 'no' }, labels: { scene: '=HYPERLINK("x")', stereotype: 'yes' } });
    // Every row has every label key, so the loader types the column alike in every split.
    expect(rows[1].labels).toEqual({ scene: '', stereotype: '' });
    const csv = textOf(files, 'metadata/quality_scores.csv').trim().split('\n');
    const header = csv[0]!.split(',');
    expect(header.slice(-2)).toEqual(['label_scene', 'label_stereotype']);
    const row = csv.find((line) => line.includes(',p0001,'))!;
    // The choice is user text: neutralised against formula injection.
    expect(row.endsWith(`,"'=HYPERLINK(""x"")",yes`)).toBe(true);
    expect(row).toContain(',Ada,concern,no,');
    const croissant = JSON.parse(textOf(files, 'croissant.json'));
    const fields = croissant.recordSet.flatMap((set: { field: Array<{ name: string }> }) => set.field.map((field) => field.name));
    expect(fields).toEqual(expect.arrayContaining(['culturalSensitivity', 'scenarioAligned', 'label_scene', 'label_stereotype']));
    expect(JSON.parse(textOf(files, 'metadata/image_prompts.json')).find((entry: { id: string }) => entry.id === 'p0001').review).toEqual(review);
  });

  it('records the split or the exclusion of each image in image_prompts.json', () => {
    const entries = JSON.parse(textOf(datasetFiles(input()), 'metadata/image_prompts.json')) as Array<Record<string, unknown>>;
    expect(entries.find((e) => e.id === 'p0003')).toMatchObject({ split: null, excluded: ['issue:dark'] });
    expect(entries.find((e) => e.id === 'p0001')!.split).toMatch(/^(train|validation|test)$/);
    expect(entries.find((e) => e.id === 'p0021')).not.toHaveProperty('split');
  });

  it('writes a card whose YAML header user text cannot break', () => {
    const card = textOf(datasetFiles(input()), 'README.md');
    const header = card.split('\n---\n')[0]!;
    expect(header).toContain('license: "cc-by-4.0"');
    expect(header).toContain('pretty_name: "Marevand \\"quoted\\"\\n---\\nlicense: evil (synthetic images)"');
    expect(header).toContain('tags:\n- synthetic');
    expect(header).toContain('  - split: test\n    path:\n    - generated_images/metadata_test.jsonl');
    expect(card).toContain('every person shown is fictional'.replace('every', 'Every'));
    expect(card).toContain('- p0003 excluded: issue:dark');
  });

  it('lists a sha256 for every text file, and for every image the writer hashed', () => {
    const digests = new Map([['generated_images/gatherings/p0001.png', 'ab'.repeat(32)]]);
    const croissant = JSON.parse(textOf(datasetFiles(input({ imageSha256: digests })), 'croissant.json'));
    const objects = croissant.distribution.filter((d: { '@type': string }) => d['@type'] === 'cr:FileObject');
    expect(objects.map((d: { contentUrl: string }) => d.contentUrl)).toContain('README.md');
    expect(objects.find((d: { contentUrl: string }) => d.contentUrl === 'generated_images/gatherings/p0001.png').sha256).toBe('ab'.repeat(32));
    expect(objects.every((d: { sha256: string }) => /^[0-9a-f]{64}$/.test(d.sha256))).toBe(true);
    expect(croissant).toMatchObject({ conformsTo: 'http://mlcommons.org/croissant/1.1', 'rai:dataCollectionType': ['Synthetic data'] });
    expect(croissant['rai:personalSensitiveInformation']).toMatch(/fictional/);
  });

  it('is the same for the same run, whatever order the prompts arrive in', () => {
    const a = datasetFiles(input());
    const b = datasetFiles(input({ prompts: [...input().prompts].reverse() }));
    expect(textOf(b, 'generated_images/metadata.jsonl')).toBe(textOf(a, 'generated_images/metadata.jsonl'));
  });
});

describe('the card of a small run', () => {
  it('has all three splits for six images, and its loading line says so', () => {
    const six = input({ prompts: Array.from({ length: 6 }, (_, i) => prompt(i + 1)), dataset: { split: [0.8, 0.1, 0.1], exclude: [], license: 'cc-by-4.0' } });
    const card = textOf(datasetFiles(six), 'README.md');
    for (const split of ['train', 'validation', 'test']) expect(card).toContain(`- split: ${split}`);
    expect(card).toContain('# train, validation, test');
    expect(card).toContain('pip install datasets pillow');
    expect(card).not.toContain('Empty:');
  });

  it('says which split is empty and why when two images cannot fill three', () => {
    const two = input({ prompts: [prompt(1), prompt(2)], dataset: { split: [0.8, 0.1, 0.1], exclude: [], license: 'cc-by-4.0' } });
    const card = textOf(datasetFiles(two), 'README.md');
    expect(card).toMatch(/Empty: (validation|test) \(fewer than three images or duplicate groups were left to split\)\./);
    expect(card).not.toContain('# train, validation, test');
  });
});

describe('dataset packaging of a run without images', () => {
  it('writes a card without configs and a valid croissant.json with no image record', () => {
    const failed = input({ prompts: [prompt(1, { status: 'failed', failureReason: 'no_image' })] });
    const files = datasetFiles(failed);
    expect(textOf(files, 'README.md')).not.toContain('configs:');
    expect(files.map((file) => file.path)).not.toContain('generated_images/metadata_train.jsonl');
    expect(JSON.parse(textOf(files, 'croissant.json')).recordSet[0].data).toEqual([]);
  });
});

describe('the judge in datasetFiles', () => {
  it('with the judge on, an image not judged yet says pending in image_prompts.json and the CSV; without it, nothing is owed', () => {
    const judged = datasetFiles(input({ run: { ...run, judge: 'gemini' } }));
    const entries = JSON.parse(textOf(judged, 'metadata/image_prompts.json')) as Array<{ status: string; judge: { status: string } | null }>;
    expect(entries.filter((entry) => entry.status === 'succeeded').map((entry) => entry.judge?.status)).toEqual(Array(20).fill('pending'));
    expect(textOf(judged, 'metadata/quality_scores.csv').trim().split('\n')[1]).toMatch(/,pending,not judged yet when this dataset was exported$/);
    const unjudged = JSON.parse(textOf(datasetFiles(input()), 'metadata/image_prompts.json')) as Array<{ judge: unknown }>;
    expect(unjudged.every((entry) => entry.judge === null)).toBe(true);
  });
});
