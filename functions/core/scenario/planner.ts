import { createRandom, hashString, shuffled } from './random.js';
import { axesOf, type Scenario } from './scenario.js';
import { compileRules, findAllowed, isExcluded, rulesFor, type CompiledRule } from './scenario-rules.js';

export interface PlannedPrompt {
  promptId: string;
  index: number;
  category: string;
  prompt: string;
  variables: Record<string, string>;
  seed: number;
  /** Reference photographs that guide this prompt (its category's, then the run's); absent means none. */
  referenceIds?: string[];
}

export interface PlanOptions {
  count: number;
  seed: number;
  /** Subset of the scenario's categories; all of them when omitted. */
  categories?: string[];
  /** The run's reference ids, added to every category's own. */
  references?: string[];
}

/** A category's reference ids, then the run's, each once, in that order. */
export function referencesFor(scenario: Scenario, category: string, runReferences: readonly string[] = []): string[] {
  return [...new Set([...(scenario.categories[category]?.references ?? []), ...runReferences])];
}

export const DEFAULT_STYLE = 'photorealistic documentary photograph';

/**
 * Turns a scenario into `count` prompts. Deterministic for a given seed; spreads the
 * count over categories by weight; within a category, uses each axis value at most
 * ⌈n/k⌉ times and avoids repeating a prompt text whenever the combination space allows.
 * Never plans a combination the scenario's `exclude` rules forbid.
 */
export function planPrompts(scenario: Scenario, options: PlanOptions): PlannedPrompt[] {
  const categories = options.categories ?? Object.keys(scenario.categories);
  const perCategory = allocateByWeight(
    categories.map((name) => ({ name, weight: scenario.categories[name]?.weight ?? 1 })),
    options.count,
  );
  const prompts: PlannedPrompt[] = [];
  const rules = compileRules(scenario.exclude);
  for (const { name, count } of perCategory) {
    const category = scenario.categories[name];
    if (!category || count === 0) continue;
    const random = createRandom(hashString(`${options.seed}:${name}`));
    const axes = axesOf(scenario, name);
    const names = Object.keys(axes);
    // Planned over value codes, not value text, so every comparison and key costs the same however long the values are.
    const coded = codeAxes(axes);
    const referenceIds = referencesFor(scenario, name, options.references);
    const fill = compileTemplate(category.template, names, (placeholder) => (placeholder === 'context' ? (scenario.context ?? '') : placeholder === 'style' ? (scenario.style ?? DEFAULT_STYLE) : ''));
    for (const codes of balancedCombinations(coded.axes, count, random, coded.rules(rulesFor(axes, rules)))) {
      const row = names.map((axis) => coded.value(axis, codes[axis] ?? ''));
      const index = prompts.length + 1;
      const promptId = `p${String(index).padStart(4, '0')}`;
      prompts.push({ promptId, index, category: name, prompt: fill(row), variables: combinationOf(names, row), seed: hashString(`${options.seed}:${promptId}`), ...(referenceIds.length > 0 ? { referenceIds: [...referenceIds] } : {}) });
    }
  }
  return prompts;
}

/** Largest-remainder apportionment; ties go to the category listed first, so the result is stable. */
export function allocateByWeight(
  items: Array<{ name: string; weight: number }>,
  total: number,
): Array<{ name: string; count: number }> {
  const weightSum = items.reduce((sum, item) => sum + item.weight, 0);
  const shares = items.map((item, order) => {
    const exact = (total * item.weight) / weightSum;
    return { name: item.name, order, count: Math.floor(exact), remainder: exact - Math.floor(exact) };
  });
  let left = total - shares.reduce((sum, share) => sum + share.count, 0);
  for (const share of [...shares].sort((a, b) => b.remainder - a.remainder || a.order - b.order)) {
    if (left === 0) break;
    share.count += 1;
    left -= 1;
  }
  return shares.map(({ name, count }) => ({ name, count }));
}

/**
 * Each axis gets its own shuffled sequence of whole cycles through its values, which
 * bounds every value to ⌈n/k⌉ uses. Excluded and repeated combinations are then repaired by
 * swapping one axis's values between two positions: a swap keeps every axis's counts unchanged.
 * A row no swap can fix is replaced by the nearest allowed combination, preferring its own and
 * then the least-used values, so an exclusion is never broken and balance bends as little as it must.
 */
