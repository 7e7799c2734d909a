import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it, vi } from 'vitest';
import { imageObjectMetadata } from '../../functions/core/objects/index.js';
import { exportRun } from '../../scripts/client/exporter.js';
import { functionLog, LOG_LANDS, stackClients, waitForRun } from '../support/stack-clients.js';
import { scratchDir } from '../support/scratch.js';

describe('full pipeline on the emulators', () => {
  const { api, bucket, previews, stack } = stackClients();

  it('takes 24 prompts through api → Pub/Sub → generateImage → Storage → assessImage → Firestore, and exports them', async () => {
    const created = await api.createRun({ count: 24, seed: 2024 });
    expect(created).toMatchObject({ planned: 24, statusUrl: `/v1/runs/${created.runId}` });

    const status = await waitForRun(api, created.runId);
    expect(status.counts).toEqual({ planned: 0, generating: 0, generated: 0, assessed: 24, failed: 0 });
    expect(status.failures).toEqual([]);
    expect(status.quality.assessed).toBe(24);
    expect(status.quality.meanResolutionScore).toBeCloseTo(0.5057, 3);
    expect(status.report).toMatchObject({ images: 24, balance: { categories: { counts: { protest_scenes: 8, gatherings: 6, individual_portraits: 5, contextual_scenes: 5 } } } });
    expect(status.report!.diversity.vendiScore).toBeGreaterThan(1);

    const [files] = await bucket.getFiles({ prefix: `runs/${created.runId}/` });
    expect(files.filter((file) => file.name.endsWith('.png'))).toHaveLength(24);
    const [previewFiles] = await previews.getFiles({ prefix: `runs/${created.runId}/` });
    expect(previewFiles.filter((file) => file.name.endsWith('.preview.jpg'))).toHaveLength(24);
    expect(new Set(previewFiles.map((file) => file.metadata.contentType))).toEqual(new Set(['image/jpeg']));
    const { prompts } = await api.getPrompts(created.runId);
    const first = prompts[0]!;
    const [metadata] = await bucket.file(`runs/${created.runId}/${first.category}/${first.promptId}.png`).getMetadata();
    expect(metadata.contentType).toBe('image/png');
    const expected = imageObjectMetadata({ runId: created.runId, promptId: first.promptId, prompt: first.prompt, provider: 'embedded', model: 'embedded-procedural-v1', seed: first.seed });
    expect(metadata.metadata).toEqual(expected);

    const dir = scratchDir('export-');
    const exported = await exportRun(api, status, dir, { test: '1' });
    expect(exported.images).toBe(24);
    const entries = JSON.parse(readFileSync(join(dir, 'metadata', 'image_prompts.json'), 'utf8')) as Array<{ status: string; file: string }>;
    expect(entries.every((entry) => entry.status === 'succeeded')).toBe(true);
    const image = await sharp(join(dir, entries[0]!.file)).metadata();
    expect([image.format, image.width, image.height]).toEqual(['png', 1024, 1024]);
    const csv = readFileSync(join(dir, 'metadata', 'quality_scores.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(25);
    expect(csv[0]).toContain('brightnessP99');
    expect(csv[0]).toContain('near_duplicate,unreadable,off_prompt,missing_elements,artifacts,inappropriate_content,copies_reference,unscreened_reference,duplicateOf');
    // One folder per category, as the workshop expects; the Hugging Face metadata files sit beside them.
    expect(readdirSync(join(dir, 'generated_images')).sort()).toEqual(['contextual_scenes', 'gatherings', 'individual_portraits', 'metadata.jsonl', 'metadata_test.jsonl', 'metadata_train.jsonl', 'metadata_validation.jsonl', 'protest_scenes']);
    expect(JSON.parse(readFileSync(join(dir, 'metadata', 'generation_parameters.json'), 'utf8'))).toMatchObject({ runId: created.runId, seed: 2024, provider: 'embedded', counts: { planned: 24, succeeded: 24, failed: 0 } });
    expect(readFileSync(join(dir, 'documentation', 'generation_log.md'), 'utf8')).toContain(`run ${created.runId}`);

    await vi.waitFor(() => expect(functionLog(stack.logDir, 'generateImage', created.runId).filter((entry) => entry.message === 'provider_call')).toHaveLength(24), LOG_LANDS);
  });

  it('renders the same image bytes for the same seed in two runs', async () => {
    const [a, b] = await Promise.all([api.createRun({ count: 2, seed: 99 }), api.createRun({ count: 2, seed: 99 })]);
    await Promise.all([waitForRun(api, a.runId), waitForRun(api, b.runId)]);
    const [imageA, imageB] = await Promise.all([api.getImage(a.runId, 'p0001'), api.getImage(b.runId, 'p0001')]);
    expect(imageA.equals(imageB)).toBe(true);
  });
});
