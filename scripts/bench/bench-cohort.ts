/**
 * `npm run bench:cohort [-- --participants 30 --images 20]`: a workshop's minute on the local
 * stack. It creates the participants, starts one run each at the same moment, polls every run
 * every 2 s as the gallery does until all are complete, then opens each participant's gallery
 * (the calls the gallery page makes, plus every thumbnail) twice, then every participant
 * downloads their dataset.zip at once. The api under load is the real handler in a process of
 * its own whose Firestore calls are metered on the wire (scripts/bench/firestore-meter.ts) and
 * whose CPU time and peak memory are sampled between phases. It is reached through a limit
 * relay holding it to the api's shape in infra/shape.json, so the platform's 429s and 504s
 * show up as they would deployed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CohortTraffic, latencyRows } from './cohort-client.js';
import type { MeterSample } from './metered-api.js';
import { printFigures } from './figures.js';
import { projectRoot } from '../lib/index.js';
import { freePort, stopOnSignals, startStack, type Stack } from '../stack/index.js';
import { DEFAULT_QUEUE_SECONDS } from '../stack/stack.js';
import { startLimitRelay, type LimitRelay } from '../stack/limit-relay.js';
import { describeShape, loadShape } from '../stack/shape.js';

const { values } = parseArgs({
  // --shape FILE: hold the api to another shape file's api entry (e.g. an earlier infra/shape.json), for a before/after.
  options: { participants: { type: 'string', default: '30' }, images: { type: 'string', default: '20' }, seed: { type: 'string', default: '2026' }, shape: { type: 'string' } },
});
const participantCount = Number(values.participants);
const images = Number(values.images);
const seed = Number(values.seed);
if (![participantCount, images, seed].every((n) => Number.isInteger(n) && n > 0) || images > 100) {
  console.error('usage: npm run bench:cohort [-- --participants N --images N (≤ 100) --seed N --shape FILE]');
  process.exit(2);
}
const POLL_MS = 2000;
const THUMBS_AT_ONCE = 6; // as the gallery fetches them
const PAGE_LIMIT = 1000; // pages followed per list, a guard against a cursor that never ends

interface Participant {
  id: string;
  token: string;
  runId: string;
  etags: Map<string, string>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startMeteredApi(stack: Stack): Promise<{ url: string; child: ChildProcess; sample: () => Promise<MeterSample> }> {
  const port = await freePort();
  const child = fork(join(projectRoot, 'dist', 'scripts', 'bench', 'metered-api.js'), {
    env: { ...process.env, ...stack.clientEnv, IMAGE_BUCKET: stack.bucket, GENERATION_TOPIC: stack.generationTopic, INSTRUCTOR_TOKEN: stack.instructorToken, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the metered api exited with code ${code}`)));
    child.on('message', (message: { type?: string }) => message.type === 'listening' && resolve());
  });
  const sample = () =>
    new Promise<MeterSample>((resolve) => {
      const onMessage = (message: { type?: string; sample?: MeterSample }) => {
        if (message.type !== 'sample' || !message.sample) return;
        child.off('message', onMessage);
        resolve(message.sample);
      };
      child.on('message', onMessage);
      child.send({ type: 'sample' });
    });
  return { url: `http://127.0.0.1:${port}`, child, sample };
}

/** Follows `nextPageToken` until the list ends; a server without pages answers in one. */
async function allPages<T>(traffic: CohortTraffic, token: string, path: string, key: string): Promise<T[]> {
  const items: T[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < PAGE_LIMIT; page++) {
    const separator = path.includes('?') ? '&' : '?';
    const answer = await traffic.tryJson<Record<string, unknown>>(token, 'GET', pageToken ? `${path}${separator}pageToken=${encodeURIComponent(pageToken)}` : path);
    if (answer === null) return items;
    items.push(...((answer[key] as T[]) ?? []));
    pageToken = answer.nextPageToken as string | undefined;
    if (!pageToken) return items;
  }
  throw new Error(`${path} gave more than ${PAGE_LIMIT} pages`);
}

