/**
 * Finds configuration that would put a secret's value into Terraform's plan and state, which are
 * plain JSON on disk (and there is no remote backend). Run by `npm run infra:validate` before tofu.
 *
 * A value reaches the plan when a resource argument holds it (`secret_data`, not the write-only
 * `secret_data_wo`) or when it is passed in as a variable that is not ephemeral: `sensitive` only
 * hides a value from the console, it still writes it to the plan and state.
 */
import { parse } from '@cdktf/hcl2json';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

type Block = Record<string, unknown>;

/** Arguments whose value is a secret and is kept in state (the `_wo` forms are not). */
const SECRET_ARGUMENTS = ['secret_data', 'password', 'private_key', 'api_key', 'secret_key'];

export async function parseTerraformFiles(files: Record<string, string>): Promise<Record<string, Block>> {
  const parsed: Record<string, Block> = {};
  for (const [name, text] of Object.entries(files)) parsed[name] = (await parse(name, text)) as Block;
  return parsed;
}

/** One line per finding: the file, the block and why its value would be stored. */
export function secretFindings(parsed: Record<string, Block>): string[] {
  const findings: string[] = [];
  for (const [file, body] of Object.entries(parsed)) {
    for (const [name, [variable]] of Object.entries((body.variable ?? {}) as Record<string, Block[]>)) {
      if (variable?.sensitive === true && variable.ephemeral !== true) {
        findings.push(`${file}: variable "${name}" is sensitive, so its value is a secret, and it is written to the plan and state (store it outside Terraform)`);
      }
    }
    for (const [type, byName] of Object.entries((body.resource ?? {}) as Record<string, Record<string, Block[]>>)) {
      for (const [name, [resource]] of Object.entries(byName)) {
        for (const argument of SECRET_ARGUMENTS.filter((key) => resource?.[key] !== undefined)) {
          findings.push(`${file}: ${type}.${name} sets ${argument}, which Terraform keeps in its plan and state (use ${argument}_wo or add the value outside Terraform)`);
        }
      }
    }
  }
  return findings;
}

export async function scanInfraForSecrets(infraDir: string): Promise<string[]> {
  const names = readdirSync(infraDir).filter((name) => name.endsWith('.tf'));
  return secretFindings(await parseTerraformFiles(Object.fromEntries(names.map((name) => [name, readFileSync(join(infraDir, name), 'utf8')]))));
}
