/** `npm run dev [-- --provider embedded|gemini] [-- --judge gemini|none]`: boots the local stack and keeps it up until Ctrl-C, with its data kept in --data-dir. */
import { DATA_USAGE, parseDevArgs } from '../lib/index.js';

const USAGE = `usage: npm run dev [-- options]
${DATA_USAGE}
  --provider NAME     embedded (default: an offline procedural renderer) or gemini (needs Gemini credentials)
  --judge NAME        gemini: a Gemini model judges each image's content (needs Gemini credentials); none (default)
environment: API_PORT pins the api function's port (default: the data folder's last port while
  it is free, else a free port); INSTRUCTOR_TOKEN
  sets the instructor's token (default: generated and printed)`;

async function main(): Promise<number> {
  const parsed = parseDevArgs(process.argv.slice(2));
  if (!parsed.ok) {
    if ('help' in parsed) return (console.log(USAGE), 0);
    console.error(`error: ${parsed.error}\n${USAGE}`);
    return 2;
  }
  const apiPort = process.env.API_PORT ? Number(process.env.API_PORT) : undefined;
  if (apiPort !== undefined && !(Number.isInteger(apiPort) && apiPort > 0 && apiPort < 65536)) {
    console.error(`error: set API_PORT to a port number (1–65535), or unset it to keep the data folder's port; it is "${process.env.API_PORT}"`);
    return 2;
  }
  if (parsed.options.judge === 'gemini' || parsed.options.provider === 'gemini') {
    // Checked before anything starts: the judge and the Gemini provider need Gemini credentials.
    const { resolveGeminiCredentials } = await import('../../functions/adapters/gemini/gemini-provider.js');
    try {
      resolveGeminiCredentials(process.env);
    } catch (error) {
      console.error(`error: ${parsed.options.provider === 'gemini' ? '--provider' : '--judge'} gemini: ${(error as Error).message}`);
      return 2;
    }
  }
  const { stopOnSignals, startStack } = await import('../stack/index.js');
  let stack: Awaited<ReturnType<typeof startStack>> | undefined;
  stopOnSignals(async () => stack?.stop());
  try {
    const instructorToken = process.env.INSTRUCTOR_TOKEN;
    // Tests save every few seconds instead of every 30 s.
    const saveSeconds = Number(process.env.LOCAL_DATA_SAVE_SECONDS) || undefined;
    stack = await startStack({
      log: (line) => console.error(line),
      dataDir: parsed.options.dataDir,
      fresh: parsed.options.fresh,
      provider: parsed.options.provider,
      functionEnv: { JUDGE: parsed.options.judge },
      ...(saveSeconds ? { saveIntervalMs: saveSeconds * 1000 } : {}),
      ...(apiPort ? { apiPort } : {}),
      ...(instructorToken ? { instructorToken } : {}),
    });
    console.log(`api: ${stack.apiUrl}`);
    console.log(`gallery: ${stack.apiUrl}/`);
    console.log(instructorToken ? 'instructor token: from INSTRUCTOR_TOKEN' : `instructor token (generated, kept in ${stack.dataDir}): ${stack.instructorToken}`);
    console.log(`emulators: FIRESTORE_EMULATOR_HOST=${stack.firestoreHost} PUBSUB_EMULATOR_HOST=${stack.pubsubHost} storage ${stack.storageUrl} (bucket ${stack.bucket})`);
    console.log(`data: ${stack.dataDir} (kept across restarts; --fresh starts empty)`);
    console.log(`logs: ${stack.logDir}`);
    const { describeShape, FUNCTION_NAMES } = await import('../stack/shape.js');
    console.log('deployed shape, enforced here (infra/shape.json):');
    for (const name of FUNCTION_NAMES) console.log(`  ${describeShape(name, stack.shape[name])}`);
    console.log(`try: API_TOKEN=<instructor token> npm run generate -- --api ${stack.apiUrl} --count 10 --out /tmp/dataset`);
    console.log('Ctrl-C stops everything.');
    return 0;
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    await stack?.stop();
    return 1;
  }
}

process.exitCode = await main();
