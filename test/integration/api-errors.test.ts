import { beforeAll, describe, expect, it } from 'vitest';
import { stackClients } from '../support/stack-clients.js';

/** Bad input gets a 4xx JSON error that says what to fix, and writes nothing. */
describe('api input validation on the real functions-framework', () => {
  const { firestore, stack } = stackClients();
  const runCount = async () => (await firestore.collection('runs').count().get()).data().count;
  const promptCount = async () => (await firestore.collectionGroup('prompts').count().get()).data().count;
  const post = (body: string, contentType = 'application/json') =>
    fetch(`${stack.apiUrl}/v1/runs`, { method: 'POST', headers: { 'Content-Type': contentType, Authorization: `Bearer ${stack.instructorToken}` }, body });

  let before: { runs: number; prompts: number };
  beforeAll(async () => {
    before = { runs: await runCount(), prompts: await promptCount() };
  });

  const inlineScenario = (template: string) => ({ name: 'inline', variables: { place: ['square'] }, categories: { street: { template } } });

  it.each([
    { name: 'wrong type for count', body: JSON.stringify({ count: 'twenty' }), status: 400, message: /count/ },
    { name: 'count 0', body: JSON.stringify({ count: 0 }), status: 400, message: /count must be at least 1/ },
    { name: 'count 10 000', body: JSON.stringify({ count: 10_000 }), status: 400, message: /count must be at most 500/ },
    { name: 'a typo in a field name', body: JSON.stringify({ cout: 20 }), status: 400, message: /unknown field "cout"/ },
    { name: 'an unknown scenario', body: JSON.stringify({ count: 2, scenario: 'atlantis' }), status: 400, message: /unknown built-in scenario "atlantis"/ },
    { name: 'an unknown placeholder', body: JSON.stringify({ count: 2, scenario: inlineScenario('A {place} at {hour}.') }), status: 400, message: /unknown placeholder \{hour\}/ },
    { name: 'an unknown category', body: JSON.stringify({ count: 2, categories: ['riots'] }), status: 400, message: /"riots" not in scenario/ },
    { name: 'a judge on a deployment without one', body: JSON.stringify({ count: 2, judge: 'gemini' }), status: 400, message: /this deployment has no content judge/ },
    { name: 'an exclusion naming an unknown value', body: JSON.stringify({ count: 2, scenario: { ...inlineScenario('A {place}.'), variables: { place: ['square'], hour: ['noon'] }, exclude: [{ place: ['square'], hour: ['dusk'] }] } }), status: 400, message: /"dusk" is not a value of hour/ },
    { name: 'a JSON array', body: '[1,2]', status: 400, message: /JSON object/ },
    { name: 'an empty body', body: '', status: 400, message: /empty/ },
    { name: 'a non-JSON content type', body: 'count=20', contentType: 'text/plain', status: 415, message: /Content-Type: application\/json/ },
    { name: 'a form body', body: 'count=20', contentType: 'application/x-www-form-urlencoded', status: 415, message: /Content-Type/ },
    { name: 'a body over 1 MiB', body: JSON.stringify({ count: 2, scenario: inlineScenario('x'.repeat(1_100_000)) }), status: 413, message: /limit is 1048576 bytes/ },
  ])('$name → $status', async ({ body, contentType, status, message }) => {
    const response = await post(body, contentType);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    const payload = (await response.json()) as { error: { code: string; message: string } };
    expect(payload.error.message).toMatch(message);
    expect(payload.error.code).toMatch(/^[A-Z_]+$/);
  });

  it('answers malformed JSON with 400 and no stack trace or server path (the framework parses JSON before our code runs)', async () => {
    const response = await post('{"count": 20,');
    expect(response.status).toBe(400);
    const body = await response.text();
    expect(body).toContain('Bad Request');
    expect(body).not.toMatch(/SyntaxError|\bat \S+ \(|node_modules|\/src\/|\.js:\d+/);
    expect(body).not.toContain(process.cwd());
  });

  it.each([
    { method: 'GET', path: '/v1/runs/does-not-exist', status: 404 },
    { method: 'GET', path: '/v2/things', status: 404 },
    { method: 'DELETE', path: '/v1/runs', status: 405 },
    { method: 'PUT', path: '/healthz', status: 405 },
    { method: 'GET', path: '/v1/runs/does-not-exist/images/p0001', status: 404 },
  ])('$method $path → $status JSON', async ({ method, path, status }) => {
    const response = await fetch(`${stack.apiUrl}${path}`, { method, headers: { Authorization: `Bearer ${stack.instructorToken}` } });
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBeTruthy();
  });

  it('GET /healthz answers 200', async () => {
    expect((await fetch(`${stack.apiUrl}/healthz`)).status).toBe(200);
  });

  it('wrote nothing for any rejected request', async () => {
    expect({ runs: await runCount(), prompts: await promptCount() }).toEqual(before);
  });
});
