/**
 * `npm run deploy -- --rehearse`: the deployment, exercised locally. It builds the source archive
 * `npm run deploy` uploads, installs it as Cloud Build does (production dependencies only, no
 * install scripts) in a temporary folder, starts every function from that folder with the
 * environment infra/ declares for it, on the local emulators and relays, and takes one image
 * through api → generateImage → assessImage with a participant's token. It succeeds only if that
 * image ends assessed with metrics; the folder and every process are removed either way.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { ApiClient, type RunStatus } from '../client/api-client.js';
import { projectRoot } from '../lib/index.js';
import { GENERATION_TOPIC, startStack, stopOnSignals, type Stack } from '../stack/index.js';
import { FUNCTION_NAMES, type FunctionName } from '../stack/shape.js';
import { functionEnvironments, readInfraDeclaration, type LocalEquivalents } from './infra-env.js';
import { buildSourceArchive } from './source-archive.js';

const PROJECT_ID = 'demo-deploy-rehearsal';
const BUCKET = 'deploy-rehearsal';
/** Generous for one image on a busy machine; the stack's start has its own limits. */
const RUN_TIMEOUT_MS = 240_000;

/** The local stand-in for each deploy-time value a function's environment names in infra/. */
export function localEquivalents(stack: { projectId: string; bucket: string; instructorToken: string }): LocalEquivalents {
  return {
    variables: { project_id: stack.projectId },
    // The stack names its buckets after the images bucket (stack.ts), as infra/storage.tf does.
    resources: {
      'google_storage_bucket.images.name': stack.bucket,
      'google_storage_bucket.previews.name': `${stack.bucket}-previews`,
      'google_storage_bucket.references.name': `${stack.bucket}-references`,
      'google_pubsub_topic.generation.name': GENERATION_TOPIC,
    },
    secrets: { 'google_secret_manager_secret.instructor_token': stack.instructorToken },
  };
}

/** Every function the stack starts has an environment in infra/, and infra/ declares no function the stack cannot start. */
export function declaredEnvironments(envs: Map<string, Record<string, string>>): Record<FunctionName, Record<string, string>> {
  const extra = [...envs.keys()].filter((name) => !(FUNCTION_NAMES as readonly string[]).includes(name));
  if (extra.length > 0) throw new Error(`infra/ declares functions the local stack does not start: ${extra.join(', ')}`);
  const missing = FUNCTION_NAMES.filter((name) => !envs.has(name));
  if (missing.length > 0) throw new Error(`infra/ declares no function with entry point ${missing.join(', ')}`);
  return Object.fromEntries(FUNCTION_NAMES.map((name) => [name, envs.get(name)!])) as Record<FunctionName, Record<string, string>>;
}

async function unzipInto(zipFile: string, dir: string): Promise<number> {
  const archive = await yauzl.fromBufferPromise(readFileSync(zipFile), { strictFileNames: true, validateEntrySizes: true });
  let files = 0;
  for await (const entry of archive.eachEntry()) {
    const name = normalize(entry.fileName);
    if (isAbsolute(name) || name.startsWith('..')) throw new Error(`the archive holds a path outside its folder: ${entry.fileName}`);
    if (entry.fileName.endsWith('/')) continue;
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    await pipeline(await archive.openReadStreamPromise(entry), createWriteStream(join(dir, name)));
    files++;
  }
  return files;
}

/** `npm ci` with the archive's lockfile (`npm install` without one), production dependencies only, no install scripts. */
function installProduction(dir: string, log: (line: string) => void): Promise<void> {
  const hasLock = existsSync(join(dir, 'package-lock.json'));
  const args = [hasLock ? 'ci' : 'install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'];
  log(`rehearsal: npm ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    // NODE_ENV=production as the buildpack sets it; npm's settings from an enclosing `npm run` are not passed on.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('npm_')));
    const child = spawn('npm', args, { cwd: dir, env: { ...env, NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm ${args[0]} in the unpacked archive failed (code ${code}):\n${output.trim().split('\n').slice(-15).join('\n')}`))));
  });
}

/**
 * The lines of a function's log that report errors, for the failure message: the functions' own
 * ERROR and WARNING entries, and the first line of anything thrown. The stack's readiness probe (a
 * bodiless GET to an event function) makes functions-framework throw a TypeError about `context`;
 * that one says nothing about the deployment, so it is left out.
 */
