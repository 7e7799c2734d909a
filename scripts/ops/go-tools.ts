import { execFile, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Builds OpenTofu and the Google provider from source through the Go module proxy, because this
 * machine reaches no Terraform registry. Both go.mod files carry replace directives, which
 * `go install module@version` refuses, so each module is downloaded and built in place.
 */
export interface GoTool {
  label: string;
  module: string;
  /** The version the Go module proxy serves. */
  moduleVersion: string;
  /** The release the binary is stamped with. */
  releaseVersion: string;
  /** The main package, relative to the module root. */
  packagePath: string;
  /** `-X` settings the project's own release build uses, so the binary reports its version. */
  versionFlags: string[];
  /** Measured on a 2-core machine with empty Go caches, for the progress message. */
  coldBuild: string;
}

/** Pinned; go.mod asks for Go 1.24.13, so Go 1.26 builds it. Bump here and the stamp triggers a rebuild. */
export const OPENTOFU: GoTool = {
  label: 'OpenTofu',
  module: 'github.com/opentofu/opentofu',
  moduleVersion: 'v1.10.10',
  releaseVersion: '1.10.10',
  packagePath: './cmd/tofu',
  versionFlags: ['-X', 'github.com/opentofu/opentofu/version.dev=no'],
  coldBuild: 'about 2½–4 min on 2 cores and 3 GB of Go module and build cache',
};

/**
 * Pinned to the provider release infra/versions.tf allows (~> 8.0). The module path has no /v8
 * suffix, so Go cannot name the v8.0.0 tag: the proxy serves that commit as a v1 pseudo-version.
 */
export const GOOGLE_PROVIDER: GoTool = {
  label: 'terraform-provider-google',
  module: 'github.com/hashicorp/terraform-provider-google',
  moduleVersion: 'v1.20.1-0.20260828184646-f3721fb45fa3',
  releaseVersion: '8.0.0',
  packagePath: '.',
  versionFlags: ['-X', 'github.com/hashicorp/terraform-provider-google/version.ProviderVersion=8.0.0'],
  coldBuild: 'about 3½–5 min on 2 cores and 2.3 GB of Go module and build cache',
};

/** Hostnames the mirror answers for: OpenTofu resolves `hashicorp/google` to the first, Terraform to the second. */
export const REGISTRY_HOSTS = ['registry.opentofu.org', 'registry.terraform.io'];

export function buildArgs(tool: GoTool, output: string): string[] {
  return ['build', '-trimpath', '-ldflags', ['-s', '-w', ...tool.versionFlags].join(' '), '-o', output, tool.packagePath];
}

/** What the stamp next to a binary records: a change to any of it means a rebuild. */
export function stampText(tool: GoTool): string {
  return `${tool.module}@${tool.moduleVersion} ${tool.versionFlags.join(' ')}\n`;
}

/** `<mirror>/<host>/hashicorp/google/<version>/<os>_<arch>/terraform-provider-google_v<version>`, the unpacked mirror layout. */
export function mirrorBinaryPath(mirror: string, host: string, tool: GoTool, platform: string): string {
  return join(mirror, host, 'hashicorp', 'google', tool.releaseVersion, platform, `terraform-provider-google_v${tool.releaseVersion}`);
}

/** A CLI configuration that installs providers from the local mirror only, never from the network. */
export function cliConfig(mirror: string): string {
  return `provider_installation {
  filesystem_mirror {
    path = ${JSON.stringify(mirror)}
  }
}
`;
}

export function formatSeconds(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s` : `${seconds.toFixed(1)}s`;
}

// readonly: a module in the cache must build exactly as published, and the cache must stay untouched.
const GO_ENV = { GOFLAGS: '-mod=readonly -buildvcs=false', CGO_ENABLED: '0' };

async function goOutput(args: string[], cwd?: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('go', args, { cwd, env: { ...process.env, ...GO_ENV }, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr || String(error);
    throw new Error(`go ${args.join(' ')} failed: is Go ≥ 1.25 on PATH and the Go module proxy reachable?\n${detail}`, { cause: error });
  }
}

export async function goPlatform(): Promise<string> {
  const [os, arch] = (await goOutput(['env', 'GOOS', 'GOARCH'])).trim().split(/\s+/);
  return `${os}_${arch}`;
}

/** Downloads the module into the module cache and returns its (read-only) source folder. */
async function moduleDir(tool: GoTool): Promise<string> {
  const info = JSON.parse(await goOutput(['mod', 'download', '-json', `${tool.module}@${tool.moduleVersion}`])) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${tool.module}@${tool.moduleVersion}: ${info.Error ?? 'no source folder'}`);
  return info.Dir;
}

/** Runs `go build`, passing its output through and printing a heartbeat, since a cold build is quiet for minutes. */
function goBuild(args: string[], cwd: string, log: (line: string) => void, started: number): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn('go', args, { cwd, env: { ...process.env, ...GO_ENV }, stdio: ['ignore', 'inherit', 'inherit'] });
    const heartbeat = setInterval(() => log(`  … still building (${formatSeconds((Date.now() - started) / 1000)})`), 60_000);
    child.on('error', (error) => (clearInterval(heartbeat), fail(error)));
    child.on('exit', (code) => {
      clearInterval(heartbeat);
      if (code === 0) done();
      else fail(new Error(`go ${args.join(' ')} exited with ${code} in ${cwd}`));
    });
  });
}

export interface BuildResult {
  path: string;
  built: boolean;
  seconds: number;
}

/** Builds `tool` into `output` unless the stamp says that exact version is already there. */
export async function ensureGoTool(tool: GoTool, output: string, log: (line: string) => void): Promise<BuildResult> {
  const stamp = `${output}.version`;
  if (existsSync(output) && existsSync(stamp) && readFileSync(stamp, 'utf8') === stampText(tool)) {
    log(`${tool.label} ${tool.releaseVersion}: already built (${output})`);
    return { path: output, built: false, seconds: 0 };
  }
  const started = Date.now();
  log(`${tool.label} ${tool.releaseVersion}: downloading ${tool.module}@${tool.moduleVersion} …`);
  const dir = await moduleDir(tool);
  log(`${tool.label} ${tool.releaseVersion}: building, once (${tool.coldBuild}) …`);
  mkdirSync(dirname(output), { recursive: true });
  rmSync(stamp, { force: true });
  // Built beside the target and renamed, so an interrupted build never leaves a half-written binary behind.
  const partial = `${output}.partial`;
  await goBuild(buildArgs(tool, partial), dir, log, started);
  renameSync(partial, output);
  chmodSync(output, 0o755);
  writeFileSync(stamp, stampText(tool));
  const seconds = (Date.now() - started) / 1000;
  log(`${tool.label} ${tool.releaseVersion}: built in ${formatSeconds(seconds)}`);
  return { path: output, built: true, seconds };
}

/**
 * Lays the provider out as an unpacked filesystem mirror for both registry hostnames. Hard links
 * cost no space; the stamp stays in .tools/bin, since the mirror takes any file named
 * terraform-provider-* in a package folder for the executable.
 */
export function layOutMirror(mirror: string, provider: string, tool: GoTool, platform: string): string {
  for (const host of REGISTRY_HOSTS) {
    const path = mirrorBinaryPath(mirror, host, tool, platform);
    mkdirSync(dirname(path), { recursive: true });
    rmSync(path, { force: true });
    try {
      linkSync(provider, path);
    } catch {
      copyFileSync(provider, path);
    }
  }
  return mirror;
}
