/**
 * `npm run bench:zip [-- --count N --size 1K|2K]`: the api's memory while it streams a large run's dataset.zip.
 * A run of N assessed images (500 by default, photo-like 1024×1024 PNGs of about 3 MiB, or 2048×2048 with --size 2K) is written straight
 * into the emulators, under object names the assessor ignores, so no CPU goes to generating them.
 * The zip is then downloaded through the api while its resident memory is sampled every 50 ms.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Firestore } from '@google-cloud/firestore';
import { Storage } from '@google-cloud/storage';
import sharp from 'sharp';
import { FirestoreRunStore } from '../../functions/adapters/firestore-store.js';
import { decodeImage } from '../../functions/adapters/image-decoder.js';
import { computeMetrics } from '../../functions/core/quality/index.js';
import { planPrompts } from '../../functions/core/scenario/index.js';
import { estimateCost } from '../../functions/core/runs/index.js';
import { newPromptRecord, type RunRecord } from '../../functions/core/runs/index.js';
import { builtinScenarios, DEFAULT_SCENARIO } from '../../functions/scenarios/index.js';
import { printFigures } from './figures.js';
import { stopOnSignals, startStack, type Stack } from '../stack/index.js';

const { values } = parseArgs({ options: { count: { type: 'string', default: '500' }, size: { type: 'string', default: '1K' } } });
const count = Number(values.count);
const imageSize = values.size === '2K' ? '2K' : '1K';
const side = imageSize === '2K' ? 2048 : 1024;
const DISTINCT = 10;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** A side×side PNG of smooth gradients under fine noise: compresses about as badly as a photograph. */
async function photoLike(seed: number): Promise<Buffer> {
  const size = side;
  const pixels = Buffer.alloc(size * size * 3);
  let state = seed * 2654435761;
  for (let i = 0; i < pixels.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    const base = ((i / 3) % size) / 4 + Math.floor(i / 3 / size) / 8 + (i % 3) * 40;
    pixels[i] = (base + (state >>> 27)) & 255;
  }
  return sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer();
}

/** The process listening on the api's port, from `ss`. */
function pidOnPort(port: string): number {
  const line = execFileSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
  const match = /pid=(\d+)/.exec(line);
  if (!match) throw new Error(`no process found listening on port ${port}: ${line}`);
  return Number(match[1]);
}

const memoryOf = (pid: number, field: 'VmRSS' | 'VmHWM'): number => {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? NaN) * 1024;
};

let stack: Stack | undefined;
stopOnSignals(async () => stack?.stop());
try {
  stack = await startStack({ log: (line) => console.error(line) });
  Object.assign(process.env, stack.clientEnv);
  const firestore = new Firestore({ projectId: stack.projectId, ignoreUndefinedProperties: true });
  const bucket = new Storage({ projectId: stack.projectId, apiEndpoint: stack.clientEnv.STORAGE_API_ENDPOINT }).bucket(stack.bucket);
  const store = new FirestoreRunStore(firestore);

  console.error(`writing ${count} images and their records…`);
  const images = await Promise.all(Array.from({ length: DISTINCT }, (_, i) => photoLike(i + 1)));
  const metrics = await Promise.all(images.map(async (png) => computeMetrics(await decodeImage(png))));
  const scenario = builtinScenarios().get(DEFAULT_SCENARIO)!;
  const runId = `bench-zip-${Date.now()}`;
  const planned = planPrompts(scenario, { count, seed: 1 });
  const now = new Date().toISOString();
  const prompts = planned.map((prompt, i) => ({
    ...newPromptRecord(runId, prompt),
    status: 'assessed' as const,
    // Outside runs/, so the assessor leaves these objects alone.
    objectName: `bench/${runId}/${prompt.promptId}.png`,
    objectGeneration: '1',
    model: 'embedded-procedural-v1',
    generatedAt: now,
    assessedAt: now,
    metrics: metrics[i % DISTINCT]!,
  }));
  const queue = [...prompts.entries()];
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (let item = queue.shift(); item; item = queue.shift()) await bucket.file(item[1].objectName).save(images[item[0] % DISTINCT]!, { resumable: false, validation: false, contentType: 'image/png' });
  }));
  const run: RunRecord = { runId, scenario, count, seed: 1, categories: Object.keys(scenario.categories), provider: 'embedded', model: 'embedded-procedural-v1', createdAt: now, state: 'accepted', owner: 'instructor', image: { aspectRatio: '1:1', imageSize }, costEstimate: estimateCost('embedded-procedural-v1', count) };
  await store.createRun(run, prompts);

  const pid = pidOnPort(new URL(stack.apiUrl).port);
  const before = memoryOf(pid, 'VmRSS');
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, memoryOf(pid, 'VmRSS'))), 50);
  const started = performance.now();
  const response = await fetch(`${stack.apiUrl}/v1/runs/${runId}/dataset.zip`, { headers: { Authorization: `Bearer ${stack.instructorToken}` } });
  if (!response.ok || !response.body) throw new Error(`dataset.zip answered ${response.status}: ${await response.text()}`);
  let bytes = 0;
  for await (const chunk of response.body) bytes += (chunk as Uint8Array).byteLength;
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, memoryOf(pid, 'VmRSS'));

  const imageBytes = prompts.reduce((total, _, i) => total + images[i % DISTINCT]!.length, 0);
  printFigures(`bench:zip, ${count} images at ${imageSize}`, [
    ['images in the zip', `${count}, ${mib(imageBytes)} of PNG (mean ${mib(imageBytes / count)})`],
    ['zip size', mib(bytes)],
    ['download time', `${seconds.toFixed(1)} s (${mib(bytes / seconds)}/s)`],
    ['api resident memory before', mib(before)],
    ['api resident memory, peak while zipping', `${mib(peak)} (limit 256 MiB: ${peak < 256 * 1024 * 1024 ? 'under' : 'OVER'})`],
    ['growth while zipping', mib(peak - before)],
  ]);
  if (peak >= 256 * 1024 * 1024) process.exitCode = 1;
} catch (error) {
  console.error(`error: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
} finally {
  await stack?.stop();
}
