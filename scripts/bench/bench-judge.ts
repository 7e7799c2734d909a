/**
 * `npm run bench:judge [-- --count N --model M]`: the content judge's calls and cost per image,
 * against the fake Gemini API (test/support/fake-judge-server.ts) with the real @google/genai
 * adapter and the real assessor. Every storage event is delivered twice, as at-least-once
 * delivery may. Judge calls per image are counted on the wire, at the fake server. The token
 * figures are not measured: the fake computes its usageMetadata with the project's own token
 * formula, so they, and the dollars derived from them (functions/core/runs/pricing.ts), are
 * labelled "computed by the fake".
 */
import type { CloudEvent } from '@google-cloud/functions-framework';
import { parseArgs } from 'node:util';
import { createEmbeddedProvider } from '../../functions/adapters/embedded/embedded-provider.js';
import { GeminiJudge } from '../../functions/adapters/gemini/gemini-judge.js';
import { decodeImage } from '../../functions/adapters/image-decoder.js';
import { judgeImageOf } from '../../functions/adapters/judge-image.js';
import { MemoryImageBucket } from '../../functions/adapters/memory-bucket.js';
import { MemoryRunStore } from '../../functions/adapters/memory-store.js';
import { planPrompts } from '../../functions/core/scenario/index.js';
import { geminiImageTokens, IMAGE_MODEL_PRICES, JUDGE_MODEL_PRICES } from '../../functions/core/runs/index.js';
import { newPromptRecord, type RunRecord } from '../../functions/core/runs/index.js';
import { makeAssessHandler, type StorageObjectData } from '../../functions/handlers/assess.js';
import { builtinScenarios, DEFAULT_SCENARIO } from '../../functions/scenarios/index.js';
import { startFakeJudge } from '../../test/support/fake-judge-server.js';
import { printFigures } from './figures.js';

const { values } = parseArgs({ args: process.argv.slice(2), options: { count: { type: 'string' }, model: { type: 'string' } }, strict: true });
const count = Number(values.count ?? 40);
const model = values.model ?? 'gemini-2.5-flash';
if (!Number.isInteger(count) || count < 1 || count > 500) throw new Error('--count must be 1–500');

const fake = await startFakeJudge();
try {
  const scenario = builtinScenarios().get(DEFAULT_SCENARIO)!;
  const store = new MemoryRunStore();
  const bucket = new MemoryImageBucket();
  const planned = planPrompts(scenario, { count, seed: 1 });
  await store.createRun({ runId: 'bench', scenario, judge: 'gemini' } as unknown as RunRecord, planned.map((p) => newPromptRecord('bench', p)));
  const provider = createEmbeddedProvider();
  const silent = { info() {}, warn() {}, error() {} };
  const judge = new GeminiJudge({ model, credentials: { apiKey: fake.apiKey }, baseUrl: fake.url });
  const assess = makeAssessHandler({ store, bucket, decode: decodeImage, log: silent, judge: { judge, encode: judgeImageOf, leaseMs: 60_000, maxAttempts: 3 } });
  const started = Date.now();
  for (const prompt of planned) {
    const name = `runs/bench/${prompt.category}/${prompt.promptId}.png`;
    const { generation } = await bucket.writeIfAbsent(name, (await provider.generate(prompt)).png, {});
    const event: CloudEvent<StorageObjectData> = { specversion: '1.0', id: prompt.promptId, source: '//storage', type: 'google.cloud.storage.object.v1.finalized', data: { name, contentType: 'image/png', generation } };
    await Promise.allSettled([assess(event), assess(event)]);
  }
  const elapsed = Date.now() - started;
  const prompts = await store.listPrompts('bench');
  const usages = prompts.flatMap((p) => (p.judge?.usage ? [p.judge.usage] : []));
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
  const image = mean(usages.map((u) => u.imageTokens ?? 0));
  const text = mean(usages.map((u) => (u.promptTokens ?? 0) - (u.imageTokens ?? 0)));
  const output = mean(usages.map((u) => u.outputTokens ?? 0));
  const price = JUDGE_MODEL_PRICES[model];
  const usd = price ? ((image + text) * price.inputUsdPerMillion + output * price.outputUsdPerMillion) / 1e6 : null;
  const imageUsd = IMAGE_MODEL_PRICES['gemini-2.5-flash-image']?.usdPerImage ?? 0;
  printFigures(`bench:judge, ${count} built-in prompts, every event delivered twice, model ${model} (fake API; token figures computed by the fake)`, [
    ['images judged', `${prompts.filter((p) => p.judge?.status === 'judged').length} of ${count}`],
    ['judge calls per image (counted at the fake server)', (fake.calls() / count).toFixed(3)],
    ['image tokens per image (computed by the fake)', `${image.toFixed(0)} (384 px; the 1024 px original would be ${geminiImageTokens(1024, 1024)})`],
    ['text tokens per image, rubric (computed by the fake)', text.toFixed(0)],
    ['output tokens per image (computed by the fake)', output.toFixed(0)],
    ['$ per image at list price (from the computed tokens)', usd === null ? 'no price on record' : `${usd.toFixed(6)} (${((100 * usd) / imageUsd).toFixed(2)} % of a gemini-2.5-flash-image image)`],
    ['wall time', `${(elapsed / 1000).toFixed(1)} s (renders, decodes and loopback calls)`],
  ]);
} finally {
  await fake.close();
}
