/** `npm run dev`: boots the local stack and keeps it up until Ctrl-C. */
import { stopOnSignals } from './stack/processes.js';
import { startStack, type Stack } from './stack/stack.js';

let stack: Stack | undefined;
stopOnSignals(async () => stack?.stop());
try {
  const apiPort = process.env.API_PORT ? Number(process.env.API_PORT) : undefined;
  if (apiPort !== undefined && !(Number.isInteger(apiPort) && apiPort > 0 && apiPort < 65536)) throw new Error(`API_PORT must be a port number, got "${process.env.API_PORT}"`);
  const instructorToken = process.env.INSTRUCTOR_TOKEN;
  stack = await startStack({ log: (line) => console.error(line), ...(apiPort ? { apiPort } : {}), ...(instructorToken ? { instructorToken } : {}) });
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
