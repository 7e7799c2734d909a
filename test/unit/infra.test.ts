import { parse } from '@cdktf/hcl2json';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, LOCAL_ONLY_VARIABLES } from '../../functions/config.js';

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
  reconcile: { account: 'reconcile', secrets: [], env: [] },
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
    expect(service.available_memory).toBe('512Mi');
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

/** Every IAM grant as "role on target" per principal, with for_each and local.runtime_members expanded. */
function grantsByPrincipal(): Record<string, string[]> {
  const grants: Record<string, string[]> = {};
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
          (grants[principal] ??= []).push(`${substitute(body.role)} on ${target}`);
        }
      }
    }
  }
  return Object.fromEntries(Object.entries(grants).map(([principal, list]) => [principal, list.sort()]));
}

describe('infra/: least privilege', () => {
  it('gives each principal exactly the roles its code needs', () => {
    const [images, project] = ['google_storage_bucket.images', 'project'];
    const grants = (...pairs: [string, string][]) => pairs.map(([role, target]) => `roles/${role} on ${target}`).sort();
    expect(grantsByPrincipal()).toEqual({
      api: grants(['datastore.user', project], ['pubsub.publisher', 'google_pubsub_topic.generation'], ['secretmanager.secretAccessor', 'google_secret_manager_secret.instructor_token'], ['storage.objectUser', images], ['storage.objectUser', 'google_storage_bucket.references']),
      generate: grants(
        ['aiplatform.user', project],
        ['datastore.user', project],
        ['secretmanager.secretAccessor', 'google_secret_manager_secret.gemini_api_key'],
        ['storage.objectUser', images],
      ),
      assess: grants(['aiplatform.user', project], ['datastore.user', project], ['secretmanager.secretAccessor', 'google_secret_manager_secret.gemini_api_key'], ['storage.objectCreator', images], ['storage.objectViewer', images]),
      reconcile: grants(['datastore.user', project], ['pubsub.publisher', 'google_pubsub_topic.generation'], ['storage.objectCreator', images], ['storage.objectViewer', images]),
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
  it.each(['images', 'source'])('keeps the %s bucket private', (name) => {
    const bucket = resources.google_storage_bucket![name]!;
    expect([bucket.uniform_bucket_level_access, bucket.public_access_prevention]).toEqual([true, 'enforced']);
  });

  it('deletes workshop images after the retention period', () => {
    const rule = first(resources.google_storage_bucket!.images!.lifecycle_rule);
    expect([first(rule.action).type, first(rule.condition).age]).toEqual(['Delete', '${var.image_retention_days}']);
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
    expect(first(functionByEntryPoint('reconcile').service_config).max_instance_count).toBe(1);
  });

  it('declares the collection-group indexes its stale-prompt queries need', () => {
    const index = resources.google_firestore_index!.stale_prompts!;
    expect([index.collection, index.query_scope, String(index.for_each)]).toEqual(['prompts', 'COLLECTION_GROUP', '${toset(["queuedAt", "leaseExpiresAt", "generatedAt"])}']);
  });
});
