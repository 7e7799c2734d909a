/** `npm run export -- --api URL --run RUN_ID`: writes a run's dataset as it stands now, reviews included, split and labelled as asked. */
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ApiClient, exportRun, checkOutputDir, LAYOUT, versions } from '../client/index.js';
import { EXPORT_USAGE, parseExportArgs } from './export-args.js';

async function main(): Promise<number> {
  const parsed = parseExportArgs(process.argv.slice(2));
  if (!parsed.ok) {
    if ('help' in parsed) return (console.log(EXPORT_USAGE), 0);
    console.error(`error: ${parsed.error}\n${EXPORT_USAGE}`);
    return 2;
  }
  const { api, runId, out, force, dataset } = parsed.options;
  const outProblem = checkOutputDir(out, force);
  if (outProblem) {
    console.error(`error: ${outProblem}`);
    return 2;
  }
  try {
    const client = new ApiClient(api, process.env.API_TOKEN);
    const status = await client.getRun(runId);
    const dir = resolve(out);
    if (force) await Promise.all(LAYOUT.map((sub) => rm(join(dir, sub), { recursive: true, force: true })));
    const exported = await exportRun(client, status, dir, versions(), dataset);
    const reviewed = exported.input.prompts.filter((prompt) => prompt.review).length;
    console.error(`run ${runId} (${status.state}): ${exported.images} images and ${reviewed} reviews written to ${dir}`);
    if (exported.missing.length > 0) console.error(`${exported.missing.length} images were no longer stored (retention period): left out and listed in README.md and metadata/generation_parameters.json`);
    if (status.state !== 'completed') console.error('note: the run is still running; unfinished prompts are listed as failed with reason "unfinished" — export again when it completes');
    return 0;
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 1;
  }
}

process.exitCode = await main();
