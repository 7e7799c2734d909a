/**
 * Checks, in well under a second, that the local stack's tools are installed, and says how to
 * install what is missing. Without this, a missing gcloud or Java shows up only as an emulator
 * that never answers.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';

/** The executable `command` resolves to on `path`, as a shell would find it, or null. */
export function findOnPath(command: string, path: string | undefined): string | null {
  for (const dir of (path ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this folder.
    }
  }
  return null;
}

export interface PrerequisiteOptions {
  env?: NodeJS.ProcessEnv;
  /** Go is needed only to install fake-gcs-server, the first time. */
  needGo: boolean;
}

const EMULATORS = [
  { component: 'cloud-firestore-emulator', apt: 'google-cloud-cli-firestore-emulator', what: 'the Firestore emulator' },
  { component: 'pubsub-emulator', apt: 'google-cloud-cli-pubsub-emulator', what: 'the Pub/Sub emulator' },
];

/** Every missing prerequisite, each with the command that installs it; empty when all is there. */
export async function missingPrerequisites(options: PrerequisiteOptions): Promise<string[]> {
  const path = (options.env ?? process.env).PATH;
  const problems: string[] = [];
  const gcloud = findOnPath('gcloud', path);
  if (!gcloud) {
    problems.push('gcloud is not on PATH; it runs the Firestore and Pub/Sub emulators. Install the Google Cloud CLI (https://cloud.google.com/sdk/docs/install; on Debian or Ubuntu: sudo apt-get install google-cloud-cli google-cloud-cli-firestore-emulator google-cloud-cli-pubsub-emulator)');
  } else {
    // gcloud is <sdk>/bin/gcloud, usually through a symlink; the emulators are components under <sdk>/platform.
    const sdk = dirname(dirname(realpathSync(gcloud)));
    const fromApt = sdk.startsWith('/usr/lib/google-cloud-sdk');
    for (const emulator of EMULATORS) {
      if (existsSync(join(sdk, 'platform', emulator.component))) continue;
      problems.push(`${emulator.what} is not installed in ${sdk}. Install it with: ${fromApt ? `sudo apt-get install ${emulator.apt}` : `gcloud components install ${emulator.component} beta`}`);
    }
  }
  const java = await javaProblem(path);
  if (java) problems.push(java);
  if (options.needGo && !findOnPath('go', path)) {
    problems.push('go is not on PATH; it installs fake-gcs-server into .tools/bin, once. Install Go ≥ 1.25 (https://go.dev/doc/install), then run the command again');
  }
  return problems;
}

const JAVA_INSTALL = 'Install Java 17: sudo apt-get install openjdk-17-jre-headless (or any JRE ≥ 11, with java on PATH)';

async function javaProblem(path: string | undefined): Promise<string | null> {
  const java = findOnPath('java', path);
  if (!java) return `java is not on PATH; the Firestore and Pub/Sub emulators run on it. ${JAVA_INSTALL}`;
  try {
    // `java -version` writes to stderr: `openjdk version "17.0.15" …` or `java version "1.8.0_…"`.
    const { stderr } = await promisify(execFile)(java, ['-version'], { timeout: 10_000 });
    const version = /version "(\d+)(?:\.(\d+))?/.exec(stderr);
    const major = version ? (version[1] === '1' ? Number(version[2]) : Number(version[1])) : NaN;
    return major < 11 ? `java at ${java} is version ${major}; the emulators need 11 or newer. ${JAVA_INSTALL}` : null;
  } catch (error) {
    return `java at ${java} does not run (${(error as Error).message.split('\n')[0]}). ${JAVA_INSTALL}`;
  }
}
