/**
 * The environment infra/ gives each function, evaluated from the HCL itself (what Terraform reads):
 * plain variables from `environment_variables`, secret ones from `secret_environment_variables`.
 * Variables take their defaults unless given; a deploy-time resource (a bucket's or topic's name, a
 * secret's value) comes from a map of local equivalents, and one missing from the map is an error,
 * so a new resource in a function's environment is noticed rather than guessed.
 */
import { parse } from '@cdktf/hcl2json';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateTemplate, hclString, type HclScope, type HclValue } from '../lib/hcl-expression.js';
import { first, parseInfra, reference } from '../lib/infra-model.js';

type Block = Record<string, unknown>;

/** What the rehearsal's env mapping needs from infra/, read once. */
export interface InfraDeclaration {
  functions: Array<{ resource: string; entryPoint: string; service: Block }>;
  locals: Block;
  /** Variable name → its default, when it has one. */
  defaults: Map<string, HclValue>;
  infraDir: string;
}

export interface LocalEquivalents {
  /** Values for variables without a default, or to override one (`project_id`). */
  variables: Record<string, HclValue>;
  /** Resource attribute reference → local value, e.g. `google_storage_bucket.images.name` → `synthetic-images`. */
  resources: Record<string, string>;
  /** Secret resource address → local value, e.g. `google_secret_manager_secret.instructor_token` → a token. */
  secrets: Record<string, string>;
}

export async function readInfraDeclaration(infraDir: string): Promise<InfraDeclaration> {
  const { resources, locals } = await parseInfra(infraDir);
  const defaults = new Map<string, HclValue>();
  for (const file of readdirSync(infraDir).filter((name) => name.endsWith('.tf'))) {
    const parsed = (await parse(file, readFileSync(join(infraDir, file), 'utf8'))) as { variable?: Record<string, Block[]> };
    for (const [name, [body]] of Object.entries(parsed.variable ?? {})) if (body && 'default' in body) defaults.set(name, body.default as HclValue);
  }
  const functions = Object.entries(resources.google_cloudfunctions2_function ?? {}).map(([resource, body]) => ({
    resource,
    entryPoint: String(first(body.build_config).entry_point),
    service: first(body.service_config),
  }));
  return { functions, locals, defaults, infraDir };
}

function scopeOf(declaration: InfraDeclaration, local: LocalEquivalents): HclScope {
  const evaluated = new Map<string, HclValue>();
  const scope: HclScope = {
    variable(name) {
      if (name in local.variables) return local.variables[name]!;
      if (declaration.defaults.has(name)) return declaration.defaults.get(name)!;
      throw new Error(`var.${name} has no default and no local value`);
    },
    local(name) {
      if (!evaluated.has(name)) {
        if (!(name in declaration.locals)) throw new Error(`local.${name} is not declared in infra/`);
        evaluated.set(name, evaluateValue(declaration.locals[name], scope));
      }
      return evaluated.get(name)!;
    },
    resource(address) {
      if (address in local.resources) return local.resources[address]!;
      throw new Error(`${address} is a deploy-time resource with no local equivalent: add one to the rehearsal's map`);
    },
    path: { module: declaration.infraDir },
  };
  return scope;
}

/** A value as hcl2json gives it: a string is a template, objects and lists hold more values. */
function evaluateValue(value: unknown, scope: HclScope): HclValue {
  if (typeof value === 'string') return evaluateTemplate(value, scope);
  if (Array.isArray(value)) return value.map((item) => evaluateValue(item, scope));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, evaluateValue(item, scope)]));
  return value as HclValue;
}

/** Secret variables: static blocks always, a `dynamic` block once per element its `for_each` evaluates to. */
function secretEnvironment(service: Block, scope: HclScope, local: LocalEquivalents, fn: string): Record<string, string> {
  const keyed: Array<[string, string]> = [];
  for (const secret of (service.secret_environment_variables ?? []) as Block[]) keyed.push([String(secret.key), reference(secret.secret)]);
  // A secret's id stands for the secret here: its value is what the local map supplies.
  const secretScope: HclScope = { ...scope, resource: (address) => (address.startsWith('google_secret_manager_secret.') ? address : scope.resource(address)) };
  for (const block of (first(service.dynamic).secret_environment_variables ?? []) as Block[]) {
    const each = evaluateValue(block.for_each, secretScope);
    if (!Array.isArray(each)) throw new Error('a dynamic secret_environment_variables block iterates over something other than a list');
    for (const secret of each) for (const content of block.content as Block[]) keyed.push([String(content.key), reference(secret)]);
  }
  const env: Record<string, string> = {};
  for (const [key, secret] of keyed) {
    const value = local.secrets[secret];
    if (value === undefined) throw new Error(`${fn}: ${key} comes from ${secret}, which has no local value`);
    env[key] = value;
  }
  return env;
}

/** Entry point (`generateImage`) → the exact environment infra/ declares for it, with local equivalents in place of deploy-time values. */
export function functionEnvironments(declaration: InfraDeclaration, local: LocalEquivalents): Map<string, Record<string, string>> {
  const scope = scopeOf(declaration, local);
  const result = new Map<string, Record<string, string>>();
  for (const fn of declaration.functions) {
    const where = `${fn.entryPoint} (google_cloudfunctions2_function.${fn.resource})`;
    try {
      const plain = evaluateValue(fn.service.environment_variables ?? {}, scope);
      if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) throw new Error('environment_variables is not a map');
      const env = Object.fromEntries(Object.entries(plain).map(([key, value]) => [key, hclString(value)]));
      result.set(fn.entryPoint, { ...env, ...secretEnvironment(fn.service, scope, local, fn.entryPoint) });
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`, { cause: error });
    }
  }
  return result;
}
