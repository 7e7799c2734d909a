/**
 * `npm run bench:planner`: what validating and planning the costliest schema-valid scenarios
 * takes at 500 prompts, the most a run may have. Each figure is the median of 15 rounds after
 * a warm-up, in one process.
 *
 * - `largest`: the scenario at the 256 KiB inline limit (scripts/bench/largest-scenario.ts).
 * - `one dense category`: the same axes in a single category, so all 500 prompts share a
 *   512-combination space and the duplicate repair works hardest.
 * - `many axes`: the most placeholders a template may use (64), each a two-valued axis.
 * - `{context} ×100`: a template that would make 800 KB prompts; validation refuses it before
 *   anything is planned, booked or written.
 */
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { MAX_PROMPT_BYTES, MAX_TEMPLATE_AXES } from '../../functions/core/scenario/index.js';
import { planPrompts } from '../../functions/core/scenario/index.js';
import { parseRunRequest } from '../../functions/core/scenario/index.js';
import type { Scenario } from '../../functions/core/scenario/index.js';
import { builtinScenarios, DEFAULT_SCENARIO } from '../../functions/scenarios/index.js';
import { printFigures } from './figures.js';
import { largestScenario } from './largest-scenario.js';

const COUNT = 500;
const ROUNDS = 15;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Wall time, and this process's CPU time, which other work on a shared machine inflates less. */
function timed<T>(work: () => T): { ms: number; cpuMs: number; result: T } {
  let result = work();
  const samples: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    const startCpu = process.cpuUsage();
    result = work();
    const used = process.cpuUsage(startCpu);
    samples.push(performance.now() - start);
    cpu.push((used.user + used.system) / 1000);
  }
  return { ms: median(samples), cpuMs: median(cpu), result };
}

const figure = (t: { ms: number; cpuMs: number }) => `${t.ms.toFixed(1)} ms wall, ${t.cpuMs.toFixed(1)} ms CPU`;

/** The most placeholders a template may use, each a two-valued axis: the longest row the repair compares. */
function manyAxes(): Record<string, unknown> {
  const variables: Record<string, string[]> = {};
  const template: string[] = [];
  for (let axis = 0; axis < MAX_TEMPLATE_AXES; axis++) {
    variables[`a${axis}`] = ['x'.repeat(40), 'y'.repeat(40)];
    template.push(`{a${axis}}`);
  }
  return { name: 'many axes', variables, categories: { only: { template: template.join(' ') } } };
}

const validate = (scenario: unknown) => parseRunRequest({ count: COUNT, seed: 1, scenario }, builtinScenarios(), DEFAULT_SCENARIO);

function denseOf(scenario: Record<string, unknown>): Record<string, unknown> {
  const [first] = Object.values(scenario.categories as Record<string, unknown>);
  return { ...scenario, categories: { dense: first } };
}

const rows: Array<[string, string]> = [];
const cases: Array<[string, Record<string, unknown>]> = [
  ['largest', largestScenario()],
  ['one dense category', denseOf(largestScenario())],
  ['many axes', manyAxes()],
];
for (const [name, raw] of cases) {
  const bytes = Buffer.byteLength(JSON.stringify(raw));
  const validation = timed(() => validate(raw));
  if (!validation.result.ok) throw new Error(`${name}: ${validation.result.message}`);
  const scenario: Scenario = validation.result.value.scenario;
  const plan = timed(() => planPrompts(scenario, { count: COUNT, seed: 1 }));
  const promptBytes = plan.result.map((prompt) => Buffer.byteLength(prompt.prompt));
  const axes = new Set(Object.values(scenario.categories).flatMap((category) => Object.keys(category.variables))).size + Object.keys(scenario.variables).length;
  rows.push(
    [`${name}: scenario`, `${(bytes / 1024).toFixed(0)} KiB, ${Object.keys(scenario.categories).length} categories, ${axes} axes`],
    [`${name}: validate`, figure(validation)],
    [`${name}: plan ${COUNT} prompts`, figure(plan)],
    [`${name}: prompt text`, `${(promptBytes.reduce((a, b) => a + b, 0) / 1024 / 1024).toFixed(2)} MiB in all, longest ${Math.max(...promptBytes)} bytes (limit ${MAX_PROMPT_BYTES})`],
    [`${name}: distinct prompts`, `${new Set(plan.result.map((prompt) => prompt.prompt)).size} of ${COUNT}`],
  );
}
const repeated = { name: 'repeat', context: 'c'.repeat(8000), variables: { a: ['1', '2'] }, categories: { one: { template: `{a} ${'{context} '.repeat(100)}` } } };
const refused = timed(() => validate(repeated));
rows.push(['{context} ×100: validate', `${figure(refused)} → ${refused.result.ok ? 'accepted (!)' : `refused: ${refused.result.message.slice(0, 90)}…`}`]);
printFigures(`bench:planner (median of ${ROUNDS} rounds; load average ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} cores)`, rows);
