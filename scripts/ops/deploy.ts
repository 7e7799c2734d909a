/**
 * `npm run deploy` / `npm run destroy`: packs the compiled functions into a deterministic zip and
 * runs Terraform (or OpenTofu) on infra/ with it. The pure parts are exported for the unit tests;
 * the command itself only runs when this file is executed.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { secretActions, storeSecrets } from '../lib/deploy-secrets.js';
import { buildSourceArchive, type SourceArchive } from './source-archive.js';
import { projectRoot, toolsDir } from '../lib/index.js';

export const USAGE = `usage: node dist/scripts/ops/deploy.js apply|destroy [--var-file FILE] [--yes] [--rehearse]
  apply              build the function source archive and create or update the deployment
  destroy            remove everything the deployment created, images and Firestore data included
  --var-file FILE    Terraform variables (default: infra/terraform.tfvars; start from infra/terraform.tfvars.example)
  --yes              skip Terraform's confirmation prompt
  --rehearse         with apply: deploy nothing; install the archive as Cloud Build would, start every function
                     from it on the local emulators with infra/'s environment, and take one image through
                     api → generateImage → assessImage (docs/deploy.md#rehearse-a-deploy-locally)
secrets, from the environment (stored in Secret Manager by this command, never by Terraform):
  INSTRUCTOR_TOKEN   needed on the first apply; later applies keep the stored one unless it is set
  GEMINI_API_KEY     with gemini_auth = "api_key" only`;

export interface DeployOptions {
  command: 'apply' | 'destroy';
  varFile: string;
  autoApprove: boolean;
  /** Exercise the archive and infra/'s environment locally instead of deploying (deploy-rehearsal.ts). */
  rehearse: boolean;
}

export type ParsedDeploy = { ok: true; options: DeployOptions } | { ok: false; error: string } | { ok: false; help: true };

export const DEFAULT_VAR_FILE = join('infra', 'terraform.tfvars');

/** argv in, options or an error message out; paths are resolved against `cwd`. */
export function parseDeployArgs(argv: string[], cwd: string): ParsedDeploy {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { 'var-file': { type: 'string' }, yes: { type: 'boolean' }, rehearse: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  if (parsed.values.help) return { ok: false, help: true };
  const [command, ...extra] = parsed.positionals;
  if (command !== 'apply' && command !== 'destroy') {
    return { ok: false, error: command === undefined ? 'say apply or destroy' : `unknown command "${command}": say apply or destroy` };
  }
  if (extra.length > 0) return { ok: false, error: `unexpected argument "${extra[0]}"` };
  const varFile = parsed.values['var-file'];
  if (varFile === '') return { ok: false, error: '--var-file needs a file name' };
  const rehearse = parsed.values.rehearse === true;
  if (rehearse && command !== 'apply') return { ok: false, error: '--rehearse goes with apply: a rehearsal deploys nothing, so there is nothing to destroy' };
  return { ok: true, options: { command, varFile: resolve(cwd, varFile ?? DEFAULT_VAR_FILE), autoApprove: parsed.values.yes === true, rehearse } };
}

/** The secrets Terraform creates empty; the deploy command adds their values (deploy-secrets.ts). */
export const SECRET_RESOURCES = ['google_secret_manager_secret.instructor_token', 'google_secret_manager_secret.gemini_api_key'];

/** A Terraform invocation, or the step that stores the secrets' values outside Terraform. */
export type DeployStep = { terraform: string[] } | { storeSecrets: true };

/**
 * The steps, in order, for a command. An apply creates the secrets first, so their values can be
 * added as versions before the functions that read them are deployed.
 */
export function deploySteps(options: DeployOptions, archive: SourceArchive): DeployStep[] {
  const vars = [`-var-file=${options.varFile}`, '-var', `source_archive_path=${archive.path}`, '-var', `source_archive_sha256=${archive.sha256}`];
  const approve = options.autoApprove ? ['-auto-approve'] : [];
  if (options.command === 'destroy') return [{ terraform: ['init', '-input=false'] }, { terraform: ['destroy', ...vars, ...approve] }];
  return [
    { terraform: ['init', '-input=false'] },
    { terraform: ['apply', ...vars, ...SECRET_RESOURCES.map((address) => `-target=${address}`), ...approve] },
    { storeSecrets: true },
    { terraform: ['apply', ...vars, ...approve] },
  ];
}

/** Reads the `secrets` and `project_id` outputs and adds the values from the environment. */
async function storeSecretValues(binary: string, cwd: string): Promise<number> {
  const output = await capture(binary, ['output', '-json'], cwd);
  const outputs = JSON.parse(output) as { secrets?: { value: Record<string, string> }; project_id?: { value: string } };
  if (!outputs.secrets || !outputs.project_id) throw new Error('Terraform did not output the secrets to fill in (infra/outputs.tf)');
  const problem = await storeSecrets(outputs.project_id.value, secretActions(outputs.secrets.value, process.env), (line) => console.error(line));
  if (problem) console.error(`error: ${problem}`);
  return problem ? 1 : 0;
}

function capture(binary: string, args: string[], cwd: string): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(binary, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done(text) : fail(new Error(`${binary} ${args.join(' ')} exited with ${code}`))));
  });
}

