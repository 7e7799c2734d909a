import { describe, expect, it } from 'vitest';
import { datasetFiles, spotCheckLines, type ExportedPrompt } from '../../functions/core/export/index.js';
import { DEFAULT_THRESHOLDS, type ImageMetrics } from '../../functions/core/quality/index.js';
import { newPromptRecord, runQuality, spotCheckReport, spotCheckSample, type Review, type RunRecord } from '../../functions/core/runs/index.js';
import { scenarioSchema } from '../../functions/core/scenario/index.js';

const review = (patch: Partial<Review>): Review => ({ relevance: 4, inappropriate: false, note: '', reviewedBy: 'Ada', reviewedAt: '', ...patch });

/** 30 images in two categories, seed 5; 10 of the 12 sampled are reviewed, 2 of them rejected. */
function prompts(): ExportedPrompt[] {
  const list: ExportedPrompt[] = Array.from({ length: 30 }, (_, i) => ({
    ...newPromptRecord('r1', { promptId: `p${String(i + 1).padStart(4, '0')}`, index: i + 1, category: i < 20 ? 'street' : 'market', prompt: 'x', variables: {}, seed: i }),
    status: 'generated',
    issues: [],
    duplicateOf: null,
  }));
  const sample = spotCheckSample(list, { seed: 5 });
  sample.slice(0, 10).forEach((promptId, i) => {
    const prompt = list.find((p) => p.promptId === promptId)!;
    prompt.review = review(i === 0 ? { inappropriate: true } : i === 1 ? { relevance: 2 } : {});
  });
  // A review outside the sample does not count.
  list.find((p) => !sample.includes(p.promptId))!.review = review({ relevance: 1 });
  return list;
}

describe('the spot check in the run report and the export', () => {
  it('reports 2 rejected of 10 reviewed with the Wilson interval, beside 3 of 30 images flagged', () => {
    const flaggedIds = new Set(['p0001', 'p0002', 'p0021']);
    const report = spotCheckReport(prompts(), 5, (id) => (flaggedIds.has(id) ? ['dark'] : []));
    expect(report).toMatchObject({ seed: 5, sampled: 12, reviewed: 10, rejected: 2, flagged: { images: 30, flagged: 3, share: 0.1 } });
    // Wilson 95 % for 2 of 10: 0.0567 to 0.5098 (z = 1.96).
    expect(report.defectRate?.estimate).toBe(0.2);
    expect(report.defectRate?.low).toBeCloseTo(0.0567, 4);
    expect(report.defectRate?.high).toBeCloseTo(0.5098, 4);
    expect(spotCheckLines({ spotCheck: report } as never)).toEqual([
      '- Spot check: 12 images sampled at random (seed 5, stratified by category), 10 reviewed, 2 rejected: an estimated defect rate of 20 % (95 % Wilson interval 5.7 % to 51 %); the automatic flags marked 3 of 30 images (10 %).',
    ]);
  });

  it('is in the run report, the dataset card, the generation log and generation_parameters.json', () => {
    const scenario = scenarioSchema.parse({ name: 's', variables: { a: ['x'] }, categories: { street: { template: '{a}' }, market: { template: '{a}' } } });
    const run = { runId: 'r1', scenario, count: 30, seed: 5, categories: ['street', 'market'], provider: 'embedded', model: 'm', createdAt: new Date(0).toISOString(), state: 'accepted', owner: 'x' } as unknown as RunRecord;
    const list = prompts().map((p) => ({ ...p, status: 'assessed' as const, metrics: { width: 1024, height: 1024, brightnessP99: 0.9, brightnessP5: 0.1, entropy: 6, contrast: 0.2, sharpness: 3, colouredFraction: 0.5, aspectRatio: 1, phash: p.promptId.padStart(16, '0'), pixelHash: p.promptId, flatFraction: 0.1 } as unknown as ImageMetrics }));
    const { report } = runQuality(run, list);
    expect(report.spotCheck).toMatchObject({ sampled: 12, reviewed: 10, rejected: 2 });
    const files = datasetFiles({ run, prompts: list, counts: {} as never, quality: { assessed: 30, meanBrightness: 1, meanColourVariance: 1, meanResolutionScore: 1 }, thresholds: { ...DEFAULT_THRESHOLDS }, report, exportedAt: new Date(0).toISOString(), versions: {} });
    const text = (path: string) => (files.find((file) => file.path === path) as { text: string }).text;
    for (const path of ['README.md', 'documentation/generation_log.md']) expect(text(path)).toContain('10 reviewed, 2 rejected: an estimated defect rate of 20 % (95 % Wilson interval 5.7 % to 51 %)');
    expect(JSON.parse(text('metadata/generation_parameters.json')).quality.report.spotCheck).toMatchObject({ seed: 5, reviewed: 10, rejected: 2, defectRate: { estimate: 0.2 } });
  });
});
