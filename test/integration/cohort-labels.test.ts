import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../scripts/client/api-client.js';
import { stackClients, waitForRun } from '../support/stack-clients.js';
import { unzipEntries } from '../support/unzip.js';

/**
 * A cohort's own labels, end to end on the real stack: the instructor declares them, a participant
 * sets them (and the seed's other two checks) on an image through the api, a write with an undeclared
 * label or choice is refused and writes nothing, and the dataset zip carries them as columns, with
 * the spot check's estimate in the run report of the export and the dataset card.
 */
describe('cohort labels', () => {
  const { stack } = stackClients();
  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${stack.apiUrl}${path}`, { method, headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: response.status, body: (response.headers.get('content-type') ?? '').includes('json') ? await response.json() : Buffer.from(await response.arrayBuffer()) };
  };
  const labels = [
    { key: 'stereotype', name: 'Shows a stereotype', type: 'yesno' },
    { key: 'scene', name: 'Scene type', type: 'choice', choices: ['street', 'market', 'harbour'] },
  ];

  // The declaration is the cohort's, shared by every test on this stack: leave none behind.
  afterAll(async () => {
    await call(stack.instructorToken, 'PUT', '/v1/cohort/labels', { labels: [] });
  });

  it('are declared by the instructor, applied through the api, checked on write and read back in the export', async () => {
    const ada = (await call(stack.instructorToken, 'POST', '/v1/participants', { name: 'Labels Ada', imageQuota: 3 })).body as { token: string };
    expect((await call(ada.token, 'PUT', '/v1/cohort/labels', { labels })).status).toBe(403);
    expect((await call(stack.instructorToken, 'PUT', '/v1/cohort/labels', { labels: [{ key: 'Bad Key', type: 'yesno' }] })).status).toBe(400);
    expect(await call(stack.instructorToken, 'PUT', '/v1/cohort/labels', { labels })).toEqual({ status: 200, body: { labels } });
    expect((await call(ada.token, 'GET', '/v1/cohort/labels')).body).toEqual({ labels });

    const api = new ApiClient(stack.apiUrl, ada.token);
    const { runId } = await api.createRun({ count: 3, seed: 31 });
    await waitForRun(api, runId);
    const [first, second] = (await api.getPrompts(runId)).prompts;
    const review = (promptId: string, body: unknown) => call(ada.token, 'PUT', `/v1/runs/${runId}/prompts/${promptId}/review`, body);

    const set = await review(first!.promptId, { relevance: 4, inappropriate: false, note: '=SUM(A1)', culturalSensitivity: 'concern', scenarioAligned: false, labels: { stereotype: true, scene: 'market' } });
    expect(set.status).toBe(200);
    const undeclared = await review(second!.promptId, { relevance: 5, inappropriate: false, labels: { mood: true } });
    expect(undeclared).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('labels.mood') } } });
    const badChoice = await review(second!.promptId, { relevance: 5, inappropriate: false, labels: { scene: 'forest' } });
    expect(badChoice).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('street, market, harbour') } } });
    // Refused writes wrote nothing; an older client's three fields still make a review.
    expect((await api.getPrompts(runId)).prompts.find((p) => p.promptId === second!.promptId)?.review).toBeNull();
    expect((await review(second!.promptId, { relevance: 2, inappropriate: true, note: '' })).status).toBe(200);

    const zip = await unzipEntries((await call(ada.token, 'GET', `/v1/runs/${runId}/dataset.zip`)).body as Buffer);
    const csv = zip.get('metadata/quality_scores.csv')!.toString('utf8').trim().split('\n').map((line) => line.split(','));
    const column = (row: string[], name: string) => row[csv[0]!.indexOf(name)];
    const rowOf = (promptId: string) => csv.find((row) => row[1] === promptId)!;
    expect(csv[0]!.slice(-2)).toEqual(['label_scene', 'label_stereotype']);
    expect([column(rowOf(first!.promptId), 'label_scene'), column(rowOf(first!.promptId), 'label_stereotype')]).toEqual(['market', 'yes']);
    expect([column(rowOf(first!.promptId), 'culturalSensitivity'), column(rowOf(first!.promptId), 'scenarioAligned'), column(rowOf(first!.promptId), 'note')]).toEqual(['concern', 'no', "'=SUM(A1)"]);
    expect([column(rowOf(second!.promptId), 'label_scene'), column(rowOf(second!.promptId), 'culturalSensitivity')]).toEqual(['', '']);
    // Three images: the spot check samples all three; two reviewed, one rejected: 50 %, Wilson 9.5 % to 90.5 %,
    // live from the route and in the zip's card and generation_parameters.json.
    const spot = (await call(ada.token, 'GET', `/v1/runs/${runId}/spot-check`)).body as { sampled: number; reviewed: number; rejected: number; defectRate: { low: number; high: number }; flagged: { images: number } };
    expect(spot).toMatchObject({ sampled: 3, reviewed: 2, rejected: 1, flagged: { images: 3 } });
    expect([spot.defectRate.low, spot.defectRate.high].map((x) => Math.round(x * 1000) / 1000)).toEqual([0.095, 0.905]);
    expect(zip.get('README.md')!.toString('utf8')).toContain('2 reviewed, 1 rejected: an estimated defect rate of 50 % (95 % Wilson interval 9.5 % to 90.5 %)');
    expect(JSON.parse(zip.get('metadata/generation_parameters.json')!.toString('utf8')).quality.report.spotCheck).toMatchObject({ reviewed: 2, rejected: 1 });
    const rows = zip.get('generated_images/metadata.jsonl')!.toString('utf8').trim().split('\n').map((line) => JSON.parse(line) as { id: string; labels: Record<string, string> });
    expect(rows.find((row) => row.id === first!.promptId)?.labels).toEqual({ scene: 'market', stereotype: 'yes' });

    // Applied in bulk, as the gallery's selection does: checked against the declaration item by item, all or nothing.
    const third = (await api.getPrompts(runId)).prompts[2]!;
    const bulk = (scene: string) => call(ada.token, 'POST', `/v1/runs/${runId}/reviews`, { items: [first!, third].map((p) => ({ promptId: p.promptId, review: { relevance: 4, inappropriate: false, labels: { scene } } })) });
    expect((await bulk('forest')).status).toBe(400);
    expect((await bulk('harbour'))).toMatchObject({ status: 200, body: { changed: 2 } });
    const again = await unzipEntries((await call(ada.token, 'GET', `/v1/runs/${runId}/dataset.zip`)).body as Buffer);
    const scenes = again.get('metadata/quality_scores.csv')!.toString('utf8').trim().split('\n').map((line) => line.split(','));
    const sceneOf = (promptId: string) => scenes.find((row) => row[1] === promptId)![scenes[0]!.indexOf('label_scene')];
    expect([first!, second!, third].map((p) => sceneOf(p.promptId))).toEqual(['harbour', '', 'harbour']);
  });
});