/** What the gallery page requests when a participant signs in and opens their run. */
async function openGallery(traffic: CohortTraffic, participant: Participant): Promise<number> {
  const { token, runId, etags } = participant;
  await traffic.tryJson(token, 'GET', '/v1/me');
  await allPages(traffic, token, '/v1/runs', 'runs');
  await traffic.tryJson(token, 'GET', `/v1/runs/${runId}`);
  const prompts = await allPages<{ promptId: string; status: string }>(traffic, token, `/v1/runs/${runId}/prompts`, 'prompts');
  const queue = prompts.filter((p) => p.status === 'assessed' || p.status === 'generated').map((p) => p.promptId);
  const shown = queue.length;
  await Promise.all(Array.from({ length: THUMBS_AT_ONCE }, async () => {
    for (let promptId = queue.shift(); promptId; promptId = queue.shift()) {
      await traffic.request(token, 'GET', `/v1/runs/${runId}/images/${promptId}?size=thumb`, { etags });
    }
  }));
  return shown;
}

const delta = (after: MeterSample, before: MeterSample) => ({ reads: after.reads - before.reads, writes: after.writes - before.writes, cpuMs: after.cpuMs - before.cpuMs });
const per = (value: number, n: number, digits = 1) => (n > 0 ? (value / n).toFixed(digits) : 'n/a');

