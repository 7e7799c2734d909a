import { existsSync, readdirSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { softwareVersions } from '../../functions/adapters/versions.js';
import { perCategory } from '../../functions/core/export/index.js';
import { splitSummaryLine } from '../../functions/core/export/index.js';
import { ApiClient } from './api-client.js';
import { type RunOptions, plural } from '../lib/index.js';
import { exportRun, type ExportResult } from './exporter.js';
import { followRun } from './follow-run.js';
import { imagesPerSecond } from './progress.js';

export const LAYOUT = ['generated_images', 'metadata', 'documentation', 'README.md', 'croissant.json'];

/** Refuses to mix two datasets in one folder unless --force; checked before any work starts. */
export function checkOutputDir(out: string, force: boolean): string | null {
  const dir = resolve(out);
  if (!existsSync(dir) || readdirSync(dir).length === 0 || force) return null;
  return `${dir} is not empty; pass --out to choose another folder, or --force to replace the dataset in it`;
}

export async function readScenarioFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read scenario file ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`scenario file ${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** The same record of software versions the api writes into its zips. */
export const versions = softwareVersions;

export interface SessionResult {
  exitCode: number;
  exported: ExportResult;
  wallMs: number;
}

/** Triggers a run, follows it to the end, exports it and prints a summary. */
export async function runAndExport(client: ApiClient, options: RunOptions, log: (line: string) => void): Promise<SessionResult> {
  const body: Record<string, unknown> = { count: options.count };
  if (options.scenarioFile) body.scenario = await readScenarioFile(options.scenarioFile);
  if (options.seed !== undefined) body.seed = options.seed;
  if (options.categories) body.categories = options.categories;
  if (options.judge) body.judge = options.judge;

  const started = Date.now();
  const created = await client.createRun(body);
  log(`run ${created.runId}: ${plural(created.planned, 'prompt')} planned (seed ${created.seed})`);
  const status = await followRun(client, created.runId, { startedAt: started });
  const wallMs = Date.now() - started;

  const dir = resolve(options.out);
  if (options.force) await Promise.all(LAYOUT.map((sub) => rm(join(dir, sub), { recursive: true, force: true })));
  const exported = await exportRun(client, status, dir, versions(), options.dataset);
  for (const line of summaryLines(exported, wallMs)) log(line);
  const lost = exported.input.prompts.filter((p) => p.status !== 'assessed' && p.status !== 'failed').length;
  return { exitCode: lost === 0 ? 0 : 1, exported, wallMs };
}

export function summaryLines(exported: ExportResult, wallMs: number): string[] {
  const { input } = exported;
  const failures = input.prompts.filter((p) => p.status === 'failed');
  const q = input.quality;
  return [
    '',
    `Dataset written to ${exported.dir}`,
    ...Object.entries(perCategory(input.prompts)).map(([category, c]) => `  ${category.padEnd(22)} ${plural(c.succeeded, 'image').padStart(11)}${c.failed ? `, ${c.failed} failed` : ''}`),
    `  failures: ${failures.length === 0 ? 'none' : ''}`,
    ...failures.slice(0, 20).map((p) => `    ${p.promptId} ${p.category}: ${p.failureReason}`),
    ...(failures.length > 20 ? [`    … and ${failures.length - 20} more (see metadata/image_prompts.json)`] : []),
    `  quality: ${q.assessed} assessed · mean brightness ${q.meanBrightness?.toFixed(1) ?? 'n/a'} · mean colour variance ${q.meanColourVariance?.toFixed(1) ?? 'n/a'} · mean resolution score ${q.meanResolutionScore?.toFixed(2) ?? 'n/a'}`,
    ...(input.report ? [`  issues: ${issueSummary(input.report.issueCounts)} · diversity: Vendi ${input.report.diversity.vendiScore.toFixed(2)}, mean pHash distance ${input.report.diversity.meanPairwiseHamming?.toFixed(1) ?? 'n/a'}`] : []),
    splitSummaryLine(input),
    `  wall time ${(wallMs / 1000).toFixed(1)} s · ${imagesPerSecond(exported.images, wallMs)}`,
  ];
}

function issueSummary(counts: Record<string, number>): string {
  const flagged = Object.entries(counts).filter(([, n]) => n > 0);
  return flagged.length === 0 ? 'none flagged' : flagged.map(([flag, n]) => `${flag} ${n}`).join(', ');
}
