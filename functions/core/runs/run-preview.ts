/**
 * What a run would be, before anything is spent: the planned prompts, how evenly they cover the
 * categories and every axis, and what they would cost. Pure; POST /v1/runs:preview answers with it.
 */
import { planPrompts } from '../scenario/index.js';
import { estimateRunCost, referenceInputOf, type CostEstimate } from './pricing.js';
import { balanceOf, type Balance } from '../quality/index.js';
import type { RunRequest } from '../scenario/index.js';

export interface RunPreview {
  planned: number;
  seed: number;
  prompts: Array<{ promptId: string; category: string; prompt: string; variables: Record<string, string>; referenceIds?: string[] }>;
  balance: { categories: Balance; axes: Record<string, Balance> };
  costEstimate: CostEstimate;
}

/** The seed must be fixed by the caller, so that starting the run with it plans exactly these prompts. */
/**
 * `judgeModel` is the judge's model when the run will be judged, so the estimate includes its calls;
 * `referenceTokens` each named reference's input tokens, so it includes theirs.
 */
export function previewRun(request: RunRequest & { seed: number }, model: string, judgeModel: string | null = null, referenceTokens: ReadonlyMap<string, number> = new Map()): RunPreview {
  const { scenario, count, seed, categories, references } = request;
  const planned = planPrompts(scenario, { count, seed, ...(categories ? { categories } : {}), ...(references ? { references } : {}) });
  const axes = [...new Set(planned.flatMap((prompt) => Object.keys(prompt.variables)))].sort();
  return {
    planned: planned.length,
    seed,
    prompts: planned.map(({ promptId, category, prompt, variables, referenceIds }) => ({ promptId, category, prompt, variables, ...(referenceIds ? { referenceIds } : {}) })),
    balance: {
      categories: balanceOf(planned.map((prompt) => prompt.category)),
      axes: Object.fromEntries(axes.map((axis) => [axis, balanceOf(planned.flatMap((prompt) => (Object.hasOwn(prompt.variables, axis) ? [prompt.variables[axis] as string] : [])))])),
    },
    costEstimate: estimateRunCost(model, planned.length, judgeModel, referenceInputOf(planned, referenceTokens)),
  };
}
