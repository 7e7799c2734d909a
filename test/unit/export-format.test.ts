import { describe, expect, it } from 'vitest';
import { escapeMarkdown, generationLogMd, imagePromptsJson, qualityScoresCsv, type ExportedPrompt } from '../../functions/core/export/index.js';
import { METRIC_COLUMNS } from '../../functions/core/quality/index.js';
import { DEFAULT_THRESHOLDS, ISSUE_FLAGS } from '../../functions/core/quality/index.js';
import { REVIEW_COLUMNS } from '../../functions/core/runs/index.js';
import { newPromptRecord, type RunRecord } from '../../functions/core/runs/index.js';

const prompt = (id: string, patch: Partial<ExportedPrompt>): ExportedPrompt => ({
  ...newPromptRecord('r1', { promptId: id, index: Number(id.slice(1)), category: 'protest_scenes', prompt: `prompt ${id}`, variables: { a: 'x' }, seed: 1 }),
  issues: [],
  duplicateOf: null,
  ...patch,
});
const metrics = { width: 1024, height: 1024, resolutionScore: 0.5057, colourVariance: 40, brightness: 100 } as never;
const prompts = [
  prompt('p0001', { status: 'assessed', metrics, model: 'm' }),
  prompt('p0002', { status: 'failed', failureReason: 'blocked:SAFETY' }),
  prompt('p0003', { status: 'generating' }),
  prompt('p0004', {
    status: 'assessed', metrics, prompt: 'A "quoted", comma <img src=x onerror=alert(1)>', issues: ['dark', 'near_duplicate'], duplicateOf: 'p0001',
    review: { relevance: 2, inappropriate: true, note: 'flag, "banner" text', reviewedBy: 'Ada', reviewedAt: '' },
  }),
];

describe('export format', () => {
  it('lists every planned prompt as succeeded or failed with a reason', () => {
    const entries = JSON.parse(imagePromptsJson(prompts));
    expect(entries.map((e: { status: string }) => e.status)).toEqual(['succeeded', 'failed', 'failed', 'succeeded']);
    expect(entries[0]).toMatchObject({ id: 'p0001', file: 'generated_images/protest_scenes/p0001.png', model: 'm' });
    expect(entries[1]).toMatchObject({ failureReason: 'blocked:SAFETY' });
    expect(entries[2]).toMatchObject({ failureReason: 'unfinished: still generating when exported' });
    expect(entries[1].file).toBeUndefined();
  });

  it('writes one CSV row per image with quoted cells where needed', () => {
    const lines = qualityScoresCsv(prompts).trim().split('\n');
    expect(lines[0]).toBe(['file', 'id', 'category', ...METRIC_COLUMNS, ...ISSUE_FLAGS, 'duplicateOf', ...REVIEW_COLUMNS, 'usable', 'judgeRelevance', 'judgeReason', 'judgeInappropriate', 'caption', 'judgeCulturalSensitivity', 'judgeScenarioAligned', 'judgeStatus', 'judgeFailureReason'].join(','));
    expect(lines).toHaveLength(3);
    const blanks = Array(METRIC_COLUMNS.length - 5).fill('');
    expect(lines[1]).toBe(['generated_images/protest_scenes/p0001.png', 'p0001', 'protest_scenes', 1024, 1024, 0.5057, 40, 100, ...blanks, ...ISSUE_FLAGS.map(() => 0), '', '', '', '', '', '', '', 1, '', '', '', '', '', '', '', ''].join(','));
    const flags = lines[2]!.split(',').slice(3 + METRIC_COLUMNS.length, 3 + METRIC_COLUMNS.length + ISSUE_FLAGS.length + 1);
    expect(flags).toEqual([...ISSUE_FLAGS.map((flag) => (flag === 'dark' || flag === 'near_duplicate' ? '1' : '0')), 'p0001']);
    // Flagged, rated 2 and marked inappropriate: not usable.
    expect(lines[2]!.endsWith(',p0001,2,1,"flag, ""banner"" text",Ada,,,0,,,,,,,,')).toBe(true);
  });

  it('escapes user text in the generation log', () => {
    const run = { runId: 'r1', scenario: { name: 'S <b>', variables: {}, categories: {} }, count: 4, seed: 1, categories: ['protest_scenes'], provider: 'embedded', model: 'm', createdAt: new Date(0).toISOString(), state: 'accepted', owner: 'x' } as RunRecord;
    const log = generationLogMd({ run, prompts, counts: {} as never, quality: { assessed: 2, meanBrightness: 100, meanColourVariance: 40, meanResolutionScore: 0.5 }, exportedAt: '', versions: {}, thresholds: { ...DEFAULT_THRESHOLDS }, report: null });
    expect(log).not.toContain('<img');
    expect(log).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(log).toContain('S &lt;b&gt;');
    expect(escapeMarkdown('a|b*c\nd')).toBe('a\\|b\\*c d');
  });
});
