import { describe, expect, it } from 'vitest';
import { cohortLabelsSchema, reviewInputSchema, validateReviewLabels, type CohortLabel } from '../../functions/core/runs/index.js';

const declaration: CohortLabel[] = [
  { key: 'stereotype', name: 'Shows a stereotype', type: 'yesno' },
  { key: 'scene', type: 'choice', choices: ['street', 'market', 'harbour'] },
];

describe('cohort labels', () => {
  it('accepts declared labels with allowed values, and null to clear one', () => {
    expect(validateReviewLabels({ labels: { stereotype: true, scene: 'market' } }, declaration)).toEqual([]);
    expect(validateReviewLabels({ labels: { stereotype: null, scene: null } }, declaration)).toEqual([]);
    expect(validateReviewLabels({}, declaration)).toEqual([]);
  });

  it('names every undeclared key, a yes/no given text and a choice outside its list', () => {
    expect(validateReviewLabels({ labels: { mood: true, stereotype: 'yes', scene: 'forest' } }, declaration)).toEqual([
      'labels.mood: no such label is declared for this cohort',
      'labels.stereotype: must be true, false or null',
      'labels.scene: must be one of street, market, harbour, or null',
    ]);
    // Keys on Object.prototype are not declarations.
    expect(validateReviewLabels({ labels: { constructor: true, tostring: true } }, declaration)).toHaveLength(2);
  });

  it('keeps label keys to lower-case identifiers in a review, so __proto__ cannot be one', () => {
    // zod drops a JSON "__proto__" key from a record: nothing is set, on the labels or on any prototype.
    const parsed = reviewInputSchema.parse({ relevance: 3, inappropriate: false, labels: JSON.parse('{"__proto__": {"polluted": true}}') });
    expect(Object.keys(parsed.labels ?? { x: 1 })).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(reviewInputSchema.safeParse({ relevance: 3, inappropriate: false, labels: { Scene: 'x' } }).success).toBe(false);
    // The three fields of an older client are still a whole review.
    expect(reviewInputSchema.parse({ relevance: 3, inappropriate: false, note: '' })).toEqual({ relevance: 3, inappropriate: false, note: '' });
  });

  it('bounds a declaration: unique keys, at least two distinct choices, at most 20 labels', () => {
    expect(cohortLabelsSchema.safeParse({ labels: declaration }).success).toBe(true);
    expect(cohortLabelsSchema.safeParse({ labels: [declaration[0], declaration[0]] }).success).toBe(false);
    expect(cohortLabelsSchema.safeParse({ labels: [{ key: 'scene', type: 'choice', choices: ['a', 'a'] }] }).success).toBe(false);
    expect(cohortLabelsSchema.safeParse({ labels: [{ key: 'scene', type: 'choice', choices: ['a'] }] }).success).toBe(false);
    expect(cohortLabelsSchema.safeParse({ labels: Array.from({ length: 21 }, (_, i) => ({ key: `l${i}`, type: 'yesno' })) }).success).toBe(false);
    expect(cohortLabelsSchema.safeParse({ labels: [{ key: 'x', type: 'yesno', name: 'n'.repeat(61) }] }).success).toBe(false);
  });
});
