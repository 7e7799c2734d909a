/**
 * Train/validation/test splits that cannot leak: deterministic for a seed, stratified by
 * category, duplicates always together, excluded images in no split. Pure.
 *
 * Why groups: an exact or near duplicate on both sides of a train/test boundary lets a model
 * score well by memorising. Images linked by `duplicateOf` (chains included) form one group, and
 * a group goes to one split as a whole.
 */
import { SPLIT_NAMES, type ExcludePolicy, type SplitName } from './dataset-options.js';
import { createRandom, hashString, shuffled } from '../scenario/index.js';
import { usableVerdict } from '../runs/index.js';
import type { Review } from '../runs/index.js';

export interface SplitItem {
  id: string;
  category: string;
  issues: readonly string[];
  duplicateOf: string | null;
  review: Pick<Review, 'relevance' | 'inappropriate'> | null;
}

export type SplitCounts = Record<SplitName | 'excluded', number>;

export interface SplitPlan {
  /** The split of every image that is in one. */
  splitOf: Map<string, SplitName>;
  /** Why each left-out image is in no split, in usableVerdict's words. */
  excluded: Map<string, string[]>;
  perSplit: Record<SplitName, number>;
  /** Sorted by category name. */
  perCategory: Map<string, SplitCounts>;
}

/** Images that cannot be decoded are never worth training on, whatever the policy. */
const ALWAYS_EXCLUDED_ISSUES = ['unreadable'];

export function exclusionReasons(item: SplitItem, policies: readonly ExcludePolicy[]): string[] {
  const verdict = usableVerdict(item);
  const reasons = item.issues.filter((flag) => ALWAYS_EXCLUDED_ISSUES.includes(flag)).map((flag) => `issue:${flag}`);
  for (const policy of policies) {
    if (policy.kind === 'issues') reasons.push(...verdict.reasons.filter((reason) => reason.startsWith('issue:')));
    if (policy.kind === 'not-usable') reasons.push(...verdict.reasons);
    if (policy.kind === 'inappropriate') {
      if (item.review?.inappropriate) reasons.push('marked inappropriate');
      if (item.issues.includes('inappropriate_content')) reasons.push('issue:inappropriate_content');
    }
    const relevance = item.review?.relevance;
    if (policy.kind === 'rated-below' && relevance != null && relevance < policy.relevance) reasons.push(`rated ${relevance} (below ${policy.relevance})`);
  }
  return [...new Set(reasons)];
}

/** Connected components of the duplicateOf links, each named by its smallest id. */
export function duplicateGroups(items: readonly SplitItem[]): Map<string, string[]> {
  const parent = new Map(items.map((item) => [item.id, item.id]));
  const find = (id: string): string => {
    let root = id;
    while (parent.get(root) !== root) root = parent.get(root) as string;
    parent.set(id, root);
    return root;
  };
  for (const item of items) {
    if (item.duplicateOf === null || !parent.has(item.duplicateOf)) continue;
    const [a, b] = [find(item.id), find(item.duplicateOf)];
    if (a !== b) parent.set(a < b ? b : a, a < b ? a : b);
  }
  const groups = new Map<string, string[]>();
  for (const item of [...items].sort((x, y) => (x.id < y.id ? -1 : 1))) {
    const root = find(item.id);
    groups.set(root, [...(groups.get(root) ?? []), item.id]);
  }
  return groups;
}

/**
 * Per-category targets, each the floor or the ceiling of its exact share (so within one image),
 * with the ceilings handed to the splits furthest behind their share of everything so far:
 * small categories then don't all round the same way and leave a split empty.
 */
export function splitTargets(sizes: ReadonlyArray<[string, number]>, ratios: readonly number[]): Map<string, number[]> {
  const targets = new Map<string, number[]>();
  const allocated = ratios.map(() => 0);
  let seen = 0;
  for (const [category, n] of sizes) {
    seen += n;
    const exact = ratios.map((ratio) => n * ratio);
    const counts = exact.map((value) => Math.floor(value + 1e-9));
    let left = n - counts.reduce((a, b) => a + b, 0);
    const deficit = (s: number) => seen * (ratios[s] as number) - (allocated[s] as number) - (counts[s] as number);
    const candidates = exact.map((value, s) => ({ s, fraction: value - (counts[s] as number) })).filter((c) => c.fraction > 1e-9);
    candidates.sort((a, b) => deficit(b.s) - deficit(a.s) || b.fraction - a.fraction || a.s - b.s);
    for (const { s } of candidates) {
      if (left === 0) break;
      counts[s] = (counts[s] as number) + 1;
      left -= 1;
    }
    counts.forEach((count, s) => (allocated[s] = (allocated[s] as number) + count));
    targets.set(category, counts);
  }
  return targets;
}