export function balancedCombinations(
  axes: Record<string, string[]>,
  count: number,
  random: () => number,
  rules: readonly CompiledRule[] = [],
): Array<Record<string, string>> {
  const names = Object.keys(axes);
  const columns = names.map((name) => cycledSequence(axes[name] ?? [], count, random));
  const rows = Array.from({ length: count }, (_, i) => columns.map((column) => column[i] ?? ''));
  const space = names.reduce((product, name) => product * (axes[name]?.length ?? 1), 1);
  const excluded = (row: string[]): boolean => rules.length > 0 && isExcluded(Object.fromEntries(names.map((name, axis) => [name, row[axis] ?? ''])), rules);
  repairRows(rows, random, excluded, space >= count);
  replaceBadRows(rows, names, axes, rules, excluded, space >= count);
  if (rules.length > 0) rebalance(rows, names, axes, excluded, space >= count);
  return rows.map((row) => combinationOf(names, row));
}

function cycledSequence(values: string[], count: number, random: () => number): string[] {
  const out: string[] = [];
  while (out.length < count) out.push(...shuffled(random, values));
  return out.slice(0, count);
}

const key = (row: string[]): string => row.join('\u0000');

function repairRows(rows: string[][], random: () => number, excluded: (row: string[]) => boolean, avoidRepeats: boolean): void {
  const seen = new Map<string, number>();
  for (const row of rows) seen.set(key(row), (seen.get(key(row)) ?? 0) + 1);
  const taken = (row: string[]): boolean => avoidRepeats && (seen.get(key(row)) ?? 0) > 0;
  const bad = (row: string[]): boolean => excluded(row) || (avoidRepeats && (seen.get(key(row)) ?? 0) > 1);
  const axisCount = rows[0]?.length ?? 0;
  const maxTries = rows.length * 50;
  for (let i = 0, tries = 0; i < rows.length && tries < maxTries; i++) {
    const row = rows[i] as string[];
    while (bad(row) && tries < maxTries) {
      tries++;
      const j = Math.floor(random() * rows.length);
      const axis = Math.floor(random() * axisCount);
      const other = rows[j] as string[];
      if (j === i || other[axis] === row[axis]) continue;
      const swappedRow = [...row];
      const swappedOther = [...other];
      [swappedRow[axis], swappedOther[axis]] = [other[axis] as string, row[axis] as string];
      if (taken(swappedRow) || taken(swappedOther) || excluded(swappedRow) || excluded(swappedOther)) continue;
      for (const old of [row, other]) seen.set(key(old), (seen.get(key(old)) ?? 1) - 1);
      rows[i] = swappedRow;
      rows[j] = swappedOther;
      for (const fresh of [swappedRow, swappedOther]) seen.set(key(fresh), (seen.get(key(fresh)) ?? 0) + 1);
      break;
    }
  }
}

/**
 * The last resort for rows the swaps could not fix: the nearest allowed combination, preferring
 * the row's own values and then the least-used ones, and an unused one while any is left.
 */
function replaceBadRows(rows: string[][], names: string[], axes: Record<string, string[]>, rules: readonly CompiledRule[], excluded: (row: string[]) => boolean, avoidRepeats: boolean): void {
  const uses = names.map(() => new Map<string, number>());
  for (const row of rows) row.forEach((value, axis) => uses[axis]?.set(value, (uses[axis]?.get(value) ?? 0) + 1));
  const present = new Set<string>();
  let unusedLeft = avoidRepeats;
  rows.forEach((row, i) => {
    const repeated = avoidRepeats && present.has(key(row));
    if (!excluded(row) && !repeated) {
      present.add(key(row));
      return;
    }
    // This row's own values first, unless one is over its share; then the least-used values.
    const preference = names.map((name, axis): [string, string[]] => {
      const values = axes[name] ?? [];
      const cap = Math.ceil(rows.length / Math.max(1, values.length));
      const usesWithout = (value: string) => (uses[axis]?.get(value) ?? 0) - (value === row[axis] ? 1 : 0);
      const rank = (value: string) => (usesWithout(value) < cap ? 0 : 1) * 2 + (value === row[axis] ? 0 : 1);
      return [name, [...values].sort((a, b) => rank(a) - rank(b) || usesWithout(a) - usesWithout(b))];
    });
    // First only values still under their share, so balance holds wherever the exclusions allow it.
    const withinShare = preference.map(([name, values], axis): [string, string[]] => {
      const cap = Math.ceil(rows.length / Math.max(1, values.length));
      return [name, values.filter((value) => (uses[axis]?.get(value) ?? 0) - (value === row[axis] ? 1 : 0) < cap)];
    });
    const toRow = (combination: Record<string, string>) => names.map((name) => combination[name] ?? '');
    const unused = (combination: Record<string, string>) => !present.has(key(toRow(combination)));
    let fresh = unusedLeft ? (findAllowed(withinShare, rules, unused) ?? findAllowed(preference, rules, unused)) : null;
    // Once no unused combination is left, stop searching for one: it would cost a full search per row.
    if (!fresh) unusedLeft = false;
    if (!fresh && !excluded(row)) return;
    fresh ??= findAllowed(withinShare, rules) ?? findAllowed(preference, rules);
    if (!fresh) throw new Error('the exclusions leave no allowed combination');
    const replacement = toRow(fresh);
    row.forEach((value, axis) => uses[axis]?.set(value, (uses[axis]?.get(value) ?? 1) - 1));
    replacement.forEach((value, axis) => uses[axis]?.set(value, (uses[axis]?.get(value) ?? 0) + 1));
    present.add(key(replacement));
    rows[i] = replacement;
  });
}