let stack: Stack | undefined;
let api: ChildProcess | undefined;
let limit: LimitRelay | undefined;
stopOnSignals(async () => {
  api?.kill();
  await limit?.stop();
  await stack?.stop();
});
try {
  stack = await startStack({ log: (line) => console.error(line) });
  const metered = await startMeteredApi(stack);
  api = metered.child;
  const shape = values.shape ? loadShape(values.shape).api : stack.shape.api;
  limit = await startLimitRelay({
    name: 'api', targetOrigin: metered.url, concurrency: shape.max_instances * shape.requests_per_instance,
    timeoutMs: shape.timeout_seconds * 1000, queueMs: DEFAULT_QUEUE_SECONDS * 1000,
  });
  const traffic = new CohortTraffic(limit.url);
  const instructor = stack.instructorToken;

  console.error(`creating ${participantCount} participants…`);
  const { participants: created } = await traffic.json<{ participants: Array<{ id: string; token: string }> }>(instructor, 'POST', '/v1/participants:batchCreate', {
    participants: Array.from({ length: participantCount }, (_, i) => ({ name: `participant ${i + 1}` })),
  });

  console.error(`starting ${participantCount} runs of ${images} images at once…`);
  const beforeStart = await metered.sample();
  const started = performance.now();
  const cohort: Participant[] = await Promise.all(created.map(async ({ id, token }, i) => {
    // A platform 429 never reached the function, so the start is sent again, as a person would press it again.
    for (let attempt = 1; ; attempt++) {
      const answer = await traffic.request(token, 'POST', '/v1/runs', { body: { count: images, seed: seed + i } });
      if (answer.status === 202) return { id, token, runId: (answer.body as { runId: string }).runId, etags: new Map<string, string>() };
      if (answer.status !== 429 || attempt >= 20) throw new Error(`POST /v1/runs answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      await sleep(1000);
    }
  }));
  const afterStart = await metered.sample();

  let polls = 0;
  let runningPolls = 0;
  let lastCompleted = 0;
  await Promise.all(cohort.map(async ({ token, runId }) => {
    for (;;) {
      const tick = performance.now();
      const status = await traffic.tryJson<{ state: string }>(token, 'GET', `/v1/runs/${runId}`);
      polls += 1;
      if (status?.state === 'completed') {
        lastCompleted = Math.max(lastCompleted, performance.now());
        return;
      }
      runningPolls += 1;
      await sleep(Math.max(0, POLL_MS - (performance.now() - tick)));
    }
  }));
  const wallMs = lastCompleted - started;
  const afterPolls = await metered.sample();
  console.error(`all runs completed in ${(wallMs / 1000).toFixed(1)} s; reading completed runs and opening galleries…`);

  for (const { token, runId } of cohort) await traffic.tryJson(token, 'GET', `/v1/runs/${runId}`);
  const afterDonePolls = await metered.sample();

  const opens: Array<{ reads: number; writes: number; cpuMs: number; thumbs: number }> = [];
  for (let round = 0; round < 2; round++) {
    const before = await metered.sample();
    const shown = await Promise.all(cohort.map((participant) => openGallery(traffic, participant)));
    opens.push({ ...delta(await metered.sample(), before), thumbs: shown.reduce((a, b) => a + b, 0) });
  }

  const beforeZips = await metered.sample();
  const zipStarted = performance.now();
  const zips = await Promise.all(cohort.map(async ({ token, runId }) => (await traffic.request(token, 'GET', `/v1/runs/${runId}/dataset.zip`, { discardBody: true })).bytes));
  const zipWallMs = performance.now() - zipStarted;
  const zipping = delta(await metered.sample(), beforeZips);
  const peak = await metered.sample();

  const start = delta(afterStart, beforeStart);
  const polling = delta(afterPolls, afterStart);
  const done = delta(afterDonePolls, afterPolls);
  const n = participantCount;
  const rows: Array<[string, string]> = [
    ['cohort', `${n} participants × ${images} images, one run each, polled every ${POLL_MS} ms`],
    ['wall time, runs started → all completed', `${(wallMs / 1000).toFixed(1)} s`],
    ['api shape enforced', `${describeShape('api', shape)}, a request waits up to ${DEFAULT_QUEUE_SECONDS} s for a slot`],
    ['answers by status', [...traffic.statuses.entries()].sort(([a], [b]) => a - b).map(([status, count]) => `${status}: ${count}`).join(', ')],
    ['refused or cut off by the platform (429/504)', `${traffic.platformRefusals} (${limit.counts().refused} refused, ${limit.counts().timedOut} timed out; peak ${limit.counts().peakConcurrency} requests at once)`],
    ['non-2xx answers', traffic.unexpected.length === 0 ? 'none' : `${traffic.unexpected.length}: ${traffic.unexpected.slice(0, 5).join(' | ')}`],
    ['304 Not Modified (revalidated thumbnails)', String(traffic.notModified)],
    ['POST /v1/runs, per run', `${per(start.reads, n)} reads, ${per(start.writes, n)} writes, ${per(start.cpuMs, n, 0)} ms api CPU`],
    ['poll of a running run', `${polls} polls (${runningPolls} while running): ${per(polling.reads, polls)} reads, ${per(polling.writes, polls)} writes, ${per(polling.cpuMs, polls, 1)} ms api CPU each`],
    ['poll of a completed run', `${per(done.reads, n)} reads, ${per(done.writes, n)} writes, ${per(done.cpuMs, n, 1)} ms api CPU each`],
    ...opens.map((open, i): [string, string] => [
      `gallery open #${i + 1} (list + ${per(open.thumbs, n, 0)} thumbnails)`,
      `${per(open.reads, n)} reads, ${per(open.writes, n)} writes, ${(open.cpuMs / 1000 / n).toFixed(3)} api CPU-s each (${(open.cpuMs / 1000).toFixed(1)} CPU-s for the cohort)`,
    ]),
    [`dataset.zip, ${n} at once`, `${(zips.reduce((a, b) => a + b, 0) / n / 1024 / 1024).toFixed(1)} MiB each, all done in ${(zipWallMs / 1000).toFixed(1)} s, ${(zipping.cpuMs / 1000).toFixed(1)} api CPU-s`],
    ['api peak resident memory (one process serving every instance)', `${(peak.peakRssBytes / 1024 / 1024).toFixed(0)} MiB`],
    ...latencyRows(traffic.latencies),
  ];
  printFigures(`bench:cohort, ${n} participants × ${images} images, seed ${seed}`, rows);
  if (traffic.unexpected.length > 0) process.exitCode = 1;
} catch (error) {
  console.error(`error: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
} finally {
  api?.kill();
  await limit?.stop();
  await stack?.stop();
}
