/**
 * The spot check in the dataset card and the generation log: the reviewed sample's share of
 * rejected images as an estimate of the whole run's defect rate, with its 95 % Wilson interval,
 * beside what the automatic flags found. The figures themselves are in the run report
 * (generation_parameters.json, `quality.report.spotCheck`).
 */
import type { RunReport } from '../quality/index.js';

const percent = (share: number): string => `${Math.round(share * 1000) / 10} %`;

/** One line, or none when the run had no report (it had not finished). */
export function spotCheckLines(report: RunReport | null): string[] {
  const spot = report?.spotCheck;
  if (!spot) return [];
  const { flagged } = spot;
  const flags = `the automatic flags marked ${flagged.flagged} of ${flagged.images} images${flagged.share === null ? '' : ` (${percent(flagged.share)})`}`;
  const sample = `${spot.sampled} images sampled at random (seed ${spot.seed}, stratified by category), ${spot.reviewed} reviewed`;
  if (!spot.defectRate) return [`- Spot check: ${sample}; no estimate until one is reviewed; ${flags}.`];
  const rate = spot.defectRate;
  return [`- Spot check: ${sample}, ${spot.rejected} rejected: an estimated defect rate of ${percent(rate.estimate)} (95 % Wilson interval ${percent(rate.low)} to ${percent(rate.high)}); ${flags}.`];
}
