/** Hostile but schema-shaped input, checked in core: each class refused with a message naming the field, or handled. */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cursorKey, PAGE_LIMITS, pageToken, parsePageRequest, runCursorSchema, type CursorSigning } from '../../functions/core/access/index.js';
import { csvCell, yamlString } from '../../functions/core/export/index.js';
import { datasetFiles, generationLogMd, perCategory, type ExportedPrompt } from '../../functions/core/export/index.js';
import { isReservedName, MAX_JSON_DEPTH, MAX_PROMPT_BYTES, nestsDeeperThan } from '../../functions/core/scenario/index.js';
import { planPrompts } from '../../functions/core/scenario/index.js';
import { runReport } from '../../functions/core/quality/index.js';
import { parseRunRequest } from '../../functions/core/scenario/index.js';
import { newPromptRecord, type RunRecord } from '../../functions/core/runs/index.js';
import { builtinScenarios, DEFAULT_SCENARIO } from '../../functions/scenarios/index.js';
import { largestScenario } from '../../scripts/bench/largest-scenario.js';
import { ApiClient, type RunStatus } from '../../scripts/client/api-client.js';
import { exportRun } from '../../scripts/client/exporter.js';

const parse = (scenario: unknown, extra: Record<string, unknown> = {}) => parseRunRequest({ count: 5, scenario, ...extra }, builtinScenarios(), DEFAULT_SCENARIO);
const scenarioWith = (patch: Record<string, unknown>) => ({ name: 'x', variables: { a: ['1', '2'] }, categories: { one: { template: 'A {a}.' } }, ...patch });

