/** `npm run generate -- --api URL …`: triggers a run on any deployment, follows it, exports it. */
import { parseGenerateArgs, RUN_USAGE } from '../lib/index.js';

const USAGE = `usage: API_TOKEN=<your token> npm run generate -- --api URL [options]
  --api URL           the api function's URL, local or deployed
${RUN_USAGE}
environment: API_TOKEN, your token (a participant's, or the instructor's that npm run dev prints)`;

async function main(): Promise<number> {
  const parsed = parseGenerateArgs(process.argv.slice(2));
  if (!parsed.ok) {
    if ('help' in parsed) return (console.log(USAGE), 0);
    console.error(`error: ${parsed.error}\n${USAGE}`);
    return 2;
  }
  const { options } = parsed;
  // Loaded only now (it brings zod), so --help and option errors answer sooner.
  const { checkScenario } = await import('./scenario-check.js');
  const scenario = checkScenario(options.scenarioFile, options.categories);
  if (!scenario.ok) {
    console.error(`error: ${scenario.error}`);
    return 2;
  }
  const token = process.env.API_TOKEN;
  if (!token) {
    console.error('error: set API_TOKEN to your token (a participant\'s from the instructor, or the instructor\'s that npm run dev prints), e.g. API_TOKEN=... npm run generate -- --api URL');
    return 2;
  }
  const { ApiClient, checkOutputDir, runAndExport, explainApiError } = await import('../client/index.js');
  const outProblem = checkOutputDir(options.out, options.force);
  if (outProblem) {
    console.error(`error: ${outProblem}`);
    return 2;
  }
  try {
    const result = await runAndExport(new ApiClient(options.api, token), options, (line) => console.error(line));
    return result.exitCode;
  } catch (error) {
    console.error(`error: ${explainApiError(error, 'API_TOKEN')}`);
    return 1;
  }
}

process.exitCode = await main();
