import { z } from 'zod';

/** A person's judgement of one image, from the gallery: the seed workflow's human-in-the-loop review. */
export const reviewInputSchema = z
  .object({
    relevance: z.number().int('relevance must be a whole number from 1 to 5').min(1, 'relevance must be from 1 to 5').max(5, 'relevance must be from 1 to 5').nullable(),
    inappropriate: z.boolean(),
    note: z.string().max(2000, 'note must be at most 2000 characters').default(''),
  })
  .strict();

export type ReviewInput = z.infer<typeof reviewInputSchema>;

export interface Review extends ReviewInput {
  reviewedBy: string;
  reviewedAt: string;
}

/** The review's columns in quality_scores.csv. */
export const REVIEW_COLUMNS = ['relevance', 'inappropriate', 'note', 'reviewedBy'] as const;
