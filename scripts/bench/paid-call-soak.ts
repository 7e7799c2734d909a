/**
 * The paid-call soak's loop, shared by `npm run soak:paid-calls` and the store-fault phase of
 * `npm run soak:gemini`. For each seed, each prompt goes through the generator and then its image
 * through the judge, on the in-memory stores with the store, bucket, rate limiter and model ports
 * wrapped in the fault injector; each step gets one fault drawn from the seed (or none, one time in
 * five). The figures come from fakes: they count decisions, not money spent.
 */
import { FAULT_KINDS, type FaultSpec } from '../../test/support/fault-injection.js';
import { generatorScenario, judgeScenario } from '../../test/support/paid-call-scenarios.js';
import { createRandom } from '../../functions/core/scenario/index.js';

export interface PaidCallTotals {
  seeds: number;
  prompts: number;
  faults: number;
  generationSites: number;
  judgeSites: number;
  paidGenerations: number;
  delivered: number;
  unknownImages: number;
  storageErrors: number;
  paidTwice: number;
  paidVerdicts: number;
  judged: number;
  unknownVerdicts: number;
  verdictsPaidTwice: number;
  wallMs: number;
}

const pick = (next: () => number, calls: number): FaultSpec | null =>
  next() < 0.2 ? null : { kind: FAULT_KINDS[Math.floor(next() * FAULT_KINDS.length)] ?? 'fail once', at: 1 + Math.floor(next() * calls) };

export async function runPaidCallSoak(seeds: number, promptsPerSeed: number): Promise<PaidCallTotals> {
  const started = Date.now();
  const generationSites = (await generatorScenario(null)).calls.length;
  const judgeSites = (await judgeScenario(null)).calls.length;
  const totals: PaidCallTotals = {
    seeds, prompts: 0, faults: 0, generationSites, judgeSites, paidGenerations: 0, delivered: 0, unknownImages: 0, storageErrors: 0, paidTwice: 0,
    paidVerdicts: 0, judged: 0, unknownVerdicts: 0, verdictsPaidTwice: 0, wallMs: 0,
  };
  for (let seed = 1; seed <= seeds; seed++) {
    const next = createRandom(seed);
    for (let index = 0; index < promptsPerSeed; index++) {
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
  return { ...totals, wallMs: Date.now() - started };
}

const ratio = (a: number, b: number) => (b === 0 ? 'n/a' : (a / b).toFixed(3));

/** The soak's figures as rows for printFigures. */
export function paidCallRows(totals: PaidCallTotals, promptsPerSeed: number): Array<[string, string]> {
  return [
    ['seeds × prompts', `${totals.seeds} × ${promptsPerSeed} (${totals.faults} faults injected; ${totals.generationSites} generator and ${totals.judgeSites} assessor call sites)`],
    ['paid generation calls per delivered image', `${ratio(totals.paidGenerations, totals.delivered)} (${totals.paidGenerations} paid, ${totals.delivered} delivered of ${totals.prompts})`],
    ['images not delivered', `${totals.unknownImages} unknown_outcome, ${totals.storageErrors} storage_error`],
    ['paid judge calls per judged image', `${ratio(totals.paidVerdicts, totals.judged)} (${totals.paidVerdicts} paid, ${totals.judged} judged, ${totals.unknownVerdicts} unknown_outcome)`],
    ['prompts or images paid twice', `${totals.paidTwice + totals.verdictsPaidTwice} (must be 0)`],
    ['wall time', `${(totals.wallMs / 1000).toFixed(1)} s`],
  ];
}
