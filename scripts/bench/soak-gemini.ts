/**
 * `npm run soak:gemini [-- --seeds N --count N]`: the fault soak. One local stack with the
 * gemini provider, a fake Gemini API that fails about one prompt in five (429 with RetryInfo,
 * 429 without it, 503 once or twice, answers slower than the push acknowledgement deadline)
 * plus a burst of four 429s in a row, as a shared quota gives,
 * N seeds × two scenarios (the built-in one and a small second one). Prints per-run figures and
 * exits 1 when a faulted prompt is not asked again within the bound or a prompt is billed twice.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { backoffMs } from '../../functions/handlers/generate.js';
import { startFakeGemini, type FakeGemini } from '../../test/support/fake-gemini-server.js';
import { ApiClient, followRun, RunStalledError } from '../client/index.js';
import { printFigures } from './figures.js';
import { faultFor, quotaBurst, runFigures, violations, type CallRecord, type RunFigures } from './soak-faults.js';
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

const { values } = parseArgs({ options: { seeds: { type: 'string', default: '3' }, count: { type: 'string', default: '24' } } });
const seeds = Number(values.seeds);
const count = Number(values.count);
if (!Number.isInteger(seeds) || seeds < 1 || !Number.isInteger(count) || count < 1 || count > 100) {
  console.error('error: --seeds must be a positive integer and --count 1–100');
  process.exit(2);
}

let stack: Stack | undefined;
let fake: FakeGemini | undefined;
stopOnSignals(async () => {
  await stack?.stop();
  await fake?.close();
});

let currentSeed = 0;
let calls: CallRecord[] = [];
let firstCalls = 0;
const callNumber = new Map<string, number>();
const problems: string[] = [];
const rows: Array<[string, string]> = [];
const quiet = { update() {}, finish() {} };
const totals = { runs: 0, delivered: 0, faults: 0, faultedPrompts: 0, reAsked: 0, neverReAsked: 0, longestWaitMs: 0, calls: 0, images: 0, billedTwice: 0 };

try {
  fake = await startFakeGemini({
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
  });
  stack = await startStack({
    provider: 'gemini',
    logDir: join(projectRoot, '.stack-logs', 'soak-gemini'),
    pushAckDeadlineSeconds: ACK_DEADLINE_S,
    functionEnv: { GEMINI_API_KEY: fake.apiKey, GOOGLE_GEMINI_BASE_URL: fake.url, GEMINI_RATE_LIMIT_RPM: '600', GEMINI_TIMEOUT_SECONDS: '30' },
    log: (line) => console.error(line),
  });
  const api = new ApiClient(stack.apiUrl, stack.instructorToken);
  for (let seed = 1; seed <= seeds; seed++) {
    for (const [label, scenario] of [['built-in', undefined], ['harbour', SECOND_SCENARIO]] as const) {
      currentSeed = seed;
      calls = [];
      callNumber.clear();
      firstCalls = 0;
      const started = Date.now();
      const created = await api.createRun({ count, seed, ...(scenario ? { scenario } : {}) });
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
      record(`${label} seed ${seed}`, figures, delivered, Date.now() - started);
      problems.push(...violations(figures).map((problem) => `${label} seed ${seed}: ${problem}`));
      if (stalled) problems.push(`${label} seed ${seed}: ${stalled}`);
    }
  }
  rows.push(['all runs', summary()]);
  printFigures(`soak:gemini, ${seeds} seeds × 2 scenarios × ${count} prompts (429 RetryInfo ${RETRY_INFO_S} s alone and in a burst of 4, 429 bare, 503 ×1–2, slow ${SLOW_MS / 1000} s > ack deadline ${ACK_DEADLINE_S} s)`, rows);
  if (problems.length > 0) {
    console.error(`\nFAILED: ${problems.length} problem(s)`);
    for (const problem of problems) console.error(`  ${problem}`);
    process.exitCode = 1;
  } else {
    console.log(`\nheld: every faulted prompt was asked again within its server delay + ${MAX_REDELIVERY_MS / 1000} s, and no prompt was billed twice`);
  }
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await stack?.stop();
  await fake?.close();
}

function record(label: string, figures: RunFigures, delivered: number, wallMs: number): void {
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
  const row: [string, string] = [
    label,
    `faults ${figures.faults} on ${figures.faultedPrompts} prompts · re-asked ${figures.reAsked} · never re-asked ${figures.neverReAsked.length} · ` +
      `longest wait ${(figures.longestWaitMs / 1000).toFixed(1)} s · calls per delivered image ${(figures.calls / Math.max(1, delivered)).toFixed(3)} (${delivered}) · ` +
      `billed twice ${figures.billedTwice.length} · ${(wallMs / 1000).toFixed(0)} s`,
  ];
  rows.push(row);
  console.error(`${row[0]}: ${row[1]}`);
}

function summary(): string {
  return `${totals.runs} runs · faults ${totals.faults} on ${totals.faultedPrompts} prompts · re-asked ${totals.reAsked} · never re-asked ${totals.neverReAsked} · ` +
    `longest wait ${(totals.longestWaitMs / 1000).toFixed(1)} s · calls per delivered image ${(totals.calls / Math.max(1, totals.delivered)).toFixed(3)} (${totals.delivered} images) · billed twice ${totals.billedTwice}`;
}
