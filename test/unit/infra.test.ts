import { parse } from '@cdktf/hcl2json';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, LOCAL_ONLY_VARIABLES } from '../../functions/config.js';
import { readInfraModel } from '../../scripts/lib/infra-model.js';

type Block = Record<string, unknown>;
const root = resolve(import.meta.dirname, '../..');
const infraDir = join(root, 'infra');
const FUNCTION = 'google_cloudfunctions2_function';

let resources: Record<string, Record<string, Block>>;
let locals: Block;
let configText: string;

beforeAll(async () => {
  resources = {};
  locals = {};
  const files = readdirSync(infraDir).filter((name) => name.endsWith('.tf'));
  const parsed = await Promise.all(files.map(async (name) => (await parse(name, readFileSync(join(infraDir, name), 'utf8'))) as Block));
  for (const file of parsed) {
    for (const [type, byName] of Object.entries((file.resource ?? {}) as Record<string, Record<string, Block[]>>)) {
      for (const [name, [body]] of Object.entries(byName)) (resources[type] ??= {})[name] = body!;
    }
    for (const block of (file.locals ?? []) as Block[]) Object.assign(locals, block);
  }
  configText = JSON.stringify(parsed);
});

const first = (value: unknown): Block => (Array.isArray(value) ? (value[0] as Block) : ((value ?? {}) as Block));
const functions = () => Object.entries(resources[FUNCTION] ?? {});

/** The Terraform address of the first resource an expression refers to, e.g. google_storage_bucket.images. */
const reference = (value: unknown) => /(google_[a-z0-9_]+\.[a-z0-9_]+)/.exec(String(value))?.[1] ?? String(value);

/** Keys of an environment map, whether written inline, as `local.x`, or as `merge(local.x, { KEY = … })`. */
function environmentKeys(value: unknown): string[] {
  if (typeof value === 'object' && value !== null) return Object.keys(value);
  const text = String(value);
  const fromLocals = [...text.matchAll(/local\.([a-z0-9_]+)/g)].flatMap(([, name]) => Object.keys(first(locals[name!])));
  const literal = [...text.matchAll(/^\s*([A-Z][A-Z0-9_]*)\s*=/gm)].map(([, key]) => key!);
  return [...fromLocals, ...literal];
}

function secretKeys(service: Block): string[] {
  const direct = ((service.secret_environment_variables ?? []) as Block[]).map((secret) => String(secret.key));
  const dynamic = (first(service.dynamic).secret_environment_variables ?? []) as Block[];
  return [...direct, ...dynamic.flatMap((block) => (block.content as Block[]).map((secret) => String(secret.key)))];
}

function functionByEntryPoint(entryPoint: string): Block {
  const matches = functions().filter(([, body]) => first(body.build_config).entry_point === entryPoint);
  expect(matches, `google_cloudfunctions2_function with entry_point ${entryPoint}`).toHaveLength(1);
  return matches[0]![1];
}

