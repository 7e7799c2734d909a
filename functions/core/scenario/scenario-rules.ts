/**
 * Two kinds of knowledge a scenario carries about its own values. Pure.
 * - Exclusions: combinations of axis values that must never meet in one prompt, such as a high
 *   midday sun in thick fog. A rule names two or more axes, each with the values it covers; a
 *   combination is excluded when, for every axis of the rule, its value is among those listed.
 * - Expectations: flags a value asks for, such as `dark` for a night scene. They are reported
 *   as `expected` rather than as issues, so they never count against an image.
 */
import { z } from 'zod';

export const MAX_EXCLUSION_RULES = 200;

export const exclusionRuleSchema = z
  .record(z.string(), z.array(z.string().trim().min(1).max(300)).min(1).max(100))
  .refine((rule) => Object.keys(rule).length >= 2, 'an exclusion names at least two axes (to drop a single value, remove it from the axis)');
export type ExclusionRule = z.infer<typeof exclusionRuleSchema>;

/** The pixel flags a scenario may expect: the ones a prompt can legitimately ask for. */
export const EXPECTABLE_FLAGS = ['dark', 'light', 'blurry', 'low_information', 'grayscale'] as const;
export type ExpectableFlag = (typeof EXPECTABLE_FLAGS)[number];

export const expectationsSchema = z.record(z.string(), z.object({ expect: z.array(z.enum(EXPECTABLE_FLAGS)).min(1).max(EXPECTABLE_FLAGS.length) }).strict());
export type Expectations = z.infer<typeof expectationsSchema>;

/** A rule compiled to sets, so matching a combination costs one lookup per axis of the rule. */
export type CompiledRule = Array<[axis: string, values: ReadonlySet<string>]>;

export const compileRules = (rules: readonly ExclusionRule[] = []): CompiledRule[] =>
  rules.map((rule) => Object.entries(rule).map(([axis, values]) => [axis, new Set(values)] as [string, ReadonlySet<string>]));

/**
 * True when a rule covers the combination. A rule about an axis the combination lacks (another
 * category's axis) never matches, so one list of rules serves every category.
 */
export function isExcluded(combination: Readonly<Record<string, string>>, rules: readonly CompiledRule[]): boolean {
  return rules.some((rule) => rule.every(([axis, values]) => Object.hasOwn(combination, axis) && values.has(combination[axis] as string)));
}

/** Only the rules whose axes all exist in the category: the others can never match there. */
export const rulesFor = (axes: Readonly<Record<string, unknown>>, rules: readonly CompiledRule[]): CompiledRule[] =>
  rules.filter((rule) => rule.every(([axis]) => Object.hasOwn(axes, axis)));

/**
 * Searches for one allowed combination, depth first, pruning a partial choice as soon as a rule
 * whose axes are all chosen matches it. Values are tried in the order given, so callers can
 * prefer some. Returns null when none exists within `budget` steps.
 */
export function findAllowed(
  axes: ReadonlyArray<[axis: string, values: readonly string[]]>,
  rules: readonly CompiledRule[],
  accept: (combination: Record<string, string>) => boolean = () => true,
  budget = 100_000,
): Record<string, string> | null {
  const chosen: Record<string, string> = Object.create(null);
  let steps = 0;
  const partialExcluded = (): boolean => rules.some((rule) => rule.every(([axis, values]) => axis in chosen && values.has(chosen[axis] as string)));
  const visit = (depth: number): boolean => {
    if (depth === axes.length) return accept({ ...chosen });
    const [axis, values] = axes[depth] as [string, readonly string[]];
    for (const value of values) {
      if (++steps > budget) return false;
      chosen[axis] = value;
      if (!partialExcluded() && visit(depth + 1)) return true;
    }
    delete chosen[axis];
    return false;
  };
  return visit(0) ? { ...chosen } : null;
}

/** The flags a prompt's values expect, in no particular order. */
export function expectedFlags(variables: Readonly<Record<string, string>>, expectations: Expectations | undefined): Set<string> {
  const flags = new Set<string>();
  if (!expectations) return flags;
  for (const value of Object.values(variables)) {
    if (Object.hasOwn(expectations, value)) for (const flag of expectations[value]?.expect ?? []) flags.add(flag);
  }
  return flags;
}
