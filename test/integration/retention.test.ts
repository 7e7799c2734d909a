import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Timestamp } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import { exportRun } from '../../scripts/client/exporter.js';
import { MISSING_IMAGE_REASON } from '../../functions/core/export/index.js';
import { stackClients, waitForRun } from '../support/stack-clients.js';
import { unzipEntries } from '../support/unzip.js';
import { scratchDir } from '../support/scratch.js';

/** A dataset download after the retention period deleted some of a run's images, as the bucket's lifecycle rule does. */
describe('retention', () => {
  const { stack, api, bucket, firestore } = stackClients();

  it('stamps a run and its prompts to expire together, RETENTION_DAYS after creation, and keeps the stamp out of every answer', async () => {
    const { runId } = await api.createRun({ count: 2, seed: 40 });
    const run = await firestore.collection('runs').doc(runId).get();
    const prompts = await firestore.collection('runs').doc(runId).collection('prompts').get();
    const due = Date.parse(run.get('createdAt') as string) + 30 * 86_400_000; // the default RETENTION_DAYS, which the test stack keeps
    expect([run.get('expireAt'), ...prompts.docs.map((doc) => doc.get('expireAt'))].map((stamp: Timestamp) => stamp.toMillis())).toEqual([due, due, due]);
    await waitForRun(api, runId);
    const answers = JSON.stringify([await api.getRun(runId), await api.getPrompts(runId), await api.call('GET', '/v1/runs')]);
    expect(answers).not.toContain('expireAt');
  });

  it('leaves the missing images out and names them in the answer, the dataset card and generation_parameters.json', async () => {
    const { runId } = await api.createRun({ count: 4, seed: 41 });
    await waitForRun(api, runId);
    const { prompts } = await api.getPrompts(runId);
    const gone = prompts.slice(0, 2);
    await Promise.all(gone.map((prompt) => bucket.file(prompt.objectName as string).delete()));

    const answer = await fetch(`${stack.apiUrl}/v1/runs/${runId}/dataset.zip`, { headers: { Authorization: `Bearer ${stack.instructorToken}` } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-missing-images')).toBe('2');
    const entries = await unzipEntries(Buffer.from(await answer.arrayBuffer()));
    const images = [...entries.keys()].filter((path) => path.startsWith('generated_images/') && path.endsWith('.png'));
    expect(images.sort()).toEqual(prompts.slice(2).map((prompt) => `generated_images/${prompt.category}/${prompt.promptId}.png`).sort());

    const ids = gone.map((prompt) => prompt.promptId).sort();
    const parameters = JSON.parse(entries.get('metadata/generation_parameters.json')!.toString('utf8')) as { missingImages: string[]; counts: { succeeded: number; failed: number } };
    expect(parameters.missingImages).toEqual(ids);
    expect(parameters.counts).toMatchObject({ succeeded: 2, failed: 2 });
    const card = entries.get('README.md')!.toString('utf8');
    expect(card).toContain('## Missing images');
    for (const id of ids) expect(card).toContain(`\`${id}\``);
    const listed = JSON.parse(entries.get('metadata/image_prompts.json')!.toString('utf8')) as Array<{ id: string; status: string; failureReason?: string }>;
    expect(listed.filter((entry) => ids.includes(entry.id)).map((entry) => [entry.status, entry.failureReason])).toEqual([['failed', MISSING_IMAGE_REASON], ['failed', MISSING_IMAGE_REASON]]);

    // npm run export of the same run: the same images left out, the same card.
    const dir = scratchDir('retention-export-');
    const exported = await exportRun(api, await api.getRun(runId), dir, {});
    expect([exported.images, exported.missing]).toEqual([2, ids]);
    expect(gone.map((prompt) => existsSync(join(dir, `generated_images/${prompt.category}/${prompt.promptId}.png`)))).toEqual([false, false]);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('## Missing images');
  });
});
