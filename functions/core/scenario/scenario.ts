import { z } from 'zod';
import { isReservedName, longestPromptBytes, MAX_PROMPT_BYTES, MAX_REFERENCES_PER_PROMPT, MAX_TEMPLATE_AXES, REFERENCE_ID } from './input-limits.js';
import { mergeThresholds } from '../quality/index.js';
import { closestName } from './suggest.js';
import { compileRules, exclusionRuleSchema, expectationsSchema, findAllowed, MAX_EXCLUSION_RULES, rulesFor } from './scenario-rules.js';

/**
 * A scenario describes a fictional setting and how to turn it into prompts.
 * Templates use `{axis}` placeholders that refer to the category's variables,
 * the shared variables, or the reserved `{context}` and `{style}` fields.
 */
const CATEGORY_NAME = /^[a-z0-9_-]+$/;
const AXIS_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PLACEHOLDER = /\{([^{}]*)\}/g;
const RESERVED_PLACEHOLDERS = ['context', 'style'] as const;

const axisValues = z.array(z.string().trim().min(1).max(300)).min(1).max(100);
const variablesSchema = z.record(z.string(), axisValues).default({});

/** Reference photographs (ids from POST /v1/references) that guide a category's images; never their content. */
export const referenceIdsSchema = z
  .array(z.string().regex(REFERENCE_ID, 'a reference id is 1 to 64 letters, digits, _ or -'))
  .max(MAX_REFERENCES_PER_PROMPT, `at most ${MAX_REFERENCES_PER_PROMPT} references guide one prompt`);

const categorySchema = z
  .object({
    template: z.string().min(1).max(4000),
    variables: variablesSchema,
    weight: z.number().positive().max(1000).default(1),
    references: referenceIdsSchema.optional(),
  })
  .strict();

export const imageSettingsSchema = z
  .object({
    aspectRatio: z.enum(['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9']).default('1:1'),
    imageSize: z.enum(['1K', '2K', '4K']).default('1K'),
  })
  .strict();

export const scenarioSchema = z
  .object({
    // The name goes into the dataset card's YAML header and into file names, where controls break things.
    name: z
      .string()
      .trim()
      .min(1)
      .max(120)
      .refine((name) => !/\p{Cc}/u.test(name), 'the name must not contain control characters (U+0000–U+001F, U+007F–U+009F)'),
    description: z.string().max(4000).optional(),
    context: z.string().max(8000).optional(),
    style: z.string().max(1000).optional(),
    variables: variablesSchema,
    categories: z
      .record(z.string(), categorySchema)
      .refine((categories) => Object.keys(categories).length > 0, 'a scenario needs at least one category'),
    image: imageSettingsSchema.optional(),
    /** Overrides of the quality thresholds in functions/core/quality.ts, by name. */
    quality: z.object({ thresholds: z.record(z.string(), z.number()).default({}) }).strict().optional(),
    /** Combinations of axis values that must never meet in one prompt (functions/core/scenario-rules.ts). */
    exclude: z.array(exclusionRuleSchema).max(MAX_EXCLUSION_RULES).optional(),
    /** Flags a value asks for, e.g. `{ "at night": { "expect": ["dark"] } }`: reported as expected, not as issues. */
    expectations: expectationsSchema.optional(),
    /** The content judge for runs of this scenario, unless the run request names one. */
    judge: z.enum(['gemini', 'none']).optional(),
  })
  .strict()
  .superRefine((scenario, ctx) => {
    // Names are checked here rather than as record keys, so the message says what to fix.
    const badAxis = (path: Array<string>, axes: Record<string, unknown>) => {
      for (const axis of Object.keys(axes).filter((axis) => !AXIS_NAME.test(axis))) {
        ctx.addIssue({ code: 'custom', path: [...path, axis], message: `axis name "${axis}" must be letters, digits and _, starting with a letter or _` });
      }
      for (const axis of Object.keys(axes).filter(isReservedName)) ctx.addIssue({ code: 'custom', path: [...path, axis], message: reservedMessage('axis', axis) });
    };
    badAxis(['variables'], scenario.variables);
    try {
      mergeThresholds(scenario.quality?.thresholds ?? {});
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['quality', 'thresholds'], message: (error as Error).message });
    }
    checkRules(scenario, ctx);
    for (const [name, category] of Object.entries(scenario.categories)) {
      if (!CATEGORY_NAME.test(name)) {
        ctx.addIssue({ code: 'custom', path: ['categories', name], message: `category name "${name}" must match [a-z0-9_-]+ (it becomes a folder name)` });
      }
      if (isReservedName(name)) ctx.addIssue({ code: 'custom', path: ['categories', name], message: reservedMessage('category', name) });
      badAxis(['categories', name, 'variables'], category.variables);
      for (const placeholder of placeholdersIn(category.template)) {
        if (!isKnownPlaceholder(placeholder, scenario.variables, category.variables)) {
          const suggestion = closestName(placeholder, [...RESERVED_PLACEHOLDERS, ...Object.keys(category.variables), ...Object.keys(scenario.variables)]);
          ctx.addIssue({
            code: 'custom',
            path: ['categories', name, 'template'],
            message: suggestion
              ? `unknown placeholder {${placeholder}}: did you mean {${suggestion}}?`
              : `unknown placeholder {${placeholder}}: define "${placeholder}" in the scenario's or the category's variables`,
            ...(suggestion ? { params: { suggestion: `{${suggestion}}` } } : {}),
          });
        }
      }
      const axes = new Set(placeholdersIn(category.template)).size;
      if (axes > MAX_TEMPLATE_AXES) {
        ctx.addIssue({ code: 'custom', path: ['categories', name, 'template'], message: `the template uses ${axes} different placeholders; the limit is ${MAX_TEMPLATE_AXES}` });
      }
      // Bounded before anything is planned or booked: `{context}` repeated in a template would otherwise build megabyte prompts.
      const longest = longestPromptBytes(category.template, (placeholder) => longestValueBytes(scenario, category.variables, placeholder));
      if (longest > MAX_PROMPT_BYTES) {
        ctx.addIssue({
          code: 'custom',
          path: ['categories', name, 'template'],
          message: `the longest prompt this template can produce is ${longest} bytes; the limit is ${MAX_PROMPT_BYTES} bytes (use {context} once, or shorten the template or values)`,
        });
      }
    }
  });