export function planSplits(items: readonly SplitItem[], options: { ratios: readonly number[]; exclude: readonly ExcludePolicy[]; seed: number }): SplitPlan {
  const byId = new Map(items.map((item) => [item.id, item]));
  const excluded = new Map<string, string[]>();
  for (const item of items) {
    const reasons = exclusionReasons(item, options.exclude);
    if (reasons.length > 0) excluded.set(item.id, reasons);
  }

  // Each group lives in the category holding most of its included members (ties: the first name).
  const homes = new Map<string, Array<{ members: string[] }>>();
  for (const ids of duplicateGroups(items).values()) {
    const members = ids.filter((id) => !excluded.has(id));
    if (members.length === 0) continue;
    const tally = new Map<string, number>();
    for (const id of members) tally.set(byId.get(id)!.category, (tally.get(byId.get(id)!.category) ?? 0) + 1);
    const home = [...tally].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
    homes.set(home, [...(homes.get(home) ?? []), { members }]);
  }

  const categories = [...homes.keys()].sort();
  const targets = splitTargets(categories.map((c) => [c, homes.get(c)!.reduce((n, g) => n + g.members.length, 0)]), options.ratios);
  const placed: PlacedGroup[] = [];
  for (const category of categories) {
    const target = targets.get(category)!;
    const assigned = target.map(() => 0);
    const random = createRandom(hashString(`splits/${options.seed}/${category}`));
    // Shuffled for the seed, then the largest groups first, so singletons can even out what they leave.
    const groups = shuffled(random, homes.get(category)!).sort((a, b) => b.members.length - a.members.length);
    for (const group of groups) {
      let best = 0;
      for (let s = 1; s < target.length; s++) if (target[s]! - assigned[s]! > target[best]! - assigned[best]!) best = s;
      assigned[best]! += group.members.length;
      placed.push({ members: group.members, category, split: best });
    }
  }
  fillEmptySplits(placed, options.ratios, categorySizes(placed));
  const splitOf = new Map<string, SplitName>();
  for (const group of placed) for (const id of group.members) splitOf.set(id, SPLIT_NAMES[group.split]!);
  return { splitOf, excluded, ...countSplits(items, splitOf, excluded) };
}

interface PlacedGroup {
  members: string[];
  category: string;
  split: number;
}

function categorySizes(placed: readonly PlacedGroup[]): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const group of placed) sizes.set(group.category, (sizes.get(group.category) ?? 0) + group.members.length);
  return sizes;
}

/**
 * A small run rounds every category's share of a 10 % split down to nothing, and the card's
 * promised test split comes out empty. So a split with a non-zero ratio that got no image takes one
 * group from the split holding the most groups: whenever there are at least as many groups
 * (duplicate groups count as one) as such splits, every one of them ends up with an image.
 * The group moved is a smallest one from the category furthest over its share of the donor split,
 * so stratification moves as little as it can. Deterministic: no randomness, ties broken by id.
 */
function fillEmptySplits(placed: PlacedGroup[], ratios: readonly number[], sizes: ReadonlyMap<string, number>): void {
  for (let empty = 0; empty < ratios.length; empty++) {
    if (!(ratios[empty]! > 0) || placed.some((group) => group.split === empty)) continue;
    const groupsIn = (s: number) => placed.filter((group) => group.split === s).length;
    const donor = ratios.map((_, s) => s).filter((s) => s !== empty).sort((a, b) => groupsIn(b) - groupsIn(a) || a - b)[0];
    if (donor === undefined || groupsIn(donor) < 2) continue;
    const surplus = (category: string) =>
      placed.filter((g) => g.category === category && g.split === donor).reduce((n, g) => n + g.members.length, 0) - (sizes.get(category) ?? 0) * ratios[donor]!;
    const moved = placed
      .filter((group) => group.split === donor)
      .sort((a, b) => a.members.length - b.members.length || surplus(b.category) - surplus(a.category) || (a.members[0]! < b.members[0]! ? -1 : 1))[0]!;
    moved.split = empty;
  }
}

function countSplits(items: readonly SplitItem[], splitOf: Map<string, SplitName>, excluded: Map<string, string[]>) {
  const perSplit = { train: 0, validation: 0, test: 0 };
  const unsorted = new Map<string, SplitCounts>();
  for (const item of items) {
    const counts = unsorted.get(item.category) ?? { train: 0, validation: 0, test: 0, excluded: 0 };
    unsorted.set(item.category, counts);
    const split = splitOf.get(item.id);
    if (split) {
      counts[split] += 1;
      perSplit[split] += 1;
    } else if (excluded.has(item.id)) counts.excluded += 1;
  }
  const perCategory = new Map([...unsorted].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  return { perSplit, perCategory };
}
