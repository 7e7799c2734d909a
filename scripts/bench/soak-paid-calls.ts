/**
 * `npm run soak:paid-calls [-- --seeds 20 --prompts 24]`: the paid-call soak. For each seed, each
 * prompt goes through the generator and then its image through the judge, on the in-memory stores
 * with the store, bucket, rate limiter and model ports wrapped in the fault injector. Each step
 * gets one fault drawn from the seed (or none, one time in five): fail once, fail until the lease
 * expires, delay past the lease, kill before or after a call, at any call site. Prints paid calls
 * per delivered image and per judged image, and the prompts or images paid twice; exits 1 unless
 * that is 0. The figures come from fakes: they count decisions, not money spent.
 */
import { parseArgs } from 'node:util';
import { FAULT_KINDS, type FaultSpec } from '../../test/support/fault-injection.js';
import { generatorScenario, judgeScenario } from '../../test/support/paid-call-scenarios.js';
import { printFigures } from './figures.js';
import { createRandom } from '../../functions/core/scenario/index.js';

const { values } = parseArgs({ options: { seeds: { type: 'string', default: '20' }, prompts: { type: 'string', default: '24' } } });
const seeds = Number(values.seeds);
const prompts = Number(values.prompts);
if (!Number.isInteger(seeds) || seeds < 1 || !Number.isInteger(prompts) || prompts < 1 || prompts > 500) {
  console.error('error: --seeds must be a positive integer and --prompts 1–500');
  process.exit(2);
}


const pick = (next: () => number, calls: number): FaultSpec | null =>
  next() < 0.2 ? null : { kind: FAULT_KINDS[Math.floor(next() * FAULT_KINDS.length)] ?? 'fail once', at: 1 + Math.floor(next() * calls) };

const started = Date.now();
const generationSites = (await generatorScenario(null)).calls.length;
const judgeSites = (await judgeScenario(null)).calls.length;
const totals = { prompts: 0, paidGenerations: 0, delivered: 0, unknownImages: 0, storageErrors: 0, paidTwice: 0, paidVerdicts: 0, judged: 0, unknownVerdicts: 0, verdictsPaidTwice: 0, faults: 0 };

for (let seed = 1; seed <= seeds; seed++) {
  const next = createRandom(seed);
  for (let index = 0; index < prompts; index++) {
    const generationFault = pick(next, generationSites);
    const generated = await generatorScenario(generationFault);
    totals.prompts += 1;
    totals.faults += generationFault ? 1 : 0;
    totals.paidGenerations += generated.paid;
    totals.paidTwice += generated.paid > 1 ? 1 : 0;
    if (generated.prompt.status === 'generated') totals.delivered += 1;
    else if (generated.prompt.failureReason?.startsWith('unknown_outcome:')) totals.unknownImages += 1;
    else if (generated.prompt.failureReason?.startsWith('storage_error:')) totals.storageErrors += 1;
    if (generated.prompt.status !== 'generated') continue;

    const judgeFault = pick(next, judgeSites);
    const judged = await judgeScenario(judgeFault);
    totals.faults += judgeFault ? 1 : 0;
    totals.paidVerdicts += judged.paid;
    totals.verdictsPaidTwice += judged.paid > 1 ? 1 : 0;
    if (judged.prompt.judge?.status === 'judged') totals.judged += 1;
    else if (judged.prompt.judge?.reason?.startsWith('unknown_outcome:')) totals.unknownVerdicts += 1;
  }
}

const ratio = (a: number, b: number) => (b === 0 ? 'n/a' : (a / b).toFixed(3));
printFigures('Paid-call soak (in-memory stores, injected faults; figures from fakes)', [
  ['seeds × prompts', `${seeds} × ${prompts} (${totals.faults} faults injected; ${generationSites} generator and ${judgeSites} assessor call sites)`],
  ['paid generation calls per delivered image', `${ratio(totals.paidGenerations, totals.delivered)} (${totals.paidGenerations} paid, ${totals.delivered} delivered of ${totals.prompts})`],
  ['images not delivered', `${totals.unknownImages} unknown_outcome, ${totals.storageErrors} storage_error`],
  ['paid judge calls per judged image', `${ratio(totals.paidVerdicts, totals.judged)} (${totals.paidVerdicts} paid, ${totals.judged} judged, ${totals.unknownVerdicts} unknown_outcome)`],
  ['prompts or images paid twice', `${totals.paidTwice + totals.verdictsPaidTwice} (must be 0)`],
  ['wall time', `${((Date.now() - started) / 1000).toFixed(1)} s`],
]);
if (totals.paidTwice + totals.verdictsPaidTwice > 0) process.exitCode = 1;
