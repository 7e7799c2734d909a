import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/config.js';
import { evaluateExpression, evaluateTemplate, type HclScope, type HclValue } from '../../scripts/lib/hcl-expression.js';
import { functionEnvironments, readInfraDeclaration, type InfraDeclaration, type LocalEquivalents } from '../../scripts/ops/infra-env.js';
import { declaredEnvironments, errorLines, localEquivalents } from '../../scripts/ops/deploy-rehearsal.js';

const variables = new Map<string, HclValue>([['n', 5], ['mode', 'vertex'], ['limits', { runs: 20, previews: 30, participants: 60 }]]);
const scope: HclScope = {
  variable: (name) => {
    if (!variables.has(name)) throw new Error(`no var.${name}`);
    return variables.get(name)!;
  },
  local: (name) => { throw new Error(`no local.${name}`); },
  resource: (address) => { throw new Error(`unmapped ${address}`); },
};

describe('HCL expressions', () => {
  it('keeps a lone interpolation\'s type and stringifies one inside text', () => {
    expect(evaluateTemplate('${var.n * 60}', scope)).toBe(300);
    expect(evaluateTemplate('x-${var.n}-y', scope)).toBe('x-5-y');
    expect(evaluateExpression('tostring(var.n * 60)', scope)).toBe('300');
  });

  it('iterates a map in the lexical order of its keys, as Terraform does', () => {
    expect(evaluateExpression('join(",", [for kind, per_minute in var.limits : "${kind}=${per_minute}"])', scope)).toBe('participants=60,previews=30,runs=20');
  });

  it('evaluates only the branch a conditional takes', () => {
    expect(evaluateExpression('var.mode == "vertex" ? "true" : google_secret_manager_secret.key[0].secret_id', scope)).toBe('true');
    expect(() => evaluateExpression('var.mode != "vertex" ? "true" : google_secret_manager_secret.key[0].secret_id', scope)).toThrow('unmapped google_secret_manager_secret.key[0].secret_id');
  });

  it('builds objects over several lines and merges them', () => {
    expect(evaluateExpression('merge({ A = "1" }, {\n  B = var.mode\n  A = "2"\n})', scope)).toEqual({ A: '2', B: 'vertex' });
  });

  it('names what it cannot evaluate instead of guessing', () => {
    expect(() => evaluateExpression('sha256(var.mode)', scope)).toThrow('sha256() is not supported');
    expect(() => evaluateExpression('var.mode ==', scope)).toThrow(/unexpected end/);
  });
});

describe('the environment infra/ declares for each function', () => {
  let declaration: InfraDeclaration;
  // hcl2json runs in WebAssembly: parsing infra/ can take a while on a busy machine.
  beforeAll(async () => {
    declaration = await readInfraDeclaration(resolve(import.meta.dirname, '../../infra'));
  }, 60_000);
  const local: LocalEquivalents = localEquivalents({ projectId: 'demo-p', bucket: 'bkt', instructorToken: 't'.repeat(40) });

  it('gives every function its variables, deploy-time resources replaced by their local equivalents', () => {
    const envs = functionEnvironments(declaration, local);
    expect([...envs.keys()].sort()).toEqual(['api', 'assessImage', 'generateImage', 'reconcile']);
    const generate = envs.get('generateImage')!;
    expect(generate).toMatchObject({ GOOGLE_CLOUD_PROJECT: 'demo-p', IMAGE_BUCKET: 'bkt', PREVIEW_BUCKET: 'bkt-previews', REFERENCE_BUCKET: 'bkt-references', GENERATION_TOPIC: 'image-generation', GOOGLE_GENAI_USE_VERTEXAI: 'true' });
    expect(generate.WRITE_RATE_LIMITS).toBe('participants=60,previews=30,reviews=120,runs=20');
    // Only the api reads the instructor's token; no function gets a Gemini key in the default (Vertex) mode.
    expect(envs.get('api')!.INSTRUCTOR_TOKEN).toBe('t'.repeat(40));
    expect([...envs.values()].filter((env) => 'INSTRUCTOR_TOKEN' in env)).toHaveLength(1);
    expect([...envs.values()].some((env) => 'GEMINI_API_KEY' in env)).toBe(false);
  });

  it('is an environment the functions\' own configuration accepts', () => {
    for (const [name, env] of functionEnvironments(declaration, local)) expect(() => loadConfig(env), name).not.toThrow();
  });

  it('with a Gemini key configured, asks for the secret\'s local value', () => {
    const keyMode = { ...local, variables: { ...local.variables, image_provider: 'gemini', gemini_auth: 'api_key' } };
    expect(() => functionEnvironments(declaration, keyMode)).toThrow('GEMINI_API_KEY comes from google_secret_manager_secret.gemini_api_key, which has no local value');
  });

  it('refuses a deploy-time resource it has no local equivalent for', () => {
    const { ['google_storage_bucket.previews.name']: _dropped, ...resources } = local.resources;
    expect(() => functionEnvironments(declaration, { ...local, resources })).toThrow('google_storage_bucket.previews.name is a deploy-time resource with no local equivalent');
  });
});

describe('the deploy rehearsal\'s pure parts', () => {
  const env = (name: string): [string, Record<string, string>] => [name, { IMAGE_BUCKET: name }];

  it('starts exactly the functions infra/ declares', () => {
    const four = ['api', 'generateImage', 'assessImage', 'reconcile'].map(env);
    expect(Object.keys(declaredEnvironments(new Map(four)))).toEqual(['api', 'generateImage', 'assessImage', 'reconcile']);
    expect(() => declaredEnvironments(new Map([...four, env('thumbnail')]))).toThrow('infra/ declares functions the local stack does not start: thumbnail');
    expect(() => declaredEnvironments(new Map(four.slice(1)))).toThrow('infra/ declares no function with entry point api');
  });

  it('reports a function\'s errors and what it threw, not the readiness probe\'s noise', () => {
    const log = [
      "TypeError: Cannot use 'in' operator to search for 'context' in undefined",
      '    at isConvertableBackgroundEvent (background_event_to_cloud_event.js:46:31)',
      '{"severity":"INFO","message":"generated"}',
      '{"severity":"ERROR","message":"store_failed"}',
      'ConfigError: invalid configuration: IMAGE_BUCKET: Invalid input',
    ].join('\n');
    expect(errorLines(log)).toEqual(['{"severity":"ERROR","message":"store_failed"}', 'ConfigError: invalid configuration: IMAGE_BUCKET: Invalid input']);
  });
});
