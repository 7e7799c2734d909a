/**
 * Secret values go to Secret Manager from the deploy command, never through Terraform, so they are
 * in neither its plan nor its state. Terraform creates the (empty) secrets and says which exist in
 * its `secrets` output; each value is read from the deploying shell's environment and added as a new
 * version only when it differs from the latest one, with the value on gcloud's stdin (never in argv).
 */
import { spawn } from 'node:child_process';

/** What the secrets step does with one secret. */
export type SecretAction =
  | { kind: 'add-if-changed'; variable: string; secretId: string; value: string }
  | { kind: 'keep-latest'; variable: string; secretId: string };

/** `secrets` is the Terraform output (env variable → secret id); `env` is the deploying shell's. */
export function secretActions(secrets: Record<string, string>, env: Record<string, string | undefined>): SecretAction[] {
  return Object.entries(secrets)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([variable, secretId]) => {
      const value = env[variable]?.trim();
      return value ? { kind: 'add-if-changed', variable, secretId, value } : { kind: 'keep-latest', variable, secretId };
    });
}

/** Checks a value before it is stored, as loadConfig would reject it after the deployment. */
export function secretProblem(action: SecretAction): string | null {
  if (action.kind === 'add-if-changed' && action.variable === 'INSTRUCTOR_TOKEN' && action.value.length < 32) {
    return 'INSTRUCTOR_TOKEN must be at least 32 characters; generate one with: openssl rand -hex 24';
  }
  return null;
}

function gcloud(args: string[], stdin?: string): Promise<{ code: number; stdout: string }> {
  return new Promise((done, fail) => {
    const child = spawn('gcloud', args, { stdio: ['pipe', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.on('error', fail);
    child.on('exit', (code) => done({ code: code ?? 1, stdout }));
    child.stdin.end(stdin ?? '');
  });
}

/** Runs the actions; resolves an error message, or null when every secret has a current version. */
export async function storeSecrets(projectId: string, actions: SecretAction[], log: (line: string) => void): Promise<string | null> {
  for (const action of actions) {
    const problem = secretProblem(action);
    if (problem) return problem;
    const latest = await gcloud(['secrets', 'versions', 'access', 'latest', `--secret=${action.secretId}`, `--project=${projectId}`, '--quiet']);
    if (action.kind === 'keep-latest') {
      if (latest.code !== 0) return `${action.secretId} has no version yet: set ${action.variable} in the environment of npm run deploy`;
      log(`${action.secretId}: kept (no ${action.variable} in the environment)`);
      continue;
    }
    if (latest.code === 0 && latest.stdout === action.value) {
      log(`${action.secretId}: unchanged`);
      continue;
    }
    const added = await gcloud(['secrets', 'versions', 'add', action.secretId, `--project=${projectId}`, '--data-file=-', '--quiet'], action.value);
    if (added.code !== 0) return `gcloud could not add a version to ${action.secretId}`;
    log(`${action.secretId}: new version added from ${action.variable}`);
  }
  return null;
}