/** After replacements: moves a value over its ⌈n/k⌉ share to an under-used one wherever the row stays allowed and unique. */
function rebalance(rows: string[][], names: string[], axes: Record<string, string[]>, excluded: (row: string[]) => boolean, avoidRepeats: boolean): void {
  const present = new Map<string, number>();
  for (const row of rows) present.set(key(row), (present.get(key(row)) ?? 0) + 1);
  names.forEach((name, axis) => {
    const values = axes[name] ?? [];
    const cap = Math.ceil(rows.length / Math.max(1, values.length));
    const uses = new Map(values.map((value) => [value, rows.filter((row) => row[axis] === value).length]));
    for (const row of rows) {
      const value = row[axis] as string;
      if ((uses.get(value) ?? 0) <= cap) continue;
      const target = values.find((other) => {
        if ((uses.get(other) ?? 0) >= cap) return false;
        const moved = [...row];
        moved[axis] = other;
        return !excluded(moved) && !(avoidRepeats && present.has(key(moved)));
      });
      if (target === undefined) continue;
      present.set(key(row), (present.get(key(row)) ?? 1) - 1);
      if (present.get(key(row)) === 0) present.delete(key(row));
      uses.set(value, (uses.get(value) ?? 1) - 1);
      uses.set(target, (uses.get(target) ?? 0) + 1);
      row[axis] = target;
      present.set(key(row), (present.get(key(row)) ?? 0) + 1);
    }
  });
}

function combinationOf(names: string[], row: string[]): Record<string, string> {
  const combination: Record<string, string> = Object.create(null);
  names.forEach((name, axis) => (combination[name] = row[axis] ?? ''));
  return combination;
}

/**
 * The template split once into text and placeholders, each placeholder resolved to an axis
 * column or a fixed text; filling a row is then a join. Same output as fillTemplate: values
 * first, then whitespace collapsed, then the first letter capitalised.
 */
function compileTemplate(template: string, names: string[], fixed: (placeholder: string) => string): (row: string[]) => string {
  const column = new Map(names.map((name, axis) => [name, axis]));
  const parts: Array<string | number> = [];
  let last = 0;
  for (const match of template.matchAll(/\{([^{}]*)\}/g)) {
    parts.push(template.slice(last, match.index));
    const placeholder = match[1] ?? '';
    parts.push(column.get(placeholder) ?? fixed(placeholder));
    last = match.index + match[0].length;
  }
  parts.push(template.slice(last));
  return (row) => {
    const text = parts.map((part) => (typeof part === 'number' ? (row[part] ?? '') : part)).join('').replace(/\s+/g, ' ').trim();
    return text.charAt(0).toUpperCase() + text.slice(1);
  };
}

/**
 * Each axis's values as short codes (the index of a value's first occurrence, so repeated values
 * stay equal), with the exclusion rules translated to the same codes.
 */
function codeAxes(axes: Record<string, string[]>) {
  const codeOf = new Map<string, Map<string, string>>();
  for (const [axis, values] of Object.entries(axes)) {
    const codes = new Map<string, string>();
    values.forEach((value, i) => codes.has(value) || codes.set(value, String(i)));
    codeOf.set(axis, codes);
  }
  const coded: Record<string, string[]> = Object.create(null);
  for (const [axis, values] of Object.entries(axes)) coded[axis] = values.map((value) => codeOf.get(axis)?.get(value) ?? '');
  return {
    axes: coded,
    value: (axis: string, code: string): string => axes[axis]?.[Number(code)] ?? '',
    rules: (rules: readonly CompiledRule[]): CompiledRule[] =>
      rules.map((rule) => rule.map(([axis, values]): [string, ReadonlySet<string>] => [axis, new Set([...values].flatMap((value) => codeOf.get(axis)?.get(value) ?? []))])),
  };
}
