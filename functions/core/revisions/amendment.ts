/**
 * Amending a scenario for a revision, and the revision's prompts. An amendment is validated as a
 * scenario is, by the same schema, so its errors are the scenario's, named by the amendment's field.
 */
import { closestName, compileRules, DEFAULT_STYLE, fillTemplate, hashString, isExcluded, placeholdersIn, scenarioSchema, fieldIssues, type FieldIssue, type Scenario } from '../scenario/index.js';
import type { Amendment } from '../runs/index.js';

export type AmendResult = { ok: true; scenario: Scenario } | { ok: false; message: string; fields: FieldIssue[] };

/** A slot as the revision needs it: its plan position and values, which no amendment changes. */
export interface Slot {
  promptId: string;
  index: number;
  category: string;
  variables: Record<string, string>;
}

const failure = (fields: FieldIssue[]): AmendResult => ({ ok: false, fields, message: fields.map((f) => `${f.field}: ${f.message}`).join('; ') });

/**
 * The scenario with the amendment applied: templates replaced, the appended text at the end of
 * every template, the exclusions added. Checked by the scenario schema, and against the slots:
 * a slot keeps its values, so a new exclusion may not cover one, nor a template ask for an axis it lacks.
 */
export function amendScenario(scenario: Scenario, amend: Amendment | undefined, slots: readonly Slot[]): AmendResult {
  if (!amend) return { ok: true, scenario };
  const templates = new Map(Object.entries(amend.templates ?? {}));
  const unknown = [...templates.keys()].filter((name) => !Object.hasOwn(scenario.categories, name));
  if (unknown.length > 0) {
    return failure(
      unknown.map((name) => {
        const suggestion = closestName(name, Object.keys(scenario.categories));
        return { field: `amend.templates.${name}`, message: `"${name}" is not a category of scenario "${scenario.name}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`, ...(suggestion ? { suggestion } : {}) };
      }),
    );
  }
  const categories: Scenario['categories'] = Object.create(null);
  for (const [name, category] of Object.entries(scenario.categories)) {
    const template = templates.get(name) ?? category.template;
    categories[name] = { ...category, template: amend.append ? `${template} ${amend.append}` : template };
  }
  const base = scenario.exclude ?? [];
  const candidate = { ...scenario, categories: { ...categories }, ...(amend.exclude?.length ? { exclude: [...base, ...amend.exclude] } : {}) };
  const parsed = scenarioSchema.safeParse(candidate);
  if (!parsed.success) {
    // An appended text too long for every category is one mistake: the first issue of each field is enough.
    const issues = fieldIssues(parsed.error).map((issue) => ({ ...issue, field: amendField(issue.field, templates, base.length, amend) }));
    return failure(issues.filter((issue, i) => issues.findIndex((other) => other.field === issue.field) === i));
  }
  return checkSlots(parsed.data, slots, templates, base.length);
}

/** The amendment's field that caused a scenario error: the scenario was valid before it. */
function amendField(field: string, templates: ReadonlyMap<string, string>, baseRules: number, amend: Amendment): string {
  const parts = field.split('.');
  if (parts[0] === 'categories' && parts[2] === 'template') return templates.has(parts[1] ?? '') ? `amend.templates.${parts[1]}` : amend.append !== undefined ? 'amend.append' : 'amend';
  if (parts[0] === 'exclude') return parts.length > 1 && Number(parts[1]) >= baseRules ? ['amend', 'exclude', String(Number(parts[1]) - baseRules), ...parts.slice(2)].join('.') : 'amend.exclude';
  return 'amend';
}

function checkSlots(scenario: Scenario, slots: readonly Slot[], templates: ReadonlyMap<string, string>, baseRules: number): AmendResult {
  const fields: FieldIssue[] = [];
  const added = compileRules((scenario.exclude ?? []).slice(baseRules));
  const covered = slots.filter((slot) => isExcluded(slot.variables, added));
  if (covered.length > 0) {
    const example = covered[0] as Slot;
    const values = Object.entries(example.variables).map(([axis, value]) => `${axis}=${value}`).join(', ');
    fields.push({ field: 'amend.exclude', message: `the new exclusions cover ${covered.length} selected slot(s), such as ${example.promptId} (${values}); a revision keeps each slot's values, so its prompts would contradict the exclusions` });
  }
  for (const [name, template] of templates) {
    const slot = slots.find((candidate) => candidate.category === name);
    if (!slot) continue;
    const missing = [...new Set(placeholdersIn(template))].filter((p) => p !== 'context' && p !== 'style' && !Object.hasOwn(slot.variables, p));
    if (missing.length > 0) fields.push({ field: `amend.templates.${name}`, message: `${missing.map((p) => `{${p}}`).join(', ')} is not a variable of the original prompts; a revision keeps each slot's values, so a new template may use only ${Object.keys(slot.variables).map((p) => `{${p}}`).join(', ')}, {context} and {style}` });
  }
  return fields.length > 0 ? failure(fields) : { ok: true, scenario };
}

/** A regenerated prompt: the slot's values in the (amended) template, with a seed of its own so the image is new. */
export function revisionPrompt(scenario: Scenario, slot: Slot, revisionSeed: number) {
  const template = scenario.categories[slot.category]?.template ?? '';
  const values: Record<string, string> = Object.create(null);
  Object.assign(values, { context: scenario.context ?? '', style: scenario.style ?? DEFAULT_STYLE }, slot.variables);
  return {
    promptId: slot.promptId,
    index: slot.index,
    category: slot.category,
    prompt: fillTemplate(template, values),
    variables: slot.variables,
    seed: hashString(`${revisionSeed}:${slot.promptId}`),
  };
}

/** A revision's seed: derived from the run it revises and its number, so a retried request plans the same prompts. */
export const revisionSeed = (parentSeed: number, number: number): number => hashString(`${parentSeed}:revision:${number}`);
