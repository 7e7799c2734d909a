/**
 * `npm run soak:paid-calls [-- --seeds 20 --prompts 24]`: the paid-call soak (paid-call-soak.ts).
 * Prints paid calls per delivered image and per judged image, and the prompts or images paid
 * twice; exits 1 unless that is 0. The figures come from fakes: they count decisions, not money spent.
 */
import { parseArgs } from 'node:util';
import { printFigures } from './figures.js';
import { paidCallRows, runPaidCallSoak } from './paid-call-soak.js';

const { values } = parseArgs({ options: { seeds: { type: 'string', default: '20' }, prompts: { type: 'string', default: '24' } } });
const seeds = Number(values.seeds);
const prompts = Number(values.prompts);
if (!Number.isInteger(seeds) || seeds < 1 || !Number.isInteger(prompts) || prompts < 1 || prompts > 500) {
  console.error('error: --seeds must be a positive integer and --prompts 1–500');
  process.exit(2);
}

const totals = await runPaidCallSoak(seeds, prompts);
printFigures('Paid-call soak (in-memory stores, injected faults; figures from fakes)', paidCallRows(totals, prompts));
if (totals.paidTwice + totals.verdictsPaidTwice > 0) process.exitCode = 1;
