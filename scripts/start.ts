/**
 * `npm start`: boots the local stack, runs a scenario end to end, exports the dataset,
 * prints a summary and stops everything. Exit 0 when every prompt is accounted for.
 */
import { resolveGeminiCredentials } from '../functions/adapters/gemini/gemini-provider.js';
import { loadConfig } from '../functions/config.js';
import { ApiClient } from './client/api-client.js';
import { parseStartArgs, RUN_USAGE } from './lib/cli-args.js';
import { stopOnSignals } from './stack/processes.js';
import { checkOutputDir, runAndExport } from './client/run-session.js';
import { startStack, type Stack } from './stack/stack.js';

const USAGE = `usage: npm start -- [options]
${RUN_USAGE}
  --provider NAME     embedded (default: an offline procedural renderer) or gemini
  (--judge defaults to gemini with --provider gemini, else none; --judge gemini needs the same credentials)
  --keep              keep the stack up afterwards and print the gallery URL, until Ctrl-C
environment: API_PORT pins the api function's port (default: a free port); INSTRUCTOR_TOKEN
  sets the instructor's token (default: generated and printed);
  with --provider gemini: GEMINI_API_KEY (or GOOGLE_API_KEY), or GOOGLE_GENAI_USE_VERTEXAI=true with
  GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION; GEMINI_MODEL, GEMINI_RATE_LIMIT_RPM, GEMINI_TIMEOUT_SECONDS`;

/** Fails before anything starts when the chosen provider or judge cannot work. */
function checkProvider(provider: 'embedded' | 'gemini', judge: 'gemini' | 'none'): string | null {
  try {
    loadConfig({ ...process.env, GOOGLE_CLOUD_PROJECT: 'local', IMAGE_BUCKET: 'local', IMAGE_PROVIDER: provider, JUDGE: judge });
    if (provider === 'gemini' || judge === 'gemini') resolveGeminiCredentials(process.env);
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
  const outProblem = checkOutputDir(options.out, options.force) ?? checkProvider(options.provider, options.judge);
  if (outProblem) {
    console.error(`error: ${outProblem}`);
    return 2;
  }
  const log = (line: string) => console.error(line);
  let stack: Stack | undefined;
  stopOnSignals(async () => stack?.stop());
  try {
    stack = await startStack({
      log,
      provider: options.provider,
      functionEnv: { JUDGE: options.judge },
      ...(process.env.API_PORT ? { apiPort: Number(process.env.API_PORT) } : {}),
      ...(process.env.INSTRUCTOR_TOKEN ? { instructorToken: process.env.INSTRUCTOR_TOKEN } : {}),
    });
    log(`stack ready: api ${stack.apiUrl} (logs in ${stack.logDir})`);
    if (!process.env.INSTRUCTOR_TOKEN) log(`instructor token (generated for this session): ${stack.instructorToken}`);
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