export function errorLines(log: string): string[] {
  return log
    .split('\n')
    .filter((line) => /^\{"severity":"(ERROR|WARNING)"/.test(line) || /^[A-Za-z]*Error\b/.test(line))
    .filter((line) => !line.includes("search for 'context' in undefined"))
    .slice(-5);
}

async function oneImage(stack: Stack, log: (line: string) => void): Promise<void> {
  const instructor = new ApiClient(stack.apiUrl, stack.instructorToken);
  const participant = await instructor.call<{ token?: unknown }>('POST', '/v1/participants', { name: 'Deploy rehearsal', imageQuota: 1 });
  if (typeof participant.token !== 'string') throw new Error('POST /v1/participants gave no token');
  const api = new ApiClient(stack.apiUrl, participant.token);
  const created = await api.createRun({ count: 1, seed: 1 });
  log(`rehearsal: run ${created.runId} accepted (1 image), following it…`);
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  let status: RunStatus = await api.getRun(created.runId);
  let last = '';
  while (status.state !== 'completed') {
    const counts = JSON.stringify(status.counts);
    if (counts !== last) log(`rehearsal: ${status.state} ${counts}`);
    last = counts;
    if (Date.now() > deadline) throw new Error(`the image was not assessed within ${RUN_TIMEOUT_MS / 1000} s; last status ${status.state} ${counts}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    status = await api.getRun(created.runId);
  }
  const { prompts } = await api.getPrompts(created.runId);
  const prompt = prompts[0];
  if (!prompt) throw new Error(`run ${created.runId} completed with no prompt`);
  if (prompt.status !== 'assessed' || !prompt.metrics) {
    throw new Error(`the image ended ${prompt.status}${prompt.failureReason ? ` (${prompt.failureReason})` : ''}${prompt.lastError ? `: ${prompt.lastError}` : ''}, not assessed with metrics`);
  }
  log(`rehearsal: ${prompt.promptId} assessed (resolution score ${prompt.metrics.resolutionScore ?? 'n/a'})`);
}

/** Runs the rehearsal and answers its exit code; everything it started is gone when it returns. */
export async function rehearseDeploy(log: (line: string) => void = (line) => console.error(line)): Promise<number> {
  const started = Date.now();
  const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const dir = mkdtempSync(join(tmpdir(), 'deploy-rehearsal-'));
  const logDir = join(projectRoot, '.stack-logs', 'deploy-rehearsal');
  let stack: Stack | undefined;
  const cleanUp = async (): Promise<void> => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  // Ctrl-C, or a CI job cancelled, still removes the folder and stops the emulators and functions.
  stopOnSignals(cleanUp);
  try {
    // Built by the function deploy uses, so the same bytes (the hash names the object deploy uploads), kept in the temporary folder.
    const archive = await buildSourceArchive(projectRoot, dir);
    log(`rehearsal: source archive sha256 ${archive.sha256.slice(0, 16)}…, the one \`npm run deploy\` uploads`);
    const source = join(dir, 'source');
    log(`rehearsal: unpacked ${await unzipInto(archive.path, source)} files into ${source}`);
    await installProduction(source, log);
    log(`rehearsal: production dependencies installed (${seconds()})`);
    const instructorToken = randomBytes(24).toString('hex');
    const local = { projectId: PROJECT_ID, bucket: BUCKET, instructorToken };
    const declaredEnv = declaredEnvironments(functionEnvironments(await readInfraDeclaration(join(projectRoot, 'infra')), localEquivalents(local)));
    log(`rehearsal: environments from infra/: ${FUNCTION_NAMES.map((name) => `${name} ${Object.keys(declaredEnv[name]).length} variables`).join(', ')}`);
    stack = await startStack({ ...local, functionSource: source, declaredEnv, logDir, log: (line) => log(`stack: ${line}`) });
    log(`rehearsal: every function started from the installed archive (${seconds()})`);
    await oneImage(stack, log);
    log(`rehearsal: passed in ${seconds()}`);
    return 0;
  } catch (error) {
    log(`rehearsal FAILED after ${seconds()}: ${(error as Error).message}`);
    for (const name of FUNCTION_NAMES) {
      const file = join(logDir, `${name}.log`);
      const lines = existsSync(file) ? errorLines(readFileSync(file, 'utf8')) : [];
      if (lines.length > 0) log(`  ${name} (${file}):\n    ${lines.join('\n    ')}`);
    }
    return 1;
  } finally {
    await cleanUp();
  }
}
