/**
 * `npm start`: boots the local stack, runs a scenario end to end, exports the dataset,
 * prints a summary and stops everything. Exit 0 when every prompt is accounted for.
 * Options, the scenario and the output folder are checked first, before anything heavy is
 * loaded or started, so mistakes are reported in a fraction of a second.
 */
import { DATA_USAGE, parseStartArgs, RUN_USAGE } from '../lib/index.js';

const USAGE = `usage: npm start -- [options]
${RUN_USAGE}
  --provider NAME     embedded (default: an offline procedural renderer) or gemini
  (--judge defaults to gemini with --provider gemini, else none; --judge gemini needs the same credentials)
  --keep              keep the stack up afterwards and print the gallery URL, until Ctrl-C
${DATA_USAGE}
environment: API_PORT pins the api function's port (default: the data folder's last port while it is free, else a free port); INSTRUCTOR_TOKEN
  sets the instructor's token (default: generated and printed);
  with --provider gemini: GEMINI_API_KEY (or GOOGLE_API_KEY), or GOOGLE_GENAI_USE_VERTEXAI=true with
  GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION; GEMINI_MODEL, GEMINI_RATE_LIMIT_RPM, GEMINI_TIMEOUT_SECONDS`;

/** Fails before anything starts when the chosen provider or judge cannot work. */
async function checkProvider(provider: 'embedded' | 'gemini', judge: 'gemini' | 'none'): Promise<string | null> {
  try {
    const { loadConfig } = await import('../../functions/config.js');
    loadConfig({ ...process.env, GOOGLE_CLOUD_PROJECT: 'local', IMAGE_BUCKET: 'local', IMAGE_PROVIDER: provider, JUDGE: judge });
    if (provider === 'gemini' || judge === 'gemini') (await import('../../functions/adapters/gemini/gemini-provider.js')).resolveGeminiCredentials(process.env);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

async function main(): Promise<number> {
  const parsed = parseStartArgs(process.argv.slice(2));
  if (!parsed.ok) {
    if ('help' in parsed) return (console.log(USAGE), 0);
    console.error(`error: ${parsed.error}\n${USAGE}`);
    return 2;
  }
  // Gemini images are judged unless --judge none; the embedded renderer's only when asked.
  const options = { ...parsed.options, judge: parsed.options.judge ?? (parsed.options.provider === 'gemini' ? 'gemini' : 'none') } as const;
  // Loaded only now (it brings zod), so --help and option errors answer sooner.
  const { checkScenario } = await import('./scenario-check.js');
  const scenario = checkScenario(options.scenarioFile, options.categories);
  if (!scenario.ok) {
    console.error(`error: ${scenario.error}`);
    return 2;
  }
  const apiPort = process.env.API_PORT;
  if (apiPort !== undefined && !/^\d+$/.test(apiPort)) {
    console.error(`error: set API_PORT to a port number (1–65535), or unset it to pick a free port; it is "${apiPort}"`);
    return 2;
  }
  const { checkOutputDir, runAndExport } = await import('../client/index.js');
  const outProblem = checkOutputDir(options.out, options.force) ?? (await checkProvider(options.provider, options.judge));
  if (outProblem) {
    console.error(`error: ${outProblem}`);
    return 2;
  }
  const [{ ApiClient }, { stopOnSignals, startStack }] = await Promise.all([import('../client/index.js'), import('../stack/index.js')]);
  const log = (line: string) => console.error(line);
  let stack: Awaited<ReturnType<typeof startStack>> | undefined;
  stopOnSignals(async () => stack?.stop());
  try {
    stack = await startStack({
      log,
      provider: options.provider,
      dataDir: options.dataDir,
      fresh: options.fresh,
      ...(apiPort ? { apiPort: Number(apiPort) } : {}),
      functionEnv: { JUDGE: options.judge },
      ...(process.env.INSTRUCTOR_TOKEN ? { instructorToken: process.env.INSTRUCTOR_TOKEN } : {}),
    });
    log(`stack ready: api ${stack.apiUrl} (logs in ${stack.logDir})`);
    if (!process.env.INSTRUCTOR_TOKEN) log(`instructor token (generated, kept in ${stack.dataDir}): ${stack.instructorToken}`);
    const result = await runAndExport(new ApiClient(stack.apiUrl, stack.instructorToken), options, log);
    if (options.keep) {
      log(`\ngallery: ${stack.apiUrl}/  (sign in with the instructor token above; run ${result.exported.input.run.runId})`);
      log('the stack stays up until Ctrl-C');
      await new Promise(() => {});
    }
    return result.exitCode;
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 1;
  } finally {
    await stack?.stop();
  }
}

process.exitCode = await main();
