import { z } from 'zod';

/**
 * A person's judgement of one image, from the gallery: the seed workflow's human-in-the-loop
 * review, which asks for four checks: relevance (1-5), inappropriate content, cultural sensitivity
 * and scenario alignment. The last two, and a cohort's own labels, are optional in a request, so
 * a body of `{relevance, inappropriate, note}` stays valid; a review replaces the previous one whole.
 */
export const CULTURAL_SENSITIVITY = ['ok', 'concern'] as const;
export type CulturalSensitivity = (typeof CULTURAL_SENSITIVITY)[number];

/** A cohort label's key: lower case, so `__proto__` and friends can never be one. */
export const LABEL_KEY = /^[a-z][a-z0-9_]{0,39}$/;
export const MAX_LABELS = 20;
export const MAX_LABEL_TEXT = 60;

/** Shapes only: whether a key is declared and a choice allowed is checked by validateReviewLabels. */
export const reviewLabelsSchema = z
  .record(z.string().regex(LABEL_KEY, 'label keys are lower-case letters, digits and _'), z.union([z.boolean(), z.string().max(MAX_LABEL_TEXT)]).nullable())
  .refine((labels) => Object.keys(labels).length <= MAX_LABELS, `at most ${MAX_LABELS} labels`);

export const reviewInputSchema = z
  .object({
    relevance: z.number().int('relevance must be a whole number from 1 to 5').min(1, 'relevance must be from 1 to 5').max(5, 'relevance must be from 1 to 5').nullable(),
    inappropriate: z.boolean(),
    note: z.string().max(2000, 'note must be at most 2000 characters').default(''),
    /** `concern` when the image depicts people, places or customs disrespectfully or by stereotype; null when not assessed. */
    culturalSensitivity: z.enum(CULTURAL_SENSITIVITY, { message: 'culturalSensitivity must be "ok", "concern" or null' }).nullable().optional(),
    /** Whether the image shows the scenario and category it was asked for; null when not verified. */
    scenarioAligned: z.boolean().nullable().optional(),
    /** The cohort's own labels by key (PUT /v1/cohort/labels declares them); null clears one. */
    labels: reviewLabelsSchema.optional(),
  })
  .strict();

export type ReviewInput = z.infer<typeof reviewInputSchema>;

/** A stored review: reviews from before the last three fields existed lack them. */
export interface Review extends ReviewInput {
  reviewedBy: string;
  reviewedAt: string;
}

/** The review's columns in quality_scores.csv (the cohort's labels follow as `label_{key}`). */
export const REVIEW_COLUMNS = ['relevance', 'inappropriate', 'note', 'reviewedBy', 'culturalSensitivity', 'scenarioAligned'] as const;
