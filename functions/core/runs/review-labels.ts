/**
 * A cohort's own labels: the instructor declares them once (a yes/no such as "shows a stereotype",
 * or a choice such as "scene type"), reviewers set them on images, the export carries them as
 * columns. Every review write, one at a time or in bulk, checks its labels with validateReviewLabels
 * before anything is written. Pure.
 */
import { z } from 'zod';
import { LABEL_KEY, MAX_LABEL_TEXT, MAX_LABELS, type ReviewInput } from './review.js';

export const MAX_LABEL_CHOICES = 20;

const key = z.string().regex(LABEL_KEY, 'a label key is 1-40 lower-case letters, digits and _, starting with a letter');
const text = z.string().trim().min(1, 'must not be empty').max(MAX_LABEL_TEXT, `must be at most ${MAX_LABEL_TEXT} characters`);

export const cohortLabelSchema = z.discriminatedUnion('type', [
  z.object({ key, name: text.optional(), type: z.literal('yesno') }).strict(),
  z.object({ key, name: text.optional(), type: z.literal('choice'), choices: z.array(text).min(2, 'a choice label needs at least 2 choices').max(MAX_LABEL_CHOICES, `at most ${MAX_LABEL_CHOICES} choices`) }).strict(),
]);
export type CohortLabel = z.infer<typeof cohortLabelSchema>;

/** The body of PUT /v1/cohort/labels: the whole declaration, which replaces the previous one. */
export const cohortLabelsSchema = z
  .object({ labels: z.array(cohortLabelSchema).max(MAX_LABELS, `at most ${MAX_LABELS} labels`) })
  .strict()
  .superRefine(({ labels }, context) => {
    const seen = new Set<string>();
    for (const [index, label] of labels.entries()) {
      if (seen.has(label.key)) context.addIssue({ code: 'custom', path: ['labels', index, 'key'], message: `label key "${label.key}" is declared twice` });
      seen.add(label.key);
      if (label.type === 'choice' && new Set(label.choices).size !== label.choices.length) context.addIssue({ code: 'custom', path: ['labels', index, 'choices'], message: 'choices must differ' });
    }
  });

/**
 * The problems of a review's labels against the cohort's declaration: an undeclared key, a yes/no
 * label given anything but true/false, a choice outside its list. Empty when the labels may be written;
 * null clears a label. The declaration is looked up in a Map, so no key reaches an object prototype.
 */
export function validateReviewLabels(review: Pick<ReviewInput, 'labels'>, declaration: readonly CohortLabel[]): string[] {
  const byKey = new Map(declaration.map((label) => [label.key, label]));
  const problems: string[] = [];
  for (const [labelKey, value] of Object.entries(review.labels ?? {})) {
    const label = byKey.get(labelKey);
    if (!label) problems.push(`labels.${labelKey}: no such label is declared for this cohort`);
    else if (value === null) continue;
    else if (label.type === 'yesno' && typeof value !== 'boolean') problems.push(`labels.${labelKey}: must be true, false or null`);
    else if (label.type === 'choice' && (typeof value !== 'string' || !label.choices.includes(value))) problems.push(`labels.${labelKey}: must be one of ${label.choices.join(', ')}, or null`);
  }
  return problems;
}
