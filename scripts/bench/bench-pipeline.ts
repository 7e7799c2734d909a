/**
 * `npm run bench:pipeline [-- --count N]`: end-to-end figures on the local stack.
 * Compares the pipeline's throughput with the bare renderer's on the same prompts, so
 * the pipeline's own overhead (Pub/Sub, Firestore, Storage, assessment) is visible.
 */
import { parseArgs } from 'node:util';
import { createEmbeddedProvider } from '../../functions/adapters/embedded/embedded-provider.js';
import { planPrompts } from '../../functions/core/scenario/index.js';
import { builtinScenarios, DEFAULT_SCENARIO } from '../../functions/scenarios/index.js';
import { ApiClient, followRun, imagesPerSecond } from '../client/index.js';
import { printFigures } from './figures.js';
import { stopOnSignals, startStack, type Stack } from '../stack/index.js';

const { values } = parseArgs({ options: { count: { type: 'string', default: '100' }, seed: { type: 'string', default: '2026' } } });
const count = Number(values.count);
const seed = Number(values.seed);

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const fmt = (ms: number): string => `${Math.round(ms)} ms`;

async function bareRenderer(): Promise<{ totalMs: number; perImageMs: number }> {
  const provider = createEmbeddedProvider();
  const prompts = planPrompts(builtinScenarios().get(DEFAULT_SCENARIO)!, { count, seed });
  const started = performance.now();
  // Two at a time, as the machine has two cores and the generator renders concurrently too.
  const queue = [...prompts];
  await Promise.all([0, 1].map(async () => {
    for (let p = queue.shift(); p; p = queue.shift()) await provider.generate({ prompt: p.prompt, category: p.category, variables: p.variables, seed: p.seed });
  }));
  const totalMs = performance.now() - started;
  return { totalMs, perImageMs: totalMs / count };
}

let stack: Stack | undefined;
stopOnSignals(async () => stack?.stop());
try {
  const bootStarted = performance.now();
  stack = await startStack({ log: (line) => console.error(line) });
  const bootMs = performance.now() - bootStarted;
  const api = new ApiClient(stack.apiUrl, stack.instructorToken);

  const started = performance.now();
  const created = await api.createRun({ count, seed });
  const acceptedMs = performance.now() - started;
  const status = await followRun(api, created.runId, { pollMs: 100 });
  const wallMs = performance.now() - started;
  const { prompts } = await api.getPrompts(created.runId);

  const createdAt = Date.parse(status.createdAt);
  const renders = prompts.map((p) => p.renderMs ?? 0).sort((a, b) => a - b);
  const latencies = prompts.filter((p) => p.assessedAt).map((p) => Date.parse(p.assessedAt as string) - createdAt).sort((a, b) => a - b);
  const renderSum = renders.reduce((a, b) => a + b, 0);
  const bare = await bareRenderer();

  const rows: Array<[string, string]> = [
    ['images', `${status.counts.assessed} assessed, ${status.counts.failed} failed of ${count}`],
    ['stack boot', fmt(bootMs)],
    ['POST /v1/runs (plan, record, publish)', fmt(acceptedMs)],
    ['wall time, request → all assessed', fmt(wallMs)],
    ['throughput', imagesPerSecond(status.counts.assessed, wallMs)],
    ['render time per image (in generator)', `mean ${fmt(renderSum / count)}, p50 ${fmt(percentile(renders, 50))}, p95 ${fmt(percentile(renders, 95))}`],
    ['render time, summed', `${(renderSum / 1000).toFixed(1)} s`],
    ['latency per image, request → assessed', `p50 ${fmt(percentile(latencies, 50))}, p95 ${fmt(percentile(latencies, 95))}, max ${fmt(latencies.at(-1) ?? NaN)}`],
    ['bare renderer, same prompts, 2 at a time', `${fmt(bare.totalMs)} (${imagesPerSecond(count, bare.totalMs)})`],
    ['pipeline overhead over the bare renderer', `${fmt(wallMs - bare.totalMs)} (${(((wallMs - bare.totalMs) / wallMs) * 100).toFixed(0)} % of wall time)`],
  ];
  printFigures(`bench:pipeline, ${count} images, seed ${seed}`, rows);
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await stack?.stop();
}
