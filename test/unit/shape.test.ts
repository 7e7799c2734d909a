import { parse } from '@cdktf/hcl2json';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeShape, FUNCTION_NAMES, loadShape, withOverrides, type DeployedShape, type FunctionShape } from '../../scripts/stack/shape.js';

type Block = Record<string, unknown>;
const infraDir = join(resolve(import.meta.dirname, '../..'), 'infra');
const first = (value: unknown): Block => (Array.isArray(value) ? (value[0] as Block) : ((value ?? {}) as Block));

let hcl: Block;
let functions: Block[];
beforeAll(async () => {
  hcl = (await parse('functions.tf', readFileSync(join(infraDir, 'functions.tf'), 'utf8'))) as Block;
  functions = Object.values((first(hcl.resource).google_cloudfunctions2_function ?? {}) as Record<string, Block[]>).map((bodies) => bodies[0]!);
});

const byEntryPoint = (name: string) => functions.find((fn) => first(fn.build_config).entry_point === name);

/** Each service_config argument and the shape.json field it must come from. */
const ARGUMENTS: Array<[string, keyof FunctionShape]> = [
  ['timeout_seconds', 'timeout_seconds'],
  ['max_instance_count', 'max_instances'],
  ['max_instance_request_concurrency', 'requests_per_instance'],
  ['available_memory', 'memory'],
  ['available_cpu', 'cpu'],
];

describe('infra/shape.json: one declaration of the deployed shape', () => {
  it('is what functions.tf reads', () => {
    const shapeLocal = ((hcl.locals ?? []) as Block[]).map((block) => block.shape).find(Boolean);
    expect(shapeLocal).toBe('${jsondecode(file("${path.module}/shape.json"))}');
  });

  it.each(FUNCTION_NAMES)('sets every limit of %s from it, with no literal beside it', (name) => {
    const service = first(byEntryPoint(name)?.service_config);
    for (const [argument, field] of ARGUMENTS) expect(service[argument], `${name}.${argument}`).toBe(`\${local.shape.${name}.${field}}`);
  });

  it.each(FUNCTION_NAMES)('gives %s the account and trigger the declaration names', (name) => {
    const declared = loadShape()[name];
    const fn = byEntryPoint(name)!;
    expect(String(first(fn.service_config).service_account_email)).toBe(`\${google_service_account.${declared.service_account}.email}`);
    const trigger = first(fn.event_trigger);
    const kind = fn.event_trigger === undefined ? 'none' : trigger.pubsub_topic ? 'pubsub' : 'storage';
    expect(kind).toBe({ http: 'none', scheduler: 'none', pubsub: 'pubsub', storage: 'storage' }[declared.trigger]);
  });

  it('declares a single reconciler, since its passes must not overlap', () => {
    expect(loadShape().reconcile.max_instances).toBe(1);
  });
});

describe('the shape the local stack enforces', () => {
  const shape: DeployedShape = {
    api: { trigger: 'http', service_account: 'api', timeout_seconds: 60, max_instances: 10, requests_per_instance: 1, memory: '512Mi', cpu: '1' },
    generateImage: { trigger: 'pubsub', service_account: 'generate', timeout_seconds: 180, max_instances: 15, requests_per_instance: 1, memory: '512Mi', cpu: '1' },
    assessImage: { trigger: 'storage', service_account: 'assess', timeout_seconds: 120, max_instances: 20, requests_per_instance: 4, memory: '1Gi', cpu: '1' },
    reconcile: { trigger: 'scheduler', service_account: 'reconcile', timeout_seconds: 300, max_instances: 1, requests_per_instance: 1, memory: '512Mi', cpu: '1' },
  };

  it('prints one line per function', () => {
    expect(FUNCTION_NAMES.map((name) => describeShape(name, shape[name]))).toEqual([
      'api: 10 instances x 1 request, timeout 60 s',
      'generateImage: 15 instances x 1 request, timeout 180 s',
      'assessImage: 20 instances x 4 requests, timeout 120 s',
      'reconcile: 1 instance x 1 request, timeout 300 s',
    ]);
  });

  it('scales a test down without losing the rest of the declaration', () => {
    const scaled = withOverrides(shape, { api: { max_instances: 2 } });
    expect(scaled.api).toEqual({ ...shape.api, max_instances: 2 });
    expect(scaled.generateImage).toEqual(shape.generateImage);
    expect(() => withOverrides(shape, { api: { max_instances: 0 } })).toThrow();
  });
});
