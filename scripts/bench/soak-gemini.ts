/**
 * `npm run soak:gemini [-- --seeds N --count N --store-seeds N]`: the fault soak. One local stack
 * with the gemini provider and the judge on, a fake Gemini API that fails about one prompt in five
 * (429 with RetryInfo, 429 without it, 503 once or twice, answers slower than the push
 * acknowledgement deadline) plus a burst of four 429s in a row, as a shared quota gives, and fails
 * about one judge call in five likewise (429 with RetryInfo, 503, slow); N seeds × two scenarios
 * (the built-in one and a small second one). A second phase runs the paid-call soak (store,
 * bucket and limiter faults at every call site, paid-call-soak.ts) over --store-seeds seeds.
 * Prints per-run figures and exits 1 when a faulted prompt is not asked again within the bound,
 * or a prompt or an image is paid twice.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { backoffMs } from '../../functions/handlers/generate.js';
import { startFakeGeminiApi, type FakeGeminiApi } from '../../test/support/fake-gemini-api.js';
import type { JudgeFault } from '../../test/support/fake-judge-server.js';
import { ApiClient, followRun, RunStalledError } from '../client/index.js';
import { printFigures } from './figures.js';
import { faultFor, quotaBurst, runFigures, violations, type CallRecord, type RunFigures } from './soak-faults.js';
import { paidCallRows, runPaidCallSoak } from './paid-call-soak.js';
import { projectRoot } from '../lib/index.js';
import { stopOnSignals, startStack, type Stack } from '../stack/index.js';

const RETRY_INFO_S = 2;
const SLOW_MS = 12_000;
const ACK_DEADLINE_S = 10;
/**
 * The longest a nacked delivery may wait for its redelivery. The stack redelivers 1 s after a
 * nack, once one of the emulator's two push slots for the subscription is free; two slow answers
 * can hold both for SLOW_MS (seen: 12.6–13.0 s waits with a 10 s allowance).
 */
const MAX_REDELIVERY_MS = SLOW_MS + 2000;
const STALL_MS = 90_000;
/** Prompts per seed in the store-fault phase, as `soak:paid-calls` runs by default. */
const STORE_FAULT_PROMPTS = 24;

const SECOND_SCENARIO = {
  name: 'Harbour market day (soak scenario)',
  style: 'documentary photograph, natural light',
  variables: {
    place: ['the fish market on the quay', 'a covered produce hall', 'the square by the ferry terminal', 'a street of stalls under awnings'],
    time: ['at dawn', 'at midday', 'in the late afternoon', 'at dusk'],
    weather: ['in light rain', 'under a clear sky', 'in sea fog', 'on a windy day'],
  },
  categories: {
    traders: { template: 'Fictional traders setting out their goods at {place} {time} {weather}. Style: {style}.' },
    shoppers: { template: 'Fictional shoppers of varied ages browsing at {place} {time} {weather}. Style: {style}.' },
  },
};

const { values } = parseArgs({ options: { seeds: { type: 'string', default: '3' }, count: { type: 'string', default: '24' }, 'store-seeds': { type: 'string', default: '20' } } });
const seeds = Number(values.seeds);
const count = Number(values.count);
const storeSeeds = Number(values['store-seeds']);
if (!Number.isInteger(seeds) || seeds < 1 || !Number.isInteger(count) || count < 1 || count > 100 || !Number.isInteger(storeSeeds) || storeSeeds < 0) {
  console.error('error: --seeds must be a positive integer, --count 1–100 and --store-seeds 0 or more');
  process.exit(2);
}

let stack: Stack | undefined;
let fake: FakeGeminiApi | undefined;
stopOnSignals(async () => {
  await stack?.stop();
  await fake?.close();
});

let currentSeed = 0;
let calls: CallRecord[] = [];
let judgeCalls: CallRecord[] = [];
let firstCalls = 0;
const callNumber = new Map<string, number>();
const problems: string[] = [];
const rows: Array<[string, string]> = [];
const quiet = { update() {}, finish() {} };
const totals = { runs: 0, delivered: 0, faults: 0, faultedPrompts: 0, reAsked: 0, neverReAsked: 0, longestWaitMs: 0, calls: 0, images: 0, billedTwice: 0, judgeFaults: 0, paidVerdicts: 0, judged: 0, verdictsBilledTwice: 0 };

