import { describe, expect, inject, it } from 'vitest';
import { openApiDocument } from '../../functions/handlers/openapi.js';
import { openApiChecker, type Recorded } from '../support/openapi-check.js';

/**
 * GET /v1/openapi.json without a token, then every route, with its successes and its typical
 * errors, against the real stack: each recorded answer must validate against the document.
 */
describe('OpenAPI document against real answers', () => {
  const stack = inject('stack');
  const recorded: Recorded[] = [];

  async function call<T = Record<string, unknown>>(token: string | null, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: T }> {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'Content-Type': contentType }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const type = response.headers.get('content-type') ?? '';
    const parsed = type.includes('json') ? await response.json() : Buffer.from(await response.arrayBuffer());
    recorded.push({ method, path, status: response.status, contentType: type, body: parsed });
    return { status: response.status, body: parsed as T };
  }

  it('is served without a token and describes every answer the api gives', async () => {
    const served = await call<Record<string, unknown>>(null, 'GET', '/v1/openapi.json');
    expect(served.status).toBe(200);
    expect(served.body).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
    const I = stack.instructorToken;
    await call(null, 'GET', '/healthz');

    const ada = (await call<{ id: string; token: string }>(I, 'POST', '/v1/participants', { name: 'OpenAPI Ada', imageQuota: 6 })).body;
    const [bob] = (await call<{ participants: Array<{ id: string; token: string }> }>(I, 'POST', '/v1/participants:batchCreate', { participants: [{ name: 'OpenAPI Bob' }] })).body.participants as [{ id: string; token: string }];
    await call(I, 'GET', '/v1/participants');
    await call(I, 'PATCH', `/v1/participants/${bob.id}`, { imageQuota: 3 });
    await call(I, 'PATCH', '/v1/participants/u-nobody', { imageQuota: 3 });
    await call(ada.token, 'GET', '/v1/participants');
    await call(ada.token, 'GET', '/v1/me');
    await call(I, 'GET', '/v1/me');
    await call(null, 'GET', '/v1/me');

    await call(ada.token, 'POST', '/v1/runs:preview', { count: 3 });
    await call(I, 'POST', '/v1/runs:preview', { count: 3 });
    await call(ada.token, 'POST', '/v1/runs:preview', { count: 3, scenario: { name: 'x', variables: { time_of_day: ['a'] }, categories: { s: { template: '{time_of_dya}' } } } });
    await call(ada.token, 'POST', '/v1/runs', { count: 50 });
    await call(ada.token, 'POST', '/v1/runs', '{"count": 2}', 'text/plain');
    await call(ada.token, 'DELETE', '/v1/runs');
    const { runId } = (await call<{ runId: string }>(ada.token, 'POST', '/v1/runs', { count: 3, seed: 5 })).body;
    await call(ada.token, 'GET', '/v1/runs');
    await call(I, 'GET', '/v1/runs');
    await call(ada.token, 'GET', `/v1/runs/${runId}`);
    const deadline = Date.now() + 120_000;
    while ((await call<{ state: string }>(ada.token, 'GET', `/v1/runs/${runId}`)).body.state !== 'completed') {
      if (Date.now() > deadline) throw new Error(`run ${runId} did not complete`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await call(bob.token, 'GET', `/v1/runs/${runId}`);
    const prompts = (await call<{ prompts: Array<{ promptId: string }> }>(ada.token, 'GET', `/v1/runs/${runId}/prompts`)).body.prompts;
    const promptId = prompts[0]!.promptId;
    await call(ada.token, 'GET', `/v1/runs/${runId}/images/${promptId}?size=thumb`);
    await call(ada.token, 'GET', `/v1/runs/${runId}/images/${promptId}?size=huge`);
    await call(ada.token, 'PUT', `/v1/runs/${runId}/prompts/${promptId}/review`, { relevance: 4, inappropriate: false, note: 'fine' });
    await call(ada.token, 'PUT', `/v1/runs/${runId}/prompts/${promptId}/review`, { relevance: 9, inappropriate: false });
    await call(ada.token, 'POST', `/v1/runs/${runId}/reviews`, { items: [{ promptId, review: null }, { promptId: prompts[1]!.promptId, review: { relevance: 2, inappropriate: true, note: '' } }] });
    await call(ada.token, 'POST', `/v1/runs/${runId}/reviews`, { items: [{ promptId, review: null }, { promptId, review: null }] });
    const ticket = (await call<{ url: string }>(ada.token, 'POST', `/v1/runs/${runId}/dataset:ticket`)).body;
    await call(null, 'GET', ticket.url);
    await call(null, 'GET', ticket.url);
    await call(ada.token, 'GET', `/v1/runs/${runId}/dataset.zip`);

    await call(I, 'POST', `/v1/participants/${bob.id}:revoke`);
    await call(I, 'DELETE', `/v1/participants/${ada.id}/runs`);
    await call(ada.token, 'DELETE', '/v1/cohort');

    const statuses = new Set(recorded.map((answer) => answer.status));
    expect([...statuses].sort()).toEqual([200, 201, 202, 400, 401, 403, 404, 405, 415, 429]);
    const check = openApiChecker(served.body);
    expect(recorded.flatMap(check)).toEqual([]);
  });
});