/** The first executable with one of these names on PATH, in order of preference. */
export function findExecutable(names: string[], path: string | undefined): string | null {
  const dirs = (path ?? '').split(delimiter).filter(Boolean);
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        continue;
      }
    }
  }
  return null;
}

/** Terraform first; OpenTofu as installed, or as built by `npm run infra:validate`. */
function terraformBinary(): string {
  const found = findExecutable(['terraform', 'tofu'], process.env.PATH);
  if (found) return found;
  const built = join(toolsDir, 'bin', 'tofu');
  if (existsSync(built)) return built;
  throw new Error(
    'neither terraform nor tofu is on PATH: install Terraform ≥ 1.6 (https://developer.hashicorp.com/terraform/install) or OpenTofu (https://opentofu.org/docs/intro/install/)',
  );
}

/** Streams the child's output and exits with its code. Ctrl-C reaches Terraform too, which stops gracefully and saves its state; we wait for it. */
function run(binary: string, args: string[], cwd: string): Promise<number> {
  const ignore = () => {};
  process.on('SIGINT', ignore);
  return new Promise<number>((done, fail) => {
    const child = spawn(binary, args, { cwd, stdio: 'inherit' });
    child.on('error', fail);
    child.on('exit', (code, signal) => done(code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0)));
  }).finally(() => process.off('SIGINT', ignore));
}

async function main(): Promise<number> {
  const parsed = parseDeployArgs(process.argv.slice(2), process.cwd());
  if (!parsed.ok) {
    if ('help' in parsed) return (console.log(USAGE), 0);
    console.error(`error: ${parsed.error}\n${USAGE}`);
    return 2;
  }
  const { options } = parsed;
  if (options.rehearse) {
    // Loaded only here: a real deploy needs none of the local stack.
    const { rehearseDeploy } = await import('./deploy-rehearsal.js');
    return rehearseDeploy();
  }
  if (!existsSync(options.varFile)) {
    const example = join(projectRoot, 'infra', 'terraform.tfvars.example');
    console.error(`error: no variables file at ${options.varFile}\ncopy ${example} to ${join(projectRoot, DEFAULT_VAR_FILE)} and fill it in (or pass --var-file FILE)`);
    return 2;
  }
  try {
    const binary = terraformBinary();
    // destroy needs the source variables too; the current build is as good as any.
    const archive = await buildSourceArchive(projectRoot, join(toolsDir, 'deploy'));
    console.error(`source archive: ${archive.path} (sha256 ${archive.sha256.slice(0, 16)}…)`);
    for (const step of deploySteps(options, archive)) {
      const infra = join(projectRoot, 'infra');
      if ('storeSecrets' in step) console.error('\nstoring the secrets in Secret Manager (outside Terraform, so never in its state)');
      else console.error(`\n$ ${binary} ${step.terraform.join(' ')}`);
      const code = 'storeSecrets' in step ? await storeSecretValues(binary, infra) : await run(binary, step.terraform, infra);
      if (code !== 0) return code;
    }
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 1;
  }
  if (options.command === 'apply') {
    console.error('\nDeployed. Hand out tokens with `npm run cohort -- add --names names.txt --quota 100 --out tokens.csv`, and the api_url above.');
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main();
}
