/**
 * A lineage's dataset: one image per slot of the first run. For each slot, its latest usable
 * version; when no revision improved on the slot, the original. Pure.
 */
import { usableVerdict, type PromptStatus, type Review } from '../runs/index.js';
import { imageId } from './revision-model.js';

export interface LineagePrompt {
  runId: string;
  promptId: string;
  status: PromptStatus;
  issues: readonly string[];
  review: Pick<Review, 'relevance' | 'inappropriate'> | null;
  /** 1 for the original; absent on prompts made before revisions existed. */
  version?: number;
  /** The image this version replaces, as `runId/promptId`. */
  replaces?: string | null;
}

export interface SlotVersion<P> {
  prompt: P;
  version: number;
  imageId: string;
  replaces: string | null;
  /** The versions made to replace this one. */
  replacedBy: string[];
  /** The version the lineage's dataset holds for its slot. */
  chosen: boolean;
}

export interface LineageView<P> {
  /** The chosen version of every slot, in the first run's plan order. */
  chosen: P[];
  /** Every version of every slot, oldest first within a slot, slots in plan order. */
  versions: Array<SlotVersion<P>>;
}

const hasImage = (prompt: LineagePrompt): boolean => prompt.status === 'assessed' || prompt.status === 'generated';
const isUsable = (prompt: LineagePrompt): boolean => hasImage(prompt) && usableVerdict({ issues: prompt.issues, review: prompt.review }).usable;

/** The version a slot's dataset takes: the latest usable; else the original with an image; else the latest with one; else the original. */
export function chooseVersion<P extends LineagePrompt>(versions: readonly P[]): P {
  const original = versions[0] as P;
  const latest = (test: (p: P) => boolean): P | undefined => [...versions].reverse().find(test);
  return latest(isUsable) ?? (hasImage(original) ? original : (latest(hasImage) ?? original));
}

/**
 * `original` is the first run's prompts; `revisions` each revision's. A revision's prompt joins
 * the slot with its prompt id; one for a slot the first run lacks is ignored (it cannot happen).
 */
export function lineageView<P extends LineagePrompt>(original: readonly P[], revisions: ReadonlyArray<readonly P[]>): LineageView<P> {
  const slots = new Map<string, P[]>(original.map((prompt) => [prompt.promptId, [prompt]]));
  for (const prompts of revisions) for (const prompt of prompts) slots.get(prompt.promptId)?.push(prompt);
  const chosen: P[] = [];
  const versions: Array<SlotVersion<P>> = [];
  for (const list of slots.values()) {
    list.sort((a, b) => (a.version ?? 1) - (b.version ?? 1));
    const pick = chooseVersion(list);
    chosen.push(pick);
    for (const prompt of list) {
      const id = imageId(prompt.runId, prompt.promptId);
      const replacedBy = list.filter((other) => other.replaces === id).map((other) => imageId(other.runId, other.promptId));
      versions.push({ prompt, version: prompt.version ?? 1, imageId: id, replaces: prompt.replaces ?? null, replacedBy, chosen: prompt === pick });
    }
  }
  return { chosen, versions };
}

/** The next version number of each slot across a lineage's prompts. */
export function nextVersions(prompts: Iterable<Pick<LineagePrompt, 'promptId' | 'version'>>): Map<string, number> {
  const next = new Map<string, number>();
  for (const prompt of prompts) next.set(prompt.promptId, Math.max(next.get(prompt.promptId) ?? 1, (prompt.version ?? 1) + 1));
  return next;
}