/** The judge's faults, drawn apart from the image's: a 429 always carries RetryInfo here, slow answers take SLOW_MS. */
function judgeFaultFor(seed: number, rubric: string, call: number): JudgeFault | null {
  const plan = faultFor(seed, `judge\n${rubric}`);
  const failing = plan && plan.kind !== 'slow' && call <= plan.failingCalls ? (plan.kind === '503' ? '503' : '429') : null;
  judgeCalls.push({ prompt: rubric, at: Date.now(), fault: failing });
  return failing ?? (plan?.kind === 'slow' && call === 1 ? 'slow' : null);
}

try {
  fake = await startFakeGeminiApi({ judge: { retryDelay: `${RETRY_INFO_S}s`, slowMs: SLOW_MS, faultFor: (rubric, call) => judgeFaultFor(currentSeed, rubric, call) }, images: {
    retryDelay: `${RETRY_INFO_S}s`,
    slowMs: SLOW_MS,
    faultFor: (prompt) => {
      const call = (callNumber.get(prompt) ?? 0) + 1;
      callNumber.set(prompt, call);
      const firstCall = call === 1 ? ++firstCalls : 0;
      const burst = quotaBurst(currentSeed);
      const inBurst = firstCall >= burst.start && firstCall < burst.start + burst.length;
      const plan = inBurst ? { kind: '429' as const, failingCalls: 1 } : faultFor(currentSeed, prompt);
      const failing = plan && plan.kind !== 'slow' && call <= plan.failingCalls ? plan.kind : null;
      calls.push({ prompt, at: Date.now(), fault: failing });
      return failing ?? (plan?.kind === 'slow' && call === 1 ? 'slow' : null);
    },
  } });
  stack = await startStack({
    provider: 'gemini',
    logDir: join(projectRoot, '.stack-logs', 'soak-gemini'),
    pushAckDeadlineSeconds: ACK_DEADLINE_S,
    functionEnv: { GEMINI_API_KEY: fake.apiKey, GOOGLE_GEMINI_BASE_URL: fake.url, GEMINI_RATE_LIMIT_RPM: '600', GEMINI_TIMEOUT_SECONDS: '30', JUDGE: 'gemini', JUDGE_RATE_LIMIT_RPM: '600' },
    log: (line) => console.error(line),
  });
  const api = new ApiClient(stack.apiUrl, stack.instructorToken);
  for (let seed = 1; seed <= seeds; seed++) {
    for (const [label, scenario] of [['built-in', undefined], ['harbour', SECOND_SCENARIO]] as const) {
      currentSeed = seed;
      calls = [];
      judgeCalls = [];
      callNumber.clear();
      firstCalls = 0;
      const started = Date.now();
      const created = await api.createRun({ count, seed, judge: 'gemini', ...(scenario ? { scenario } : {}) });
      let stalled = '';
      let delivered = 0;
      try {
        delivered = (await followRun(api, created.runId, { stallTimeoutMs: STALL_MS, pollMs: 500, progress: quiet })).counts.assessed;
      } catch (error) {
        if (!(error instanceof RunStalledError)) throw error;
        stalled = error.message;
        delivered = (await api.getRun(created.runId)).counts.assessed;
      }
      const figures = runFigures(calls, { retryInfoMs: RETRY_INFO_S * 1000, backoffMs, maxRedeliveryMs: MAX_REDELIVERY_MS });
      // The judge's waits are not bounded here (its events come back through the storage relay's own backoff): only what was paid.
      const judging = runFigures(judgeCalls, { retryInfoMs: RETRY_INFO_S * 1000, backoffMs, maxRedeliveryMs: Number.POSITIVE_INFINITY });
      const judged = (await api.getPrompts(created.runId)).prompts.filter((prompt) => prompt.judge?.status === 'judged').length;
      record(`${label} seed ${seed}`, figures, delivered, Date.now() - started, judging, judged);
      problems.push(...violations(figures).map((problem) => `${label} seed ${seed}: ${problem}`));
      problems.push(...violations(judging).map((problem) => `${label} seed ${seed}: judge ${problem.replace('two images', 'two verdicts')}`));
      if (stalled) problems.push(`${label} seed ${seed}: ${stalled}`);
    }
  }
  rows.push(['all runs', summary()]);
  printFigures(`soak:gemini, ${seeds} seeds × 2 scenarios × ${count} prompts (429 RetryInfo ${RETRY_INFO_S} s alone and in a burst of 4, 429 bare, 503 ×1–2, slow ${SLOW_MS / 1000} s > ack deadline ${ACK_DEADLINE_S} s; judge 429 RetryInfo, 503, slow; calls counted at the fake)`, rows);
  if (storeSeeds > 0) {
    const paid = await runPaidCallSoak(storeSeeds, STORE_FAULT_PROMPTS);
    printFigures(`soak:gemini, store faults: ${storeSeeds} seeds × ${STORE_FAULT_PROMPTS} prompts, in-memory stores with injected faults (figures from fakes)`, paidCallRows(paid, STORE_FAULT_PROMPTS));
    if (paid.paidTwice + paid.verdictsPaidTwice > 0) problems.push(`store faults: ${paid.paidTwice + paid.verdictsPaidTwice} prompts or images paid twice`);
  }
  if (problems.length > 0) {
    console.error(`\nFAILED: ${problems.length} problem(s)`);
    for (const problem of problems) console.error(`  ${problem}`);
    process.exitCode = 1;
  } else {
    console.log(`\nheld: every faulted prompt was asked again within its server delay + ${MAX_REDELIVERY_MS / 1000} s, and no prompt or image was paid twice`);
  }
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await stack?.stop();
  await fake?.close();
}

