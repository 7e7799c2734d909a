import { describe, expect, it } from 'vitest';
import { generationLogMd, imagePromptsJson, qualityScoresCsv, type ExportedPrompt } from '../../functions/core/export/index.js';
import type { JudgeRecord } from '../../functions/core/judge/index.js';
import type { ImageMetrics } from '../../functions/core/quality/index.js';
import { DEFAULT_THRESHOLDS } from '../../functions/core/quality/index.js';
import { newPromptRecord, type RunRecord } from '../../functions/core/runs/index.js';
import { runQuality } from '../../functions/core/runs/index.js';
import { scenarioSchema } from '../../functions/core/scenario/index.js';

const answer = { relevance: 4, reason: 'Matches, "mostly".', elements: [{ variable: 'a', present: true }], artifacts: [], inappropriate: false, concerns: [], caption: 'A square, at night.', culturalSensitivity: 'ok' as const, scenarioAligned: true };
const judged: JudgeRecord = { status: 'judged', generation: '1', model: 'gemini-2.5-flash', attempts: 1, leaseOwner: null, leaseExpiresAt: null, lastError: null, reason: null, answer, usage: null, judgedAt: '' };
const metrics = { width: 1024, height: 1024, brightnessP99: 0.9, brightnessP5: 0.1, entropy: 6, contrast: 0.2, sharpness: 3, colouredFraction: 0.5, aspectRatio: 1, phash: '0000000000000000', pixelHash: '1', flatFraction: 0.1 } as unknown as ImageMetrics;
const scenario = scenarioSchema.parse({ name: 's', variables: { a: ['x'] }, categories: { protest_scenes: { template: '{a}' } } });

function prompts(): ExportedPrompt[] {
  return Array.from({ length: 12 }, (_, i) => {
    const id = `p${String(i + 1).padStart(4, '0')}`;
    const base = newPromptRecord('r1', { promptId: id, index: i + 1, category: 'protest_scenes', prompt: 'x', variables: { a: 'x' }, seed: 1 });
    const judge: JudgeRecord = i === 11 ? { ...judged, status: 'failed', answer: null, reason: 'blocked:SAFETY' } : { ...judged, answer: { ...answer, relevance: (i % 5) + 1 } };
    // People assessed cultural sensitivity on all ten and saw a concern on the first; nobody verified alignment.
    const review = i < 10 ? { relevance: (i % 5) + 1, inappropriate: false, note: '', reviewedBy: 'Ada', reviewedAt: '', culturalSensitivity: i === 0 ? ('concern' as const) : ('ok' as const) } : null;
    return { ...base, status: 'assessed', metrics: { ...metrics, pixelHash: String(i), phash: (i * 0x1111).toString(16).padStart(16, '0') }, judge, review, issues: [], duplicateOf: null };
  });
}

describe('the judge in the export', () => {
  const list = prompts();
  const run = { runId: 'r1', scenario, count: 12, seed: 1, categories: ['protest_scenes'], provider: 'gemini', model: 'm', createdAt: new Date(0).toISOString(), state: 'accepted', owner: 'x' } as RunRecord;
  const { report } = runQuality(run, list);

  it('gives quality_scores.csv the judge columns: a verdict, or its status and failure reason', () => {
    const lines = qualityScoresCsv(list).trim().split('\n');
    expect(lines[0]!.endsWith(',judgeRelevance,judgeReason,judgeInappropriate,caption,judgeCulturalSensitivity,judgeScenarioAligned,judgeStatus,judgeFailureReason')).toBe(true);
    expect(lines[1]!.endsWith(',1,"Matches, ""mostly"".",0,"A square, at night.",ok,yes,judged,')).toBe(true);
    expect(lines[12]!.endsWith(',,,,,,,failed,blocked:SAFETY')).toBe(true);
  });

  it('says in the CSV that a verdict was still pending, and leaves the cells of an unjudged run empty', () => {
    const pending = { ...list[0]!, judge: { ...judged, status: 'judging' as const, answer: null } };
    expect(qualityScoresCsv([pending]).trim().split('\n')[1]!.endsWith(',,,,,,,pending,not judged yet when this dataset was exported')).toBe(true);
    expect(qualityScoresCsv([{ ...list[0]!, judge: null }]).trim().split('\n')[1]!.endsWith(',,,,,,,,')).toBe(true);
  });

  it('says "pending" for an image of a judged run whose judging has not started when the dataset is taken, never a silent null', () => {
    const unjudged = { ...list[0]!, judge: null };
    expect(qualityScoresCsv([unjudged], true).trim().split('\n')[1]!.endsWith(',,,,,,,pending,not judged yet when this dataset was exported')).toBe(true);
    expect(JSON.parse(imagePromptsJson([unjudged], undefined, undefined, true))[0].judge).toEqual({ status: 'pending', model: null, failureReason: 'not judged yet when this dataset was exported' });
    // A failed prompt has no image to judge.
    expect(JSON.parse(imagePromptsJson([{ ...unjudged, status: 'failed' }], undefined, undefined, true))[0].judge).toBeNull();
  });

  it('gives image_prompts.json a judge object per image', () => {
    const entries = JSON.parse(imagePromptsJson(list));
    expect(entries[0].judge).toEqual({ status: 'judged', model: 'gemini-2.5-flash', ...answer, relevance: 1 });
    expect(entries[11].judge).toEqual({ status: 'failed', model: 'gemini-2.5-flash', failureReason: 'blocked:SAFETY' });
  });

  it('summarises verdicts and agreement in the run report and generation_log.md', () => {
    expect(report.judge).toMatchObject({ judged: 11, failed: 1, compared: 10, agreement: { count: 10, weightedKappa: 1, spearman: 1 } });
    const log = generationLogMd({ run, prompts: list, counts: {} as never, quality: { assessed: 12, meanBrightness: 1, meanColourVariance: 1, meanResolutionScore: 1 }, exportedAt: '', versions: {}, thresholds: { ...DEFAULT_THRESHOLDS }, report });
    expect(log).toContain('## Content judge');
    expect(log).toContain('- Verdicts: 11 judged, 1 failed');
    expect(log).toContain("quadratically weighted Cohen's κ 1, Spearman ρ 1 over 10 images rated by people");
    // One line per human check: 10 reviews say not inappropriate, as the judge does (κ undefined: nobody said yes).
    expect(log).toContain("  - inappropriate: 10 of 10 agree (100 %), Cohen's κ n/a");
    expect(log).toContain("  - cultural sensitivity: 9 of 10 agree (90 %), Cohen's κ 0");
    expect(log).toContain('  - scenario alignment: not yet measured (0 of 10 images answered by both)');
    expect(report.judge?.checks.culturalSensitivity.agreement).toEqual({ count: 10, agreed: 9, percentAgreement: 0.9, kappa: 0 });
  });
});