describe('run requests refuse what Firestore or the planner cannot take', () => {
  it.each([
    { name: 'a reserved category name', scenario: scenarioWith({ categories: { __x__: { template: 'A {a}.' } } }), message: /scenario\.categories\.__x__: name "__x__" is reserved/ },
    { name: 'a reserved shared axis', scenario: scenarioWith({ variables: { __x__: ['1'], a: ['1'] } }), message: /scenario\.variables\.__x__: .*reserved/ },
    { name: 'a reserved axis of a category', scenario: scenarioWith({ categories: { one: { template: 'A {a}.', variables: { __y__: ['2'] } } } }), message: /scenario\.categories\.one\.variables\.__y__/ },
    { name: '__proto__ as a category, which a schema parser drops', scenario: JSON.parse('{"name":"x","categories":{"__proto__":{"template":"t"},"one":{"template":"t"}}}'), message: /scenario\.categories\.__proto__/ },
    { name: '__proto__ as an axis', scenario: JSON.parse('{"name":"x","variables":{"__proto__":["v"]},"categories":{"one":{"template":"t"}}}'), message: /scenario\.variables\.__proto__/ },
    { name: '__proto__ as a field of the scenario, which a record copy turns into a prototype', scenario: JSON.parse('{"__proto__":{"x":1},"name":"x","categories":{"one":{"template":"t"}}}'), message: /^scenario\.__proto__: unknown field "__proto__"$/ },
    { name: '__proto__ as a field of a category', scenario: JSON.parse('{"name":"x","categories":{"one":{"template":"t","__proto__":{}}}}'), message: /^scenario\.categories\.one\.__proto__: unknown field/ },
    { name: '__proto__ as a quality threshold', scenario: JSON.parse('{"name":"x","quality":{"thresholds":{"__proto__":1}},"categories":{"one":{"template":"t"}}}'), message: /^scenario\.quality\.thresholds\.__proto__: unknown field/ },
    { name: '__proto__ as an expected value', scenario: JSON.parse('{"name":"x","variables":{"a":["1","2"]},"expectations":{"__proto__":{"expect":["dark"]}},"categories":{"one":{"template":"{a}"}}}'), message: /^scenario\.expectations\.__proto__: unknown field/ },
    { name: 'DEL and C1 controls in the name', scenario: scenarioWith({ name: 'Harbour\u007f\u0080\u009b day' }), message: /^scenario\.name: the name must not contain control characters/ },
    { name: 'a line break in the name', scenario: scenarioWith({ name: 'Harbour\n---\nlicense: x' }), message: /^scenario\.name: the name must not contain control characters/ },
    {
      name: '{context} repeated into a megabyte prompt',
      scenario: scenarioWith({ context: 'c'.repeat(8000), categories: { one: { template: '{context} '.repeat(100) } } }),
      message: new RegExp(`categories\\.one\\.template: the longest prompt this template can produce is \\d+ bytes; the limit is ${MAX_PROMPT_BYTES} bytes`),
    },
    {
      name: 'more than 64 placeholders in one template',
      scenario: scenarioWith({ variables: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`v${i}`, ['x', 'y']])), categories: { one: { template: Array.from({ length: 65 }, (_, i) => `{v${i}}`).join(' ') } } }),
      message: /uses 65 different placeholders; the limit is 64/,
    },
    {
      name: 'long values in many placeholders',
      scenario: scenarioWith({ variables: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`v${i}`, ['x'.repeat(300), 'y']])), categories: { one: { template: Array.from({ length: 60 }, (_, i) => `{v${i}}`).join(' ') } } }),
      message: /longest prompt/,
    },
  ])('$name', ({ scenario, message }) => {
    const result = parse(scenario);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it('refuses __proto__ in the image settings of the request itself', () => {
    const result = parseRunRequest(JSON.parse('{"count":1,"image":{"__proto__":{"aspectRatio":"1:1"}}}'), builtinScenarios(), DEFAULT_SCENARIO);
    expect(result.ok ? null : result.fields).toEqual([{ field: 'image.__proto__', message: 'unknown field "__proto__"' }]);
  });

  it('accepts names with accents, emoji and right-to-left text', () => expect(parse(scenarioWith({ name: 'Hafentag – ☀️ مرفأ' })).ok).toBe(true));

  it.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto', 'proto__'])('accepts %s as a category and axis name', (name) => {
    const result = parse(scenarioWith({ variables: { [name]: ['1', '2'] }, categories: { [name.toLowerCase()]: { template: `A {${name}}.` } } }));
    expect(result.ok).toBe(true);
  });

  it.each([
    { name: 'a flat object', value: { a: 1 }, deep: false },
    { name: `${MAX_JSON_DEPTH} levels`, value: nest(MAX_JSON_DEPTH), deep: false },
    { name: `${MAX_JSON_DEPTH + 1} levels`, value: nest(MAX_JSON_DEPTH + 1), deep: true },
    { name: '200,000 levels, without overflowing the stack', value: JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`), deep: true },
  ])('nesting: $name', ({ value, deep }) => expect(nestsDeeperThan(value, MAX_JSON_DEPTH)).toBe(deep));

  it.each([
    ['__x__', true],
    ['____', true],
    ['__', false],
    ['_x_', false],
    ['__x', false],
    ['x__', false],
  ])('%s is reserved: %s', (name, reserved) => expect(isReservedName(name as string)).toBe(reserved));
});

function nest(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('the planner is bounded', () => {
  it('plans 500 distinct prompts of the largest schema-valid scenario, each within the prompt limit', () => {
    const result = parse(largestScenario(), { count: 500 });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const prompts = planPrompts(result.value.scenario, { count: 500, seed: 1 });
    expect(prompts).toHaveLength(500);
    expect(new Set(prompts.map((p) => p.prompt)).size).toBe(500);
    expect(Math.max(...prompts.map((p) => Buffer.byteLength(p.prompt)))).toBeLessThanOrEqual(MAX_PROMPT_BYTES);
  });
});

describe('prototype-named categories, axes and values', () => {
  const names = ['constructor', 'tostring', 'hasownproperty'];
  const scenario = {
    name: 'prototypes',
    variables: { constructor: ['__proto__', 'constructor', 'toString'], toString: ['valueOf', 'hasOwnProperty'] },
    categories: Object.fromEntries(names.map((name) => [name, { template: `{constructor} {toString} ${name}` }])),
  };
  const result = parse(scenario, { count: 30 });
  const planned = result.ok ? planPrompts(result.value.scenario, { count: 30, seed: 3 }) : [];
  const exported: ExportedPrompt[] = planned.map((p) => ({ ...newPromptRecord('r1', p), status: 'assessed', issues: [], duplicateOf: null, metrics: null }));

  it('plan with the values as given', () => {
    expect(result.ok).toBe(true);
    expect(new Set(planned.map((p) => p.variables.constructor))).toEqual(new Set(['__proto__', 'constructor', 'toString']));
    expect(planned.every((p) => Object.hasOwn(p.variables, 'constructor') && typeof p.variables.toString === 'string')).toBe(true);
  });

  it('give a run report with counts and entropy for each', () => {
    const report = runReport(planned.map((p) => ({ id: p.promptId, category: p.category, variables: p.variables, metrics: null, issues: [] })));
    const axis = (name: string) => report.balance.axes[name];
    expect(Object.keys(report.balance.categories.counts).sort()).toEqual([...names].sort());
    expect(Object.values(report.balance.categories.counts).reduce((a, b) => a + b, 0)).toBe(30);
    expect(report.balance.categories.normalisedEntropy).toBeCloseTo(1, 3);
    expect(Object.keys(axis('constructor')?.counts ?? {}).sort()).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.values(axis('constructor')?.counts ?? {}).every((n) => typeof n === 'number')).toBe(true);
    expect(axis('toString')?.normalisedEntropy).toBeTypeOf('number');
  });

  it('export without touching Object', () => {
    const counts = perCategory(exported);
    expect(Object.keys(counts).sort()).toEqual([...names].sort());
    expect(counts.constructor).toEqual({ succeeded: 10, failed: 0 });
    expect((Object as unknown as Record<string, unknown>).succeeded).toBeUndefined();
    const run = { runId: 'r1', scenario: result.ok ? result.value.scenario : undefined, count: 30, seed: 3, categories: names, provider: 'embedded', model: 'm', createdAt: new Date(0).toISOString(), state: 'accepted', owner: 'o', image: { aspectRatio: '1:1', imageSize: '1K' }, costEstimate: { images: 30, usd: 0, perImageUsd: 0 } } as unknown as RunRecord;
    const input = { run, prompts: exported, thresholds: {} as never, report: null, counts: {} as never, quality: { assessed: 30, meanBrightness: null, meanColourVariance: null, meanResolutionScore: null }, exportedAt: '', versions: {} };
    expect(generationLogMd(input)).toContain('| constructor | 10 | 0 |');
    expect(datasetFiles(input).filter((file) => file.path.startsWith('generated_images/constructor/'))).toHaveLength(10);
  });
});

describe('CSV cells are neutralised (OWASP CSV injection)', () => {
  it.each([
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', `"'\rcmd"`],
    ['plain note', 'plain note'],
    ['a, b', '"a, b"'],
  ])('%j → %j', (value, cell) => expect(csvCell(value)).toBe(cell));

  it.each([
    [-0.5, '-0.5'],
    [0, '0'],
    [null, ''],
  ])('leaves the number %j as it is', (value, cell) => expect(csvCell(value)).toBe(cell));
});

describe('page cursors the server did not issue are refused before any query', () => {
  const key = cursorKey('a server secret of at least thirty-two characters');
  const runs = { list: 'runs', key } as const;
  const unsigned = (cursor: unknown) => Buffer.from(JSON.stringify(cursor)).toString('base64url');
  const request = (token: string | null, signing: CursorSigning = runs) => parsePageRequest({ pageToken: token ?? undefined }, PAGE_LIMITS.runs, runCursorSchema, signing);

  it('takes back the token it issued', () => {
    expect(request(pageToken(['2026-12-06T06:00:00.000Z', '20261206-060000-ab12cd34'], runs))).toEqual({ ok: true, pageSize: 50, after: ['2026-12-06T06:00:00.000Z', '20261206-060000-ab12cd34'] });
  });

  it.each([
    { name: 'an unsigned cursor (the old format)', token: unsigned(['2999-01-01T00:00:00.000Z', '']) },
    { name: 'an unsigned cursor with a slash in the id', token: unsigned(['2999-01-01T00:00:00.000Z', 'a/b']) },
    { name: 'a cursor signed with another key', token: pageToken(['2999-01-01T00:00:00.000Z', 'x'], { list: 'runs', key: cursorKey('another secret, also long enough to use') }) },
    { name: 'a participants cursor on the runs list', token: pageToken(['2999-01-01T00:00:00.000Z', 'u-1'], { list: 'participants', key }) },
    { name: 'a signed cursor with its payload swapped', token: `${unsigned(['2999-01-01T00:00:00.000Z', 'x'])}.${pageToken(['2026-01-01T00:00:00.000Z', 'y'], runs)?.split('.')[1]}` },
    { name: 'a truncated signature', token: pageToken(['2999-01-01T00:00:00.000Z', 'x'], runs)?.slice(0, -2) ?? '' },
    { name: 'a signed cursor whose id Firestore reserves', token: pageToken(['2999-01-01T00:00:00.000Z', '__x__'], runs) },
    { name: 'a signed cursor whose id has a slash', token: pageToken(['2999-01-01T00:00:00.000Z', 'a/b'], runs) },
    { name: 'a signed cursor with an empty id', token: pageToken(['2999-01-01T00:00:00.000Z', ''], runs) },
    { name: 'a signed cursor whose time is not a timestamp', token: pageToken(['yesterday', 'x'], runs) },
  ])('$name', ({ token }) => expect(request(token ?? '')).toEqual({ ok: false, message: 'pageToken is not valid; pass the nextPageToken of the previous page' }));
});

describe('the dataset card header takes any text', () => {
  it.each([
    ['plain', 'Harbour day', '"Harbour day"'],
    ['quotes and backslashes', 'a "b" \\c', '"a \\"b\\" \\\\c"'],
    ['DEL and C1 controls', 'H\u007f\u0080\u009b', '"H\\x7F\\x80\\x9B"'],
    ['NUL, tab and line breaks', '\u0000\t\n\r', '"\\0\\t\\n\\r"'],
    ['NEL and the Unicode line and paragraph separators', '\u0085\u2028\u2029', '"\\x85\\u2028\\u2029"'],
    ['a byte-order mark', '\ufeffx', '"\\uFEFFx"'],
    ['a lone surrogate', 'a\ud800b', '"a\\uFFFDb"'],
    ['accents, emoji and right-to-left text', 'Hafentag – ☀️ مرفأ', '"Hafentag – ☀️ مرفأ"'],
  ])('%s', (_, value, yaml) => expect(yamlString(value)).toBe(yaml));
});

describe('the export client stops on a server that pages wrongly, before writing anything', () => {
  const runRecord = { runId: 'r1', count: 3, scenario: { name: 'x' } };
  const prompt = (n: number) => ({ promptId: `p${n}`, category: 'one' });
  it.each([
    { name: 'page tokens in a loop (A, B, A, …)', page: (token: string | null) => ({ prompts: [prompt(1)], nextPageToken: token === 'loopA' ? 'loopB' : 'loopA' }), message: /a page token it had sent before/ },
    { name: 'ever new tokens, past the run’s count', page: (token: string | null) => ({ prompts: [prompt(1)], nextPageToken: `t${Number(token?.slice(1) ?? 0) + 1}` }), message: /more than the 3 items/ },
    { name: 'empty pages with ever new tokens', page: (token: string | null) => ({ prompts: [], nextPageToken: `t${Number(token?.slice(1) ?? 0) + 1}` }), message: /an empty page with a next page token/ },
  ])('$name', async ({ page, message }) => {
    let requests = 0;
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      // A run never regenerated: its lineage is itself.
      if (url.pathname.endsWith('/revisions')) return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ rootRunId: 'r1', runs: [{ runId: 'r1' }] }));
      requests += 1;
      const token = url.searchParams.get('pageToken');
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ ...(token ? {} : { run: runRecord }), thresholds: {}, ...page(token) }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const out = await mkdtemp(join(tmpdir(), 'looping-export-'));
    try {
      const client = new ApiClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'token');
      await expect(exportRun(client, { runId: 'r1' } as RunStatus, out, {})).rejects.toThrow(message);
      expect(requests).toBeLessThanOrEqual(runRecord.count + 1);
      expect(await readdir(out)).toEqual([]);
    } finally {
      server.close();
      await rm(out, { recursive: true, force: true });
    }
  });
});
