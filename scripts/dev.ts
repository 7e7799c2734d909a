/** `npm run dev [-- --judge gemini|none]`: boots the local stack and keeps it up until Ctrl-C. */
import { parseArgs } from 'node:util';
import { resolveGeminiCredentials } from '../functions/adapters/gemini/gemini-provider.js';
import { stopOnSignals } from './stack/processes.js';
import { startStack, type Stack } from './stack/stack.js';

let stack: Stack | undefined;
stopOnSignals(async () => stack?.stop());
try {
  const apiPort = process.env.API_PORT ? Number(process.env.API_PORT) : undefined;
  if (apiPort !== undefined && !(Number.isInteger(apiPort) && apiPort > 0 && apiPort < 65536)) throw new Error(`API_PORT must be a port number, got "${process.env.API_PORT}"`);
  const instructorToken = process.env.INSTRUCTOR_TOKEN;
  const judge = (parseArgs({ args: process.argv.slice(2), options: { judge: { type: 'string' } }, strict: true }).values.judge ?? 'none') as string;
  if (judge !== 'gemini' && judge !== 'none') throw new Error(`--judge must be "gemini" or "none", got "${judge}"`);
  // Checked before anything starts: the judge needs Gemini credentials.
  if (judge === 'gemini') resolveGeminiCredentials(process.env);
  stack = await startStack({ log: (line) => console.error(line), functionEnv: { JUDGE: judge }, ...(apiPort ? { apiPort } : {}), ...(instructorToken ? { instructorToken } : {}) });
  console.log(`api: ${stack.apiUrl}`);
  console.log(`gallery: ${stack.apiUrl}/`);
  console.log(instructorToken ? 'instructor token: from INSTRUCTOR_TOKEN' : `instructor token (generated): ${stack.instructorToken}`);
  console.log(`emulators: FIRESTORE_EMULATOR_HOST=${stack.firestoreHost} PUBSUB_EMULATOR_HOST=${stack.pubsubHost} storage ${stack.storageUrl} (bucket ${stack.bucket})`);
  console.log(`logs: ${stack.logDir}`);
  console.log(`try: API_TOKEN=<instructor token> npm run generate -- --api ${stack.apiUrl} --count 10 --out /tmp/dataset`);
  console.log('Ctrl-C stops everything.');
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  await stack?.stop();
  process.exitCode = 1;
}
