/**
 * `npm run infra:validate`: a real `tofu validate` of infra/ against the real Google provider schema,
 * with no Terraform registry. OpenTofu and the provider are built from source into .tools/ (once;
 * later runs reuse them), the provider is served from a local filesystem mirror, and OpenTofu runs
 * in a temporary copy of infra/ so the working tree gets no .terraform folder or lock file.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliConfig, ensureGoTool, formatSeconds, goPlatform, GOOGLE_PROVIDER, layOutMirror, OPENTOFU } from './go-tools.js';
import { projectRoot, toolsDir } from '../lib/index.js';
import { loadShape } from '../stack/shape.js';
import { PLAN_TESTS, shapePlanTests } from './infra-plan-tests.js';
import { scanInfraForSecrets } from '../lib/secret-scan.js';

const log = (line: string) => console.error(line);

function runTofu(tofu: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(tofu, args, { cwd, env, stdio: 'inherit' });
    child.on('error', fail);
    child.on('exit', (code) => done(code ?? 1));
  });
}

/** Only the configuration (and the shape it reads): never tfvars (secrets), state, or an earlier .terraform folder. */
function copyConfiguration(from: string, to: string): string[] {
  const files = readdirSync(from).filter((name) => name.endsWith('.tf') || name === 'shape.json');
  for (const name of files) copyFileSync(join(from, name), join(to, name));
  return files;
}

async function main(): Promise<number> {
  const started = Date.now();
  // Cheap and first: a secret value in the configuration would land in the plan and state.
  const secrets = await scanInfraForSecrets(join(projectRoot, 'infra'));
  if (secrets.length > 0) {
    log(`infra/ would put secret values into Terraform's plan and state:\n  ${secrets.join('\n  ')}`);
    return 1;
  }
  log('no secret value in the plan or state (scripts/lib/secret-scan.ts)');
  const bin = join(toolsDir, 'bin');
  const platform = await goPlatform();
  const tofu = await ensureGoTool(OPENTOFU, join(bin, 'tofu'), log);
  const provider = await ensureGoTool(GOOGLE_PROVIDER, join(bin, 'terraform-provider-google'), log);
  const mirror = layOutMirror(join(toolsDir, 'plugins'), provider.path, GOOGLE_PROVIDER, platform);
  const configFile = join(toolsDir, 'tofu-mirror.tfrc');
  writeFileSync(configFile, cliConfig(mirror));
  log(`provider mirror: ${mirror} (${platform}); CLI config: ${configFile}`);

  const work = mkdtempSync(join(tmpdir(), 'infra-validate-'));
  const env: NodeJS.ProcessEnv = { ...process.env, TF_CLI_CONFIG_FILE: configFile, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1' };
  delete env.TF_PLUGIN_CACHE_DIR;
  try {
    const files = copyConfiguration(join(projectRoot, 'infra'), work);
    writeFileSync(join(work, 'validate.tftest.hcl'), PLAN_TESTS + shapePlanTests(loadShape()));
    log(`checking ${files.length} files from infra/ in ${work}`);
    const steps: { args: string[]; hint: string }[] = [
      { args: ['fmt', '-check', '-diff'], hint: `format them with: ${tofu.path} fmt infra` },
      { args: ['init', '-backend=false', '-input=false'], hint: 'the provider mirror or a required_providers block is wrong' },
      { args: ['validate'], hint: 'fix the configuration errors above' },
      { args: ['test'], hint: 'a plan with mocked Google APIs failed: see the run named above' },
    ];
    for (const { args, hint } of steps) {
      const stepStarted = Date.now();
      log(`\n$ tofu ${args.join(' ')}`);
      const code = await runTofu(tofu.path, args, work, env);
      if (code !== 0) {
        log(`tofu ${args[0]} failed (exit ${code}): ${hint}`);
        return 1;
      }
      log(`(${formatSeconds((Date.now() - stepStarted) / 1000)})`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const built = [tofu, provider].filter((result) => result.built).map((result) => formatSeconds(result.seconds));
  log(`\ninfra/ is valid (${formatSeconds((Date.now() - started) / 1000)} in all${built.length ? `; builds took ${built.join(' and ')}` : ''}).`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  log(`error: ${(error as Error).message}`);
  process.exitCode = 1;
}