const registered = () =>
  [...readFileSync(join(root, 'functions/index.ts'), 'utf8').matchAll(/functions\.(http|cloudEvent)\(\s*'([^']+)'/g)].map(([, kind, name]) => ({ kind: kind!, name: name! }));

/** What each function must look like; a newly registered function fails until it is added here. */
const DEPLOYED: Record<string, { account: string; eventType?: string; from?: [string, string]; secrets: string[]; env: string[] }> = {
  api: { account: 'api', secrets: ['INSTRUCTOR_TOKEN'], env: [] },
  generateImage: {
    account: 'generate',
    eventType: 'google.cloud.pubsub.topic.v1.messagePublished',
    from: ['pubsub_topic', 'google_pubsub_topic.generation'],
    secrets: ['GEMINI_API_KEY'],
    env: ['GOOGLE_GENAI_USE_VERTEXAI', 'GOOGLE_CLOUD_LOCATION'],
  },
  // The content judge runs in assessImage, so it gets the same Gemini credentials mode as the generator.
  assessImage: {
    account: 'assess',
    eventType: 'google.cloud.storage.object.v1.finalized',
    from: ['bucket', 'google_storage_bucket.images'],
    secrets: ['GEMINI_API_KEY'],
    env: ['GOOGLE_GENAI_USE_VERTEXAI', 'GOOGLE_CLOUD_LOCATION'],
  },
  // It judges owed verdicts again through the assessor's code, so it has the judge's credentials mode.
  reconcile: { account: 'reconcile', secrets: ['GEMINI_API_KEY'], env: ['GOOGLE_GENAI_USE_VERTEXAI', 'GOOGLE_CLOUD_LOCATION'] },
};

describe('infra/: the functions', () => {
  it('registers the functions the table describes', () => {
    expect(registered().map((fn) => fn.name).sort()).toEqual(Object.keys(DEPLOYED).sort());
    expect(functions()).toHaveLength(registered().length);
  });

  it.each(Object.entries(DEPLOYED))('deploys %s with its trigger, its own account and retries', (entryPoint, expected) => {
    const kind = registered().find((fn) => fn.name === entryPoint)?.kind;
    const fn = functionByEntryPoint(entryPoint);
    const service = first(fn.service_config);
    expect(reference(service.service_account_email)).toBe(`google_service_account.${expected.account}`);
    expect(kind).toBe(expected.eventType ? 'cloudEvent' : 'http');
    if (!expected.eventType) return expect(fn.event_trigger).toBeUndefined();
    const trigger = first(fn.event_trigger);
    const filters = ((trigger.event_filters ?? []) as Block[]).map((filter) => [filter.attribute, reference(filter.value)]);
    expect([trigger.event_type, trigger.retry_policy, reference(trigger.service_account_email)]).toEqual([expected.eventType, 'RETRY_POLICY_RETRY', 'google_service_account.trigger']);
    expect(trigger.pubsub_topic ? [['pubsub_topic', reference(trigger.pubsub_topic)]] : filters).toEqual([expected.from]);
  });

  const production = CONFIG_VARIABLES.filter((name) => !LOCAL_ONLY_VARIABLES.includes(name));
  const secretOnly = new Set(Object.values(DEPLOYED).flatMap((fn) => fn.secrets));

  it.each(Object.entries(DEPLOYED))('sets every production variable (and only its own secrets) on %s', (entryPoint, expected) => {
    const service = first(functionByEntryPoint(entryPoint).service_config);
    const plain = environmentKeys(service.environment_variables);
    const set = new Set([...plain, ...secretKeys(service)]);
    const missing = [...production, ...expected.env].filter((name) => !set.has(name) && !(secretOnly.has(name) && !expected.secrets.includes(name)));
    expect(missing, `missing on ${entryPoint}`).toEqual([]);
    expect(LOCAL_ONLY_VARIABLES.filter((name) => set.has(name))).toEqual([]);
    // Secrets only as Secret Manager references, and only where they are needed.
    expect(secretKeys(service).sort()).toEqual([...expected.secrets].sort());
    expect(plain.filter((name) => secretOnly.has(name))).toEqual([]);
  });

  it('mounts the Gemini key only in API-key mode', () => {
    const generate = first(functionByEntryPoint('generateImage').service_config);
    expect(String(((first(generate.dynamic).secret_environment_variables ?? []) as Block[])[0]?.for_each)).toContain('local.api_key_mode');
    expect(String(((first(first(functionByEntryPoint('assessImage').service_config).dynamic).secret_environment_variables ?? []) as Block[])[0]?.for_each)).toContain('local.judge_key_mode');
    expect(resources.google_secret_manager_secret!.gemini_api_key!.count).toContain('local.gemini_key');
  });
});

/** Every IAM grant as "role on target" per principal, read from the HCL by the same reader the IAM check uses. */
async function grantsByPrincipal(): Promise<Record<string, string[]>> {
  const grants: Record<string, string[]> = {};
  for (const grant of (await readInfraModel(infraDir)).grants) (grants[grant.principal] ??= []).push(`${grant.role} on ${grant.target}`);
  return Object.fromEntries(Object.entries(grants).map(([principal, list]) => [principal, list.sort()]));
}

describe('infra/: least privilege', () => {
  // The functions' own accounts are checked against what their code does, recorded on the emulator
  // stack (test/integration/permissions.test.ts). These are the platform's accounts, which no code of ours drives.
  it('gives the platform\'s accounts only delivery, scheduling and build roles', async () => {
    const project = 'project';
    const grants = (...pairs: [string, string][]) => pairs.map(([role, target]) => `roles/${role} on ${target}`).sort();
    const all = await grantsByPrincipal();
    expect(Object.keys(all).sort()).toEqual(['allUsers', 'api', 'assess', 'build', 'generate', 'reconcile', 'scheduler', 'storage-agent', 'trigger']);
    expect({ scheduler: all.scheduler, trigger: all.trigger, build: all.build, 'storage-agent': all['storage-agent'], allUsers: all.allUsers }).toEqual({
      scheduler: grants(['run.invoker', 'google_cloudfunctions2_function.reconcile']),
      trigger: grants(['eventarc.eventReceiver', project], ['run.invoker', 'google_cloudfunctions2_function.assess'], ['run.invoker', 'google_cloudfunctions2_function.generate']),
      build: grants(['artifactregistry.writer', 'google_artifact_registry_repository.functions'], ['logging.logWriter', project], ['storage.objectAdmin', project], ['storage.objectViewer', 'google_storage_bucket.source']),
      'storage-agent': grants(['pubsub.publisher', project]),
      allUsers: grants(['run.invoker', 'google_cloudfunctions2_function.api']),
    });
  });

  it('grants no owner or editor role and nothing to allAuthenticatedUsers anywhere', () => {
    expect(configText).not.toMatch(/roles\/(owner|editor)\b/);
    expect(configText).not.toContain('allAuthenticatedUsers');
    expect(configText.match(/allUsers/g)).toHaveLength(1);
  });

  it('limits the build account\'s project-wide storage grant to the gcf-v2 staging buckets', () => {
    const condition = first(resources.google_project_iam_member!.build_staged_sources!.condition);
    expect(condition.expression).toBe('resource.name.startsWith("projects/_/buckets/gcf-v2-")');
  });
});

describe('infra/: storage', () => {
  it.each(['images', 'previews', 'source'])('keeps the %s bucket private', (name) => {
    const bucket = resources.google_storage_bucket![name]!;
    expect([bucket.uniform_bucket_level_access, bucket.public_access_prevention]).toEqual([true, 'enforced']);
  });

  it.each(['images', 'previews'])('deletes the workshop\'s %s after the retention period', (name) => {
    const rule = first(resources.google_storage_bucket![name]!.lifecycle_rule);
    expect([first(rule.action).type, first(rule.condition).age]).toEqual(['Delete', '${var.retention_days}']);
  });
});

describe('infra/: retention in one piece', () => {
  it('expires runs and prompts by Firestore TTL on the expireAt the functions stamp from the same retention_days', () => {
    const ttl = resources.google_firestore_field!.run_ttl!;
    expect([String(ttl.for_each), ttl.field, Array.isArray(ttl.ttl_config)]).toEqual(['${toset(["runs", "prompts"])}', 'expireAt', true]);
    expect(String(first(locals.common_env).RETENTION_DAYS)).toContain('var.retention_days');
  });
});

describe('infra/: the reconciler', () => {
  it('is called by Cloud Scheduler with an OIDC token of the one account allowed to invoke it, on the configured cadence', () => {
    const job = resources.google_cloud_scheduler_job!.reconcile!;
    const target = first(job.http_target);
    const token = first(target.oidc_token);
    expect([target.http_method, reference(target.uri), reference(token.service_account_email), reference(token.audience)]).toEqual([
      'POST', 'google_cloudfunctions2_function.reconcile', 'google_service_account.scheduler', 'google_cloudfunctions2_function.reconcile',
    ]);
    expect(String(job.schedule)).toContain('var.reconcile_interval_minutes');
    expect(String(first(locals.common_env).RECONCILE_INTERVAL_SECONDS)).toContain('var.reconcile_interval_minutes * 60');
  });

  it('declares the collection-group indexes its stale-prompt queries need', () => {
    const index = resources.google_firestore_index!.stale_prompts!;
    expect([index.collection, index.query_scope, String(index.for_each)]).toEqual(['prompts', 'COLLECTION_GROUP', '${toset(["queuedAt", "leaseExpiresAt", "generatedAt"])}']);
  });

  it('declares the composite indexes the reference list queries need (each side of the OR, and the instructor\'s unfiltered list)', () => {
    const fieldsOf = (index: Block) => (index.fields as Block[]).map((field) => `${field.field_path} ${field.order}`);
    const { references_visible: visible, references_all: all } = resources.google_firestore_index!;
    expect([visible!.collection, String(visible!.for_each), fieldsOf(visible!)]).toEqual(['references', '${toset(["owner", "shared"])}', ['${each.value} ASCENDING', 'createdAt DESCENDING', 'referenceId DESCENDING', '__name__ DESCENDING']]);
    expect([all!.collection, fieldsOf(all!)]).toEqual(['references', ['createdAt DESCENDING', 'referenceId DESCENDING', '__name__ DESCENDING']]);
  });
});

describe('infra/: the optional load balancer in front of the api', () => {
  const all = (type: string) => Object.entries(resources[type] ?? {});

  it('creates every part only when api_load_balancer is set', () => {
    const parts = Object.entries(resources).flatMap(([type, byName]) => (type.startsWith('google_compute_') ? Object.entries(byName).map(([name, body]) => [`${type}.${name}`, body.count]) : []));
    expect(parts.map(([address]) => address).sort()).toEqual([
      'google_compute_backend_service.api', 'google_compute_global_address.api', 'google_compute_global_forwarding_rule.api', 'google_compute_managed_ssl_certificate.api',
      'google_compute_region_network_endpoint_group.api', 'google_compute_security_policy.api', 'google_compute_target_https_proxy.api', 'google_compute_url_map.api',
    ]);
    expect(new Set(parts.map(([, count]) => count))).toEqual(new Set(['${local.load_balancer}']));
    expect(String(locals.load_balancer)).toBe('${var.api_load_balancer ? 1 : 0}');
  });

  it('refuses Content-Encoding in its first rule, attaches the policy, and lets only the balancer reach the api', () => {
    const [[, policy]] = all('google_compute_security_policy') as [[string, Block]];
    const rules = (policy.rule as Block[]).map((rule) => [rule.priority, rule.action, first(first(rule.match).expr).expression]);
    expect(rules[0]).toEqual([1000, 'deny(403)', "has(request.headers['content-encoding'])"]);
    expect(reference(resources.google_compute_backend_service!.api!.security_policy)).toBe('google_compute_security_policy.api');
    expect(reference(first(resources.google_compute_region_network_endpoint_group!.api!.cloud_run).service)).toBe('google_cloudfunctions2_function.api');
    expect(first(functionByEntryPoint('api').service_config).ingress_settings).toBe('${var.api_load_balancer ? "ALLOW_INTERNAL_AND_GCLB" : "ALLOW_ALL"}');
  });
});
