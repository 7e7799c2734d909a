/** `npm run generate -- --api URL …`: triggers a run on any deployment, follows it, exports it. */
import { ApiClient } from './client/api-client.js';
import { parseGenerateArgs, RUN_USAGE } from './lib/cli-args.js';
import { checkOutputDir, runAndExport } from './client/run-session.js';

const USAGE = `usage: npm run generate -- --api URL [options]
  --api URL           the api function's URL, local or deployed
${RUN_USAGE}`;

async function main(): Promise<number> {
  const parsed = parseGenerateArgs(process.argv.slice(2));
  if (!parsed.ok) {
    if ('help' in parsed) return (console.log(USAGE), 0);
    console.error(`error: ${parsed.error}\n${USAGE}`);
    return 2;
  }
  const outProblem = checkOutputDir(parsed.options.out, parsed.options.force);
  if (outProblem) {
    console.error(`error: ${outProblem}`);
    return 2;
  }
  try {
    const result = await runAndExport(new ApiClient(parsed.options.api, process.env.API_TOKEN), parsed.options, (line) => console.error(line));
    return result.exitCode;
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 1;
  }
}

process.exitCode = await main();