const reservedMessage = (what: string, name: string): string => `${what} name "${name}" is reserved (names of the form __name__ are Firestore's); rename it`;

/** The style the planner falls back to is short; 64 bytes covers it. */
const DEFAULT_STYLE_BYTES = 64;

function longestValueBytes(scenario: { context?: string | undefined; style?: string | undefined; variables: Record<string, string[]> }, own: Record<string, string[]>, placeholder: string): number {
  // An axis named like a reserved field wins, as it does in the planner.
  const values = Object.hasOwn(own, placeholder) ? own[placeholder] : Object.hasOwn(scenario.variables, placeholder) ? scenario.variables[placeholder] : undefined;
  if (values) return values.reduce((longest, value) => Math.max(longest, Buffer.byteLength(value)), 0);
  if (placeholder === 'context') return Buffer.byteLength(scenario.context ?? '');
  if (placeholder === 'style') return scenario.style === undefined ? DEFAULT_STYLE_BYTES : Buffer.byteLength(scenario.style);
  return 0;
}

export type Scenario = z.infer<typeof scenarioSchema>;
export type ImageSettings = z.infer<typeof imageSettingsSchema>;
export const DEFAULT_IMAGE_SETTINGS: ImageSettings = { aspectRatio: '1:1', imageSize: '1K' };
export type ScenarioCategory = Scenario['categories'][string];

export function placeholdersIn(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1] ?? '');
}

function isKnownPlaceholder(
  placeholder: string,
  shared: Record<string, string[]>,
  own: Record<string, string[]>,
): boolean {
  // Own properties only: `{constructor}` must not match Object.prototype.
  return (RESERVED_PLACEHOLDERS as readonly string[]).includes(placeholder) || Object.hasOwn(own, placeholder) || Object.hasOwn(shared, placeholder);
}

/** The axes a category's template actually uses, with the category's own values taking precedence. */
export function axesOf(scenario: Scenario, categoryName: string): Record<string, string[]> {
  const category = scenario.categories[categoryName];
  if (!category) throw new Error(`unknown category ${categoryName}`);
  const axes: Record<string, string[]> = Object.create(null);
  for (const placeholder of new Set(placeholdersIn(category.template))) {
    const values = Object.hasOwn(category.variables, placeholder) ? category.variables[placeholder] : Object.hasOwn(scenario.variables, placeholder) ? scenario.variables[placeholder] : undefined;
    if (values) axes[placeholder] = values;
  }
  return axes;
}

/** Fills the placeholders; the prompt starts with a capital even when the template starts with one. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  const text = template.replace(PLACEHOLDER, (_, name: string) => (Object.hasOwn(values, name) ? values[name] : '') ?? '').replace(/\s+/g, ' ').trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Every value of every axis, shared or a category's own. */
function valuesByAxis(scenario: Pick<Scenario, 'variables' | 'categories'>): Map<string, Set<string>> {
  const known = new Map<string, Set<string>>();
  const add = (variables: Record<string, string[]>) => {
    for (const [axis, values] of Object.entries(variables)) for (const value of values) (known.get(axis) ?? known.set(axis, new Set()).get(axis))?.add(value);
  };
  add(scenario.variables);
  for (const category of Object.values(scenario.categories)) add(category.variables);
  return known;
}

/** Rules and expectations must name real axes and values (a typo would silently do nothing), and no category may be excluded entirely. */
function checkRules(scenario: Omit<Scenario, 'exclude' | 'expectations'> & Partial<Pick<Scenario, 'exclude' | 'expectations'>>, ctx: z.RefinementCtx): void {
  const known = valuesByAxis(scenario);
  (scenario.exclude ?? []).forEach((rule, index) => {
    for (const [axis, values] of Object.entries(rule)) {
      const axisValues = known.get(axis);
      if (!axisValues) ctx.addIssue({ code: 'custom', path: ['exclude', index, axis], message: `unknown axis "${axis}"` });
      else for (const value of values.filter((v) => !axisValues.has(v))) ctx.addIssue({ code: 'custom', path: ['exclude', index, axis], message: `"${value}" is not a value of ${axis}` });
    }
  });
  const allValues = new Set([...known.values()].flatMap((values) => [...values]));
  for (const value of Object.keys(scenario.expectations ?? {})) {
    if (!allValues.has(value)) ctx.addIssue({ code: 'custom', path: ['expectations', value], message: `"${value}" is not a value of any axis` });
  }
  if (!scenario.exclude?.length) return;
  const rules = compileRules(scenario.exclude);
  for (const name of Object.keys(scenario.categories)) {
    const axes = axesOf(scenario as Scenario, name);
    if (!findAllowed(Object.entries(axes), rulesFor(axes, rules))) {
      ctx.addIssue({ code: 'custom', path: ['exclude'], message: `the exclusions leave category "${name}" no allowed combination` });
    }
  }
}
