/**
 * A small cohort against a scaled-down api: 6 participants at once, through 2 api instances of the
 * declared requests-per-instance (infra/shape.json), each polling their running run every 2 s,
 * opening their gallery (the list, then every thumbnail, 6 at a time as the page does) and
 * downloading their dataset.zip. No answer may be the platform's 429 or 504.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLimitRelay, type LimitRelay } from '../../scripts/stack/limit-relay.js';
import { loadShape } from '../../scripts/stack/shape.js';
import { DEFAULT_QUEUE_SECONDS } from '../../scripts/stack/stack.js';
import { stackClients } from '../support/stack-clients.js';

const PARTICIPANTS = 6;
const INSTANCES = 2;
const IMAGES = 6;
const THUMBS_AT_ONCE = 6;

describe('a cohort within the deployed shape', () => {
  const { stack } = stackClients();
  const declared = loadShape().api;
  let relay: LimitRelay;
  const answers: Array<{ route: string; status: number; platform: boolean }> = [];

  async function call(token: string, path: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(`${relay.url}${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, ...(init.body ? { 'Content-Type': 'application/json' } : {}) } });
    answers.push({ route: path.replace(/\/v1\/runs\/[^/?]+/, '/v1/runs/{id}').replace(/\/p\d+/, '/{p}'), status: response.status, platform: response.headers.get('x-local-platform') !== null });
    return response;
  }
  const json = async <T>(token: string, path: string, init: RequestInit = {}): Promise<T> => {
    const response = await call(token, path, init);
    expect(response.status, `${init.method ?? 'GET'} ${path}`).toBeLessThan(300);
    return (await response.json()) as T;
  };

  beforeAll(async () => {
    relay = await startLimitRelay({
      name: 'api (scaled down)', targetOrigin: stack.apiUrl, concurrency: INSTANCES * declared.requests_per_instance,
      timeoutMs: declared.timeout_seconds * 1000, queueMs: DEFAULT_QUEUE_SECONDS * 1000,
    });
  });
  afterAll(async () => {
    await relay?.stop();
  });

  async function participantSession(token: string, seed: number): Promise<number> {
    const { runId } = await json<{ runId: string }>(token, '/v1/runs', { method: 'POST', body: JSON.stringify({ count: IMAGES, seed }) });
    // Polled every 2 s as the gallery does, until the run is complete (the test's own timeout bounds it).
    for (;;) {
      const status = await json<{ state: string }>(token, `/v1/runs/${runId}`);
      if (status.state === 'completed') break;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    await json(token, '/v1/me');
    await json(token, '/v1/runs');
    const { prompts } = await json<{ prompts: Array<{ promptId: string; status: string }> }>(token, `/v1/runs/${runId}/prompts`);
    const queue = prompts.filter((p) => p.status === 'assessed').map((p) => p.promptId);
    const shown = queue.length;
    await Promise.all(Array.from({ length: THUMBS_AT_ONCE }, async () => {
      for (let promptId = queue.shift(); promptId; promptId = queue.shift()) {
        const thumb = await call(token, `/v1/runs/${runId}/images/${promptId}?size=thumb`);
        await thumb.arrayBuffer();
      }
    }));
    const zip = await call(token, `/v1/runs/${runId}/dataset.zip`);
    const bytes = (await zip.arrayBuffer()).byteLength;
    expect([zip.status, bytes > 0]).toEqual([200, true]);
    return shown;
  }

  it(`serves ${PARTICIPANTS} participants at once on ${INSTANCES} instances with no platform 429 or 504`, async () => {
    const { participants } = await json<{ participants: Array<{ token: string }> }>(stack.instructorToken, '/v1/participants:batchCreate', {
      method: 'POST',
      body: JSON.stringify({ participants: Array.from({ length: PARTICIPANTS }, (_, i) => ({ name: `shape ${i + 1}` })) }),
    });
    const shown = await Promise.all(participants.map(({ token }, i) => participantSession(token, 700 + i)));
    expect(shown).toEqual(Array.from({ length: PARTICIPANTS }, () => IMAGES));
    const byStatus = answers.reduce<Record<string, number>>((counts, { status }) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }), {});
    expect(answers.filter((answer) => answer.platform), JSON.stringify(byStatus)).toEqual([]);
    expect(relay.counts()).toMatchObject({ refused: 0, timedOut: 0 });
    // The load did reach the shape's limit: more requests at once than the 2 × 1 the old shape allowed.
    expect(relay.counts().peakConcurrency).toBeGreaterThan(INSTANCES);
  }, 600_000);
});
