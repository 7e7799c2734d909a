import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findOnPath, missingPrerequisites } from '../../scripts/stack/prerequisites.js';
import { scratchDir } from '../support/scratch.js';

/** A PATH of one folder holding only the named commands, the real ones or stand-ins. */
function fakePath(commands: Record<string, string | { script: string }>): string {
  const bin = scratchDir('prereq-bin-');
  for (const [name, target] of Object.entries(commands)) {
    if (typeof target === 'string') symlinkSync(target, join(bin, name));
    else {
      writeFileSync(join(bin, name), `#!/bin/sh\n${target.script}\n`);
      chmodSync(join(bin, name), 0o755);
    }
  }
  return bin;
}

const realGcloud = findOnPath('gcloud', process.env.PATH) as string;
const realJava = findOnPath('java', process.env.PATH) as string;
const realGo = findOnPath('go', process.env.PATH) as string;

/** A gcloud install with no emulator components: <sdk>/bin/gcloud and an empty <sdk>/platform. */
function bareSdk(): string {
  const sdk = scratchDir('prereq-sdk-');
  mkdirSync(join(sdk, 'bin'));
  mkdirSync(join(sdk, 'platform'));
  writeFileSync(join(sdk, 'bin', 'gcloud'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(sdk, 'bin', 'gcloud'), 0o755);
  return sdk;
}

describe('missingPrerequisites', () => {
  it('finds nothing missing on this machine', async () => {
    expect(await missingPrerequisites({ needGo: true })).toEqual([]);
  });

  it.each([
    ['gcloud', { java: realJava, go: realGo }, [expect.stringMatching(/^gcloud is not on PATH; .*sudo apt-get install google-cloud-cli /)]],
    ['java', { gcloud: realGcloud, go: realGo }, [expect.stringMatching(/^java is not on PATH; .*Install Java 17: sudo apt-get install openjdk-17-jre-headless/)]],
    ['go', { gcloud: realGcloud, java: realJava }, [expect.stringMatching(/^go is not on PATH; it installs fake-gcs-server .*Install Go ≥ 1\.25/)]],
    ['an old java', { gcloud: realGcloud, go: realGo, java: { script: 'echo \'java version "1.8.0_402"\' >&2' } }, [expect.stringMatching(/is version 8; the emulators need 11 or newer/)]],
  ])('names a missing %s with the command that installs it', async (_, commands, expected) => {
    expect(await missingPrerequisites({ env: { PATH: fakePath(commands) }, needGo: true })).toEqual(expected);
  });

  it('needs Go only to install fake-gcs-server', async () => {
    expect(await missingPrerequisites({ env: { PATH: fakePath({ gcloud: realGcloud, java: realJava }) }, needGo: false })).toEqual([]);
  });

  it('names missing emulator components with the gcloud command that installs them', async () => {
    const sdk = bareSdk();
    const problems = await missingPrerequisites({ env: { PATH: `${join(sdk, 'bin')}:${fakePath({ java: realJava })}` }, needGo: false });
    expect(problems).toEqual([
      `the Firestore emulator is not installed in ${sdk}. Install it with: gcloud components install cloud-firestore-emulator beta`,
      `the Pub/Sub emulator is not installed in ${sdk}. Install it with: gcloud components install pubsub-emulator beta`,
    ]);
  });
});
