import { createRandom, hashString, shuffled } from './random.js';
import { axesOf, type Scenario } from './scenario.js';

export interface PlannedPrompt {
  promptId: string;
  index: number;
  category: string;
  prompt: string;
  variables: Record<string, string>;
  seed: number;
}

export interface PlanOptions {
  count: number;
  seed: number;
  /** Subset of the scenario's categories; all of them when omitted. */
  categories?: string[];
}

const DEFAULT_STYLE = 'photorealistic documentary photograph';

/**
 * Turns a scenario into `count` prompts. Deterministic for a given seed; spreads the
 * count over categories by weight; within a category, uses each axis value at most
 * ⌈n/k⌉ times and avoids repeating a prompt text whenever the combination space allows.
 */
export function planPrompts(scenario: Scenario, options: PlanOptions): PlannedPrompt[] {
  const categories = options.categories ?? Object.keys(scenario.categories);
  const perCategory = allocateByWeight(
    categories.map((name) => ({ name, weight: scenario.categories[name]?.weight ?? 1 })),
    options.count,
  );
  const prompts: PlannedPrompt[] = [];
  for (const { name, count } of perCategory) {
    const category = scenario.categories[name];
    if (!category || count === 0) continue;
    const random = createRandom(hashString(`${options.seed}:${name}`));
    const axes = axesOf(scenario, name);
    const { names, rows } = balancedRows(axes, count, random);
    const fill = compileTemplate(category.template, names, (placeholder) => (placeholder === 'context' ? (scenario.context ?? '') : placeholder === 'style' ? (scenario.style ?? DEFAULT_STYLE) : ''));
    for (const row of rows) {
      const index = prompts.length + 1;
      const promptId = `p${String(index).padStart(4, '0')}`;
      prompts.push({ promptId, index, category: name, prompt: fill(row), variables: combinationOf(names, row), seed: hashString(`${options.seed}:${promptId}`) });
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
 * bounds every value to ⌈n/k⌉ uses. Repeated combinations are then repaired by swapping
 * one axis's values between two positions: a swap keeps every axis's counts unchanged.
 * The repair compares rows as small integer codes over the axes that vary, never as joined
 * value text, so its cost is bounded by count × varying axes whatever the values' length.
 */
export function balancedCombinations(
  axes: Record<string, string[]>,
  count: number,
  random: () => number,
): Array<Record<string, string>> {
  const { names, rows } = balancedRows(axes, count, random);
  return rows.map((row) => combinationOf(names, row));
}

/** Null prototype: an axis may be called `constructor` or `toString`. */
function combinationOf(names: string[], row: string[]): Record<string, string> {
  const combination: Record<string, string> = Object.create(null);
  names.forEach((name, axis) => (combination[name] = row[axis] ?? ''));
  return combination;
}

/** The combinations as rows of values, one column per axis in `names` order. */
function balancedRows(axes: Record<string, string[]>, count: number, random: () => number): { names: string[]; rows: string[][] } {
  const names = Object.keys(axes);
  const columns = names.map((name) => cycledSequence(axes[name] ?? [], count, random));
  const distinct = names.map((name) => [...new Set(axes[name] ?? [])]);
  const varying = names.map((_, axis) => axis).filter((axis) => (distinct[axis]?.length ?? 0) > 1);
  const codeOf = varying.map((axis) => new Map((distinct[axis] ?? []).map((value, code) => [value, code])));
  const codes = Array.from({ length: count }, (_, i) => varying.map((axis, k) => codeOf[k]?.get(columns[axis]?.[i] ?? '') ?? 0));
  const space = varying.reduce((product, axis) => product * (distinct[axis]?.length ?? 1), 1);
  if (space >= count && varying.length > 0) repairDuplicates(codes, random, rowKey(varying.map((axis) => distinct[axis]?.length ?? 1)));
  const varyingIndex = names.map((_, axis) => varying.indexOf(axis));
  const rows = codes.map((code, i) => names.map((_, axis) => {
    const k = varyingIndex[axis] as number;
    return (k < 0 ? columns[axis]?.[i] : distinct[axis]?.[code[k] as number]) ?? '';
  }));
  return { names, rows };
}

/**
 * The template split once into text and placeholders, each placeholder resolved to an axis
 * column or a fixed text; filling a row is then a join. Same output as fillTemplate: values
 * first, then whitespace collapsed.
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
  return (row) => parts.map((part) => (typeof part === 'number' ? (row[part] ?? '') : part)).join('').replace(/\s+/g, ' ').trim();
}

function cycledSequence(values: string[], count: number, random: () => number): string[] {
  const out: string[] = [];
  while (out.length < count) out.push(...shuffled(random, values));
  return out.slice(0, count);
}

/** A row's identity: one exact number (mixed radix) while the space allows it, else its codes as text. */
function rowKey(radices: number[]): (row: number[]) => number | string {
  const weights: number[] = [];
  let weight = 1;
  for (const radix of radices) {
    weights.push(weight);
    weight *= radix;
  }
  if (weight > Number.MAX_SAFE_INTEGER) return (row) => row.join(',');
  return (row) => row.reduce((total, code, axis) => total + code * (weights[axis] as number), 0);
}

function repairDuplicates(rows: number[][], random: () => number, key: (row: number[]) => number | string): void {
  const seen = new Map<number | string, number>();
  for (const row of rows) seen.set(key(row), (seen.get(key(row)) ?? 0) + 1);
  const taken = (row: number[]): boolean => (seen.get(key(row)) ?? 0) > 0;
  const axisCount = rows[0]?.length ?? 0;
  const maxTries = rows.length * 50;
  for (let i = 0, tries = 0; i < rows.length && tries < maxTries; i++) {
    const row = rows[i] as number[];
    while ((seen.get(key(row)) ?? 0) > 1 && tries < maxTries) {
      tries++;
      const j = Math.floor(random() * rows.length);
      const axis = Math.floor(random() * axisCount);
      const other = rows[j] as number[];
      if (j === i || other[axis] === row[axis]) continue;
      const swappedRow = [...row];
      const swappedOther = [...other];
      [swappedRow[axis], swappedOther[axis]] = [other[axis] as number, row[axis] as number];
      if (taken(swappedRow) || taken(swappedOther)) continue;
      for (const old of [row, other]) seen.set(key(old), (seen.get(key(old)) ?? 1) - 1);
      rows[i] = swappedRow;
      rows[j] = swappedOther;
      for (const fresh of [swappedRow, swappedOther]) seen.set(key(fresh), (seen.get(key(fresh)) ?? 0) + 1);
      break;
    }
  }
}
