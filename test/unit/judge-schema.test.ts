import { describe, expect, it } from 'vitest';
import { answerText, usageOf } from '../../functions/adapters/gemini/gemini-judge.js';
import { buildRubric, JudgeFailedError, judgeResponseJsonSchema, parseJudgeAnswer } from '../../functions/core/judge/index.js';
import { estimateRunCost, geminiImageTokens } from '../../functions/core/runs/index.js';

const valid = { relevance: 4, reason: 'r', elements: [{ variable: 'place', present: true }], artifacts: [], inappropriate: false, concerns: [], caption: 'c', culturalSensitivity: 'ok', scenarioAligned: true };
const failure = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    return error instanceof JudgeFailedError ? error.reason : `not a JudgeFailedError: ${String(error)}`;
  }
  return 'no error';
};

describe('the judge answer schema', () => {
  it('is sent as JSON Schema generated from the zod schema, without the dialect line', () => {
    const schema = judgeResponseJsonSchema();
    expect(schema.$schema).toBeUndefined();
    expect(schema).toMatchObject({ type: 'object', additionalProperties: false, required: ['relevance', 'reason', 'elements', 'artifacts', 'inappropriate', 'concerns', 'caption', 'culturalSensitivity', 'scenarioAligned'] });
    expect(schema.properties).toMatchObject({ relevance: { type: 'integer', minimum: 1, maximum: 5 } });
  });

  it.each([
    ['not JSON', '{"relevance": 4', 'invalid_json'],
    ['relevance 0', JSON.stringify({ ...valid, relevance: 0 }), 'schema: relevance'],
    ['an unknown artifact', JSON.stringify({ ...valid, artifacts: ['sparkles'] }), 'schema: artifacts.0'],
    ['no cultural sensitivity', JSON.stringify({ ...valid, culturalSensitivity: undefined }), 'schema: culturalSensitivity'],
    ['a yes/no alignment given as text', JSON.stringify({ ...valid, scenarioAligned: 'yes' }), 'schema: scenarioAligned'],
    ['an extra field', JSON.stringify({ ...valid, mood: 'happy' }), 'schema: (root)'],
    ['the wrong elements', JSON.stringify({ ...valid, elements: [{ variable: 'time', present: true }] }), 'schema: elements must answer place; got time'],
  ])('fails an answer with %s', (_name, text, reason) => {
    expect(failure(() => parseJudgeAnswer(text, ['place']))).toMatch(new RegExp(`^${reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('accepts a valid answer', () => {
    expect(parseJudgeAnswer(JSON.stringify(valid), ['place'])).toEqual(valid);
  });

  it.each([
    ['a prompt block', { promptFeedback: { blockReason: 'SAFETY' } }, 'blocked:SAFETY'],
    ['a safety finish', { candidates: [{ finishReason: 'SAFETY', content: { parts: [] } }] }, 'blocked:SAFETY'],
    ['no candidates', {}, 'no_answer'],
    ['only a thought', { candidates: [{ finishReason: 'STOP', content: { parts: [{ text: 'hmm', thought: true }] } }] }, 'no_answer'],
  ])('reads %s as a failed verdict', (_name, response, reason) => {
    expect(failure(() => answerText(response))).toBe(reason);
  });

  it('reads image tokens from usageMetadata', () => {
    expect(usageOf({ promptTokenCount: 1000, candidatesTokenCount: 90, thoughtsTokenCount: 10, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 742 }, { modality: 'IMAGE', tokenCount: 258 }] })).toEqual({ imageTokens: 258, promptTokens: 1000, outputTokens: 100 });
  });

  it('builds a rubric with every requested element and a bounded context', () => {
    const { rubric, elements } = buildRubric({ prompt: 'P', category: 'c', variables: { place: 'a square', time: 'at dusk' }, scenarioName: 'S', context: 'x'.repeat(5000) });
    expect(elements).toEqual(['place', 'time']);
    expect(rubric).toContain('- place: a square\n- time: at dusk');
    expect(rubric.length).toBeLessThan(3000);
    // The four human checks are asked of the judge too, so its answers can be compared with the people's.
    for (const check of ['relevance:', 'inappropriate:', 'culturalSensitivity:', 'scenarioAligned:']) expect(rubric).toContain(`\n${check}`);
  });
});

describe('judge pricing', () => {
  it.each([
    [384, 384, 258],
    [300, 200, 258],
    [1024, 1024, 1032],
    [768, 768, 1032],
  ])('a %i×%i image costs %i input tokens on Gemini 2.x', (w, h, tokens) => {
    expect(geminiImageTokens(w, h)).toBe(tokens);
  });

  it('adds the judge to the run estimate', () => {
    expect(estimateRunCost('gemini-2.5-flash-image', 100, null)).toEqual({ images: 100, usdPerImage: 0.039, usd: 3.9, basis: '1,290 output tokens at $30/1M' });
    expect(estimateRunCost('gemini-2.5-flash-image', 100, 'gemini-2.5-flash')).toMatchObject({ usd: 3.968, judge: { model: 'gemini-2.5-flash', usdPerImage: 0.000684, usd: 0.068 } });
    expect(estimateRunCost('embedded-procedural-v1', 10, 'unknown-model')).toMatchObject({ usd: null, judge: { usdPerImage: null } });
  });
});
