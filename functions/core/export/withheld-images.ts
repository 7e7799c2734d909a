/**
 * Images the privacy guard keeps out of every export: near copies of a reference photograph, and
 * images that could not be shown clear of theirs (core/references/screening.ts). Unlike the split
 * exclusions, which leave an image in `generated_images/` with a reason, a withheld image has no
 * file, no metadata row and no checksum in the dataset, whatever the export options: the
 * references may not be shared, so neither may a copy of one.
 */
import { isWithheld } from '../references/index.js';
import type { ExportedPrompt } from './export-model.js';

/** Why a prompt's image is withheld, for `image_prompts.json`; nothing when it is not. */
export function withheldEntry(prompt: ExportedPrompt): { withheld?: string } {
  if (!isWithheld(prompt)) return {};
  const screening = prompt.referenceScreening;
  if (screening?.outcome === 'copy') return { withheld: `near copy of reference ${screening.referenceId} (${screening.distance} of 255 hash bits differ)` };
  if (screening?.outcome === 'unscreened') return { withheld: screening.reason };
  return { withheld: 'not yet screened against its references' };
}

/** The dataset card's account of withheld images: how many, and why; nothing when none was. */
export function withheldLines(images: readonly ExportedPrompt[]): string[] {
  const withheld = images.filter(isWithheld);
  if (withheld.length === 0) return [];
  const copies = withheld.filter((prompt) => prompt.referenceScreening?.outcome === 'copy').length;
  const unscreened = withheld.length - copies;
  return [
    ...(copies > 0 ? [`- ${copies} ${copies === 1 ? 'image was' : 'images were'} left out as ${copies === 1 ? 'a near copy' : 'near copies'} of a reference photograph (the \`copies_reference\` flag); no option includes them.`] : []),
    ...(unscreened > 0 ? [`- ${unscreened} ${unscreened === 1 ? 'image was' : 'images were'} left out because ${unscreened === 1 ? 'it' : 'they'} could not be screened against ${unscreened === 1 ? 'its' : 'their'} references (deleted, or not assessed yet).`] : []),
  ];
}
