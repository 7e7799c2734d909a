/**
 * Images expire with the retention period (the bucket's lifecycle rule), and a run's records expire
 * on the same schedule but not at the same instant. A dataset made in between leaves the missing
 * images out and says so, instead of failing at the first one.
 */
import type { ExportInput } from './export-model.js';

export const MISSING_IMAGE_REASON = 'image no longer in storage (deleted after the retention period)';

/**
 * The input with each prompt whose image is gone treated as having no image: it is in no image
 * folder, split or checksum list, and every file lists it with the reason. `missing` holds prompt ids.
 */
export function withoutMissingImages<T extends ExportInput>(input: T, missing: ReadonlySet<string>): T {
  if (missing.size === 0) return input;
  return {
    ...input,
    prompts: input.prompts.map((prompt) => (missing.has(prompt.promptId) ? { ...prompt, status: 'failed' as const, failureReason: MISSING_IMAGE_REASON } : prompt)),
    missingImages: [...missing].sort(),
  };
}

/** The dataset card's paragraph about missing images; none when every image was there. */
export function missingImagesLines(input: Pick<ExportInput, 'missingImages'>, escape: (text: string) => string): string[] {
  const missing = input.missingImages ?? [];
  if (missing.length === 0) return [];
  return [
    '## Missing images',
    `${missing.length} image${missing.length === 1 ? ' was' : 's were'} no longer in storage when this dataset was made: the workshop deletes images after its retention period. They are counted as failed, with the reason, in \`metadata/image_prompts.json\`, and listed in \`metadata/generation_parameters.json\` (\`missingImages\`): ${missing.map((id) => `\`${escape(id)}\``).join(', ')}.`,
    '',
  ];
}
