/**
 * A revision regenerates a selection of a finished run's slots, with the same category and
 * variable values, optionally with amended prompts. The run it revises, every revision of that
 * run and their revisions form one lineage, exported as one dataset.
 */
import { z } from 'zod';
import { exclusionRuleSchema, MAX_COUNT, MAX_EXCLUSION_RULES } from '../scenario/index.js';
import type { NamedSelection, Selection } from '../runs/index.js';

export type { Amendment, NamedSelection, RevisionInfo, Selection } from '../runs/index.js';

export const SELECTIONS = ['not-usable', 'rejected', 'flagged', 'failed'] as const satisfies readonly NamedSelection[];

/** A lineage stops growing here: each revision is read whenever the lineage is exported. */
export const MAX_REVISIONS = 20;

export const amendmentSchema = z
  .object({
    /** A category's template, replacing the scenario's, by category name. */
    templates: z.record(z.string(), z.string().min(1).max(4000)).optional(),
    /** Text added to the end of every prompt, such as "no text or signage in the image". */
    append: z.string().trim().min(1, 'append, when given, must not be empty').max(2000).optional(),
    /** Exclusion rules added to the scenario's, in the scenario's format. */
    exclude: z.array(exclusionRuleSchema).max(MAX_EXCLUSION_RULES).optional(),
  })
  .strict();

/** Unknown fields are rejected (strict), as in a run request. */
export const regenerateRequestSchema = z
  .object({
    select: z.union([
      z.enum(SELECTIONS, { message: `select must be one of ${SELECTIONS.map((s) => `"${s}"`).join(', ')} or {"promptIds": [...]}` }),
      z
        .object({
          promptIds: z
            .array(z.string().regex(/^p[0-9]{1,6}$/, 'a prompt id looks like p0007'))
            .min(1, 'select.promptIds names no prompt: select at least one')
            .max(MAX_COUNT),
        })
        .strict(),
    ]),
    amend: amendmentSchema.optional(),
    /** Why the prompts were amended, in the participant's words; kept with the revision. */
    note: z.string().max(2000, 'note must be at most 2000 characters').optional(),
  })
  .strict();

export type RegenerateRequest = z.infer<typeof regenerateRequestSchema>;

/** The id of one image of a lineage: its run and its slot. */
export const imageId = (runId: string, promptId: string): string => `${runId}/${promptId}`;

export const describeSelection = (select: Selection): string => (typeof select === 'string' ? select : `prompts ${select.promptIds.join(', ')}`);