function record(label: string, figures: RunFigures, delivered: number, wallMs: number, judging: RunFigures, judged: number): void {
  totals.runs += 1;
  totals.delivered += delivered;
  totals.faults += figures.faults;
  totals.faultedPrompts += figures.faultedPrompts;
  totals.reAsked += figures.reAsked;
  totals.neverReAsked += figures.neverReAsked.length;
  totals.longestWaitMs = Math.max(totals.longestWaitMs, figures.longestWaitMs);
  totals.calls += figures.calls;
  totals.images += figures.images;
  totals.billedTwice += figures.billedTwice.length;
  totals.judgeFaults += judging.faults;
  totals.paidVerdicts += judging.calls - judging.faults;
  totals.judged += judged;
  totals.verdictsBilledTwice += judging.billedTwice.length;
  const row: [string, string] = [
    label,
    `faults ${figures.faults} on ${figures.faultedPrompts} prompts · re-asked ${figures.reAsked} · never re-asked ${figures.neverReAsked.length} · ` +
      `longest wait ${(figures.longestWaitMs / 1000).toFixed(1)} s · calls per delivered image ${(figures.calls / Math.max(1, delivered)).toFixed(3)} (${delivered}) · ` +
      `paid generation calls per delivered image ${ratio(figures.calls - figures.faults, delivered)} · billed twice ${figures.billedTwice.length} · ` +
      `judge faults ${judging.faults} · paid judge calls per judged image ${ratio(judging.calls - judging.faults, judged)} (${judged}) · verdicts billed twice ${judging.billedTwice.length} · ${(wallMs / 1000).toFixed(0)} s`,
  ];
  rows.push(row);
  console.error(`${row[0]}: ${row[1]}`);
}

function summary(): string {
  return `${totals.runs} runs · faults ${totals.faults} on ${totals.faultedPrompts} prompts · re-asked ${totals.reAsked} · never re-asked ${totals.neverReAsked} · ` +
    `longest wait ${(totals.longestWaitMs / 1000).toFixed(1)} s · calls per delivered image ${(totals.calls / Math.max(1, totals.delivered)).toFixed(3)} (${totals.delivered} images) · ` +
    `paid generation calls per delivered image ${ratio(totals.calls - totals.faults, totals.delivered)} · judge faults ${totals.judgeFaults} · ` +
    `paid judge calls per judged image ${ratio(totals.paidVerdicts, totals.judged)} (${totals.judged} judged) · prompts or images paid twice ${totals.billedTwice + totals.verdictsBilledTwice}`;
}

function ratio(paid: number, delivered: number): string {
  return delivered === 0 ? 'n/a' : (paid / delivered).toFixed(3);
}
