import { describe, expect, inject, it } from 'vitest';
import { unzipEntries } from '../support/unzip.js';

interface Answer<T> { status: number; body: T }

/**
 * The workshop's loop on the real stack: a 20-image run, three images rejected in review, a
 * revision of those three with an amended prompt, and the lineage's dataset downloaded from the revision.
 */
describe('regenerating what review rejected', () => {
  const stack = inject('stack');

  async function call<T>(token: string, method: string, path: string, body?: unknown): Promise<Answer<T>> {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const type = response.headers.get('content-type') ?? '';
    return { status: response.status, body: (type.includes('json') ? await response.json() : Buffer.from(await response.arrayBuffer())) as T };
  }

  type Prompt = { promptId: string; status: string; generatedAt: string | null; prompt: string; variables: Record<string, string>; category: string; version?: number; replaces?: string | null };
  const promptsOf = async (token: string, runId: string) => (await call<{ prompts: Prompt[] }>(token, 'GET', `/v1/runs/${runId}/prompts`)).body.prompts;

  /** Until the run is complete and every image's record has landed. */
  async function waitForCompletion(token: string, runId: string): Promise<void> {
    const deadline = Date.now() + 180_000;
    const settled = async () => (await promptsOf(token, runId)).every((p) => p.status === 'failed' || p.generatedAt);
    while ((await call<{ state: string }>(token, 'GET', `/v1/runs/${runId}`)).body.state !== 'completed' || !(await settled())) {
      if (Date.now() > deadline) throw new Error(`run ${runId} did not complete`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  it('regenerates the three rejected slots, charges three, and the revision downloads the lineage of 20', async () => {
    const ada = (await call<{ token: string }>(stack.instructorToken, 'POST', '/v1/participants', { name: 'Iterating Ada', imageQuota: 30 })).body;
    const created = await call<{ runId: string }>(ada.token, 'POST', '/v1/runs', { count: 20, seed: 11 });
    expect(created.status).toBe(202);
    const root = created.body.runId;
    await waitForCompletion(ada.token, root);
    const originals = await promptsOf(ada.token, root);
    const rejected = originals.filter((p) => p.status === 'assessed').slice(0, 3).map((p) => p.promptId);
    for (const id of rejected) expect((await call(ada.token, 'PUT', `/v1/runs/${root}/prompts/${id}/review`, { relevance: 1, inappropriate: false, note: 'text on the placards' })).status).toBe(200);

    const body = { select: 'rejected', amend: { append: 'No text or signage in the image.' }, note: 'placards carried legible text' };
    const preview = await call<{ planned: number; slots: Array<{ promptId: string }>; quota: { used: number } }>(ada.token, 'POST', `/v1/runs/${root}:regenerate:preview`, body);
    expect([preview.status, preview.body.planned, preview.body.slots.map((s) => s.promptId), preview.body.quota.used]).toEqual([200, 3, rejected, 20]);

    const revision = await call<{ runId: string; revision: number; planned: number }>(ada.token, 'POST', `/v1/runs/${root}:regenerate`, body);
    expect([revision.status, revision.body.revision, revision.body.planned]).toEqual([202, 1, 3]);
    expect((await call<{ imagesUsed: number }>(ada.token, 'GET', '/v1/me')).body.imagesUsed).toBe(23);
    // While the revision runs, neither it nor its lineage's first run can be regenerated.
    expect((await call(ada.token, 'POST', `/v1/runs/${root}:regenerate`, body)).status).toBe(409);

    const rev = revision.body.runId;
    await waitForCompletion(ada.token, rev);
    const regenerated = await promptsOf(ada.token, rev);
    const byId = new Map(originals.map((p) => [p.promptId, p]));
    expect(regenerated.map((p) => p.promptId)).toEqual(rejected);
    for (const p of regenerated) {
      expect([p.variables, p.category, p.version, p.replaces]).toEqual([byId.get(p.promptId)?.variables, byId.get(p.promptId)?.category, 2, `${root}/${p.promptId}`]);
      expect(p.prompt).toBe(`${byId.get(p.promptId)?.prompt} No text or signage in the image.`);
    }

    const zip = await call<Buffer>(ada.token, 'GET', `/v1/runs/${rev}/dataset.zip`);
    expect(zip.status).toBe(200);
    const files = await unzipEntries(zip.body);
    const images = [...files.keys()].filter((path) => path.startsWith('generated_images/') && path.endsWith('.png'));
    expect(images).toHaveLength(20);
    for (const id of rejected) {
      const p = byId.get(id) as Prompt;
      const fromRevision = (await call<Buffer>(ada.token, 'GET', `/v1/runs/${rev}/images/${id}`)).body;
      expect(files.get(`generated_images/${p.category}/${id}.png`)?.equals(fromRevision)).toBe(true);
    }
    const entries = JSON.parse(files.get('metadata/image_prompts.json')?.toString('utf8') ?? '[]') as Array<{ id: string; runId: string; version: number; inDataset: boolean; replacedBy: string[] }>;
    expect(entries).toHaveLength(23);
    expect(entries.filter((e) => e.inDataset && e.runId === rev).map((e) => e.id)).toEqual(rejected);
    expect(entries.filter((e) => rejected.includes(e.id) && e.version === 1).map((e) => e.replacedBy)).toEqual(rejected.map((id) => [`${rev}/${id}`]));
    expect(files.get('documentation/generation_log.md')?.toString('utf8')).toContain(`### Revision 1: run ${rev}`);
  });
});
