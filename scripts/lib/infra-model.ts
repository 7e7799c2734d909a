/**
 * Reads infra/*.tf with @cdktf/hcl2json (no Terraform needed): which service account each function
 * runs as, which Terraform resource each of its environment variables names, and every IAM grant.
 * The IAM check (iam-check.ts) compares these with the operations the functions really perform.
 */
import { parse } from '@cdktf/hcl2json';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

type Block = Record<string, unknown>;

export interface Grant {
  /** The google_service_account resource name (`assess`), or a member such as `allUsers`. */
  principal: string;
  role: string;
  /** The Terraform address the grant is bound to (`google_storage_bucket.previews`), or `project`. */
  target: string;
  /** Declared with `count`: present only in some configurations (API-key mode, the judge on). */
  conditional: boolean;
}

export interface InfraModel {
  /** Function entry point → the google_service_account it runs as. */
  accounts: Map<string, string>;
  /** Function entry point → environment variable (plain or secret) → the Terraform address it names. */
  resources: Map<string, Map<string, string>>;
  grants: Grant[];
}

export const first = (value: unknown): Block => (Array.isArray(value) ? (value[0] as Block) : ((value ?? {}) as Block));

/** The Terraform address of the first resource an expression refers to, e.g. google_storage_bucket.images. */
export const reference = (value: unknown): string => /(google_[a-z0-9_]+\.[a-z0-9_]+)/.exec(String(value))?.[1] ?? String(value);

export async function parseInfra(infraDir: string): Promise<{ resources: Record<string, Record<string, Block>>; locals: Block; text: string }> {
  const resources: Record<string, Record<string, Block>> = {};
  const locals: Block = {};
  const files = readdirSync(infraDir).filter((name) => name.endsWith('.tf'));
  const parsed = await Promise.all(files.map(async (name) => (await parse(name, readFileSync(join(infraDir, name), 'utf8'))) as Block));
  for (const file of parsed) {
    for (const [type, byName] of Object.entries((file.resource ?? {}) as Record<string, Record<string, Block[]>>)) {
      for (const [name, [body]] of Object.entries(byName)) (resources[type] ??= {})[name] = body!;
    }
    for (const block of (file.locals ?? []) as Block[]) Object.assign(locals, block);
  }
  return { resources, locals, text: JSON.stringify(parsed) };
}

/** An environment map, whether written inline, as `local.x`, or as `merge(local.x, { KEY = "…" })`: key → expression. */
function environment(value: unknown, locals: Block): Map<string, string> {
  const entries = new Map<string, string>();
  if (typeof value === 'object' && value !== null) {
    for (const [key, expression] of Object.entries(value)) entries.set(key, String(expression));
    return entries;
  }
  const text = String(value);
  for (const [, name] of text.matchAll(/local\.([a-z0-9_]+)/g)) for (const [key, expression] of Object.entries(first(locals[name!]))) entries.set(key, String(expression));
  for (const [, key, expression] of text.matchAll(/^\s*([A-Z][A-Z0-9_]*)\s*=\s*(.+)$/gm)) entries.set(key!, expression!);
  return entries;
}

/** Secret environment variables, direct or in a `dynamic` block: key → the secret resource. */
function secrets(service: Block): Map<string, string> {
  const entries = new Map<string, string>();
  for (const secret of (service.secret_environment_variables ?? []) as Block[]) entries.set(String(secret.key), reference(secret.secret));
  for (const block of (first(service.dynamic).secret_environment_variables ?? []) as Block[]) {
    for (const secret of block.content as Block[]) entries.set(String(secret.key), reference(block.for_each));
  }
  return entries;
}

function grants(resources: Record<string, Record<string, Block>>, locals: Block): Grant[] {
  const found: Grant[] = [];
  const members = first(locals.runtime_members);
  for (const [type, byName] of Object.entries(resources)) {
    if (!/_iam_(member|binding|policy)$/.test(type)) continue;
    for (const body of Object.values(byName)) {
      const forEach = body.for_each;
      const eachValues =
        typeof forEach === 'object' && forEach !== null
          ? Object.values(forEach)
          : /^\$\{local\.runtime_members\}$/.test(String(forEach))
            ? Object.values(members)
            : forEach === undefined
              ? [undefined]
              : [...String(forEach).matchAll(/"([^"]+)"/g)].map(([, value]) => value);
      for (const each of eachValues) {
        const substitute = (value: unknown) => String(value).replace('${each.value}', String(each));
        const target = type.startsWith('google_project_') ? 'project' : reference(substitute(body.bucket ?? body.topic ?? body.secret_id ?? body.repository ?? body.name));
        for (const raw of [body.member, ...((body.members ?? []) as unknown[])].filter(Boolean)) {
          const member = substitute(raw).replace(/\$\{local\.runtime_members\.(\w+)\}/, (_, key: string) => String(members[key]));
          const principal = /google_service_account\.(\w+)\./.exec(member)?.[1] ?? (member.includes('storage_project_service_account') ? 'storage-agent' : member);
          found.push({ principal, role: substitute(body.role), target, conditional: body.count !== undefined });
        }
      }
    }
  }
  return found;
}

export async function readInfraModel(infraDir: string): Promise<InfraModel> {
  const { resources, locals } = await parseInfra(infraDir);
  const accounts = new Map<string, string>();
  const named = new Map<string, Map<string, string>>();
  for (const fn of Object.values(resources.google_cloudfunctions2_function ?? {})) {
    const entryPoint = String(first(fn.build_config).entry_point);
    const service = first(fn.service_config);
    accounts.set(entryPoint, reference(service.service_account_email).replace(/^google_service_account\./, ''));
    const byVariable = new Map<string, string>();
    for (const [key, expression] of environment(service.environment_variables, locals)) {
      if (/google_[a-z0-9_]+\./.test(expression)) byVariable.set(key, reference(expression));
    }
    for (const [key, secret] of secrets(service)) byVariable.set(key, secret);
    named.set(entryPoint, byVariable);
  }
  return { accounts, resources: named, grants: grants(resources, locals) };
}
