import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { previewObjectName } from '../../functions/core/objects/index.js';
import { ApiClient } from '../../scripts/client/api-client.js';
import { checkPermissions, readOperations } from '../../scripts/lib/iam-check.js';
import { readInfraModel } from '../../scripts/lib/infra-model.js';
import { deliver, FINALIZED_EVENT_TYPE } from '../../scripts/stack/storage-relay.js';
import { stackClients, waitForRun } from '../support/stack-clients.js';

/**
 * Every function runs through its paths on the emulator stack while it records the cloud operations
 * it performs; those are then checked against the roles infra/ grants each function's account.
 */
describe('permissions derived from what the functions do', () => {
  const { stack, bucket, previews } = stackClients();
  const operations = () => readOperations(readFileSync(stack.operationLog, 'utf8'));
  const instructor = new ApiClient(stack.apiUrl, stack.instructorToken);
  let participant: { id: string; token: string };
  let runId: string;

  const call = (path: string, token: string, method = 'GET', body?: unknown) =>
    fetch(`${stack.apiUrl}${path}`, { method, headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const setFaults = (generationDropRate: number, finalizeDropRate: number) => fetch(stack.faultControlUrl, { method: 'PUT', body: JSON.stringify({ generationDropRate, finalizeDropRate }) });
  const until = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((done) => setTimeout(done, 100));
    }
  };
  /** The assessor's structured log lines that mention this run, whatever their fields. */
  const assessorLines = (id: string) =>
    readFileSync(join(stack.logDir, 'assessImage.log'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{') && line.includes(id))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('a run of N images invokes the assessor N times: previews go to their own bucket and trigger nothing', async () => {
    const created = (await (await call('/v1/participants', stack.instructorToken, 'POST', { name: 'Permissions' })).json()) as { id: string; token: string };
    participant = created;
    const api = new ApiClient(stack.apiUrl, created.token);
    const count = 4;
    runId = (await api.createRun({ count, seed: 21 })).runId;
    await waitForRun(api, runId);
    const { prompts } = await api.getPrompts(runId);
    // Previews exist, beside nothing else in their bucket, and only images in the images bucket.
    const [previewFiles] = await previews.getFiles({ prefix: `runs/${runId}/` });
    const [imageFiles] = await bucket.getFiles({ prefix: `runs/${runId}/` });
    expect(previewFiles.map((file) => file.name).sort()).toEqual(prompts.map((prompt) => previewObjectName(prompt.objectName as string)).sort());
    expect(imageFiles.every((file) => file.name.endsWith('.png'))).toBe(true);
    expect((await call(`/v1/runs/${runId}/images/${prompts[0]!.promptId}?size=thumb`, created.token)).status).toBe(200);
    // Each invocation either assesses an image or logs why it ignored the object; previews' events would be the latter.
    const invocations = assessorLines(runId).filter((line) => line.message === 'assessed' || line.message === 'object ignored');
    expect(invocations.map((line) => line.message)).toEqual(Array(count).fill('assessed'));
  });

  it('a reference photograph is uploaded, listed, guides a run and is deleted, in its own bucket, and triggers no assessment', async () => {
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 40, g: 90, b: 160 } } }).png().toBuffer();
    const upload = await fetch(`${stack.apiUrl}/v1/references?name=harbour`, { method: 'POST', headers: { Authorization: `Bearer ${participant.token}`, 'Content-Type': 'image/png' }, body: png });
    expect(upload.status).toBe(201);
    const { referenceId } = (await upload.json()) as { referenceId: string };
    expect((await call('/v1/references', participant.token)).status).toBe(200);
    // The generator reads the reference's record and its bytes from the references bucket. The
    // instructor (who may use any reference) runs it, so the participant's runs stay as the purge test expects.
    const guided = (await (await call('/v1/runs', stack.instructorToken, 'POST', { count: 1, seed: 23, references: [referenceId] })).json()) as { runId: string };
    await waitForRun(instructor, guided.runId);
    expect((await instructor.getPrompts(guided.runId)).prompts.map((prompt) => [prompt.status, prompt.referenceIds])).toEqual([['assessed', [referenceId]]]);
    expect((await call(`/v1/references/${referenceId}`, participant.token, 'DELETE')).status).toBe(200);
    expect(assessorLines(referenceId)).toEqual([]);
  });

  it('the reconciler re-queues a prompt whose message was lost, then re-assesses its image whose finalize event was lost', async () => {
    const dropped = async () => ((await (await fetch(stack.faultControlUrl)).json()) as { dropped: { generation: number } }).dropped.generation;
    await setFaults(1, 1); // resets the counts
    try {
      const lost = await instructor.createRun({ count: 1, seed: 22 });
      // Only the first message is lost; the one the reconciler publishes again gets through.
      await until('the generation message to be dropped', async () => (await dropped()) > 0);
      await setFaults(0, 1);
      await waitForRun(instructor, lost.runId);
    } finally {
      await setFaults(0, 0);
    }
    const reconciler = operations().filter((op) => op.function === 'reconcile').map((op) => `${op.operation} ${op.resource}`);
    expect(reconciler).toEqual(expect.arrayContaining(['PromptPublisher.publish GENERATION_TOPIC', 'ImageBucket.writeDerivedIfAbsent PREVIEW_BUCKET']));
  });

  it('a purge during an assessment removes the preview that assessment stored, and the purge leaves no objects', async () => {
    const api = new ApiClient(stack.apiUrl, participant.token);
    const { prompts } = await api.getPrompts(runId);
    const name = prompts[1]!.objectName as string;
    // A large image keeps the assessor busy between reading the prompt and recording it, while the purge runs.
    const side = 3000;
    const noisy = await sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
    const file = bucket.file(name);
    await file.save(noisy, { resumable: false, contentType: 'image/png' });
    const generation = String(file.metadata.generation);
    const readsBefore = operations().filter((op) => op.function === 'assessImage' && op.operation === 'ImageBucket.read' && op.target === name).length;
    const object = { bucket: stack.bucket, name, generation, contentType: 'image/png', size: String(noisy.length) };
    const assessing = deliver(stack.assessorUrl, {
      headers: { 'content-type': 'application/json', 'ce-id': `purge-race-${generation}`, 'ce-source': `//storage.googleapis.com/projects/_/buckets/${stack.bucket}`, 'ce-specversion': '1.0', 'ce-type': FINALIZED_EVENT_TYPE, 'ce-subject': `objects/${name}`, 'ce-time': new Date().toISOString() },
      body: JSON.stringify(object),
    });
    await until('the assessor to read the large image', () => operations().filter((op) => op.function === 'assessImage' && op.operation === 'ImageBucket.read' && op.target === name).length > readsBefore);
    expect((await call(`/v1/participants/${participant.id}/runs`, stack.instructorToken, 'DELETE')).status).toBe(200);
    expect([200, 204]).toContain(await assessing);
    const previewName = previewObjectName(name);
    // Who removes the preview depends on which finished first, which a loaded machine decides. The purge
    // sweeps the previews before and after deleting the records: a preview stored before its last sweep
    // goes with a sweep; one stored after it must be removed by the assessor itself, whose record then
    // finds the prompt gone.
    const log = operations();
    const swept = log.findLastIndex((op) => op.function === 'api' && op.operation === 'ImageBucket.deletePrefix' && op.resource === 'PREVIEW_BUCKET');
    const stored = log.findIndex((op) => op.function === 'assessImage' && op.operation === 'ImageBucket.writeDerivedIfAbsent' && op.target === previewName);
    expect(swept).toBeGreaterThanOrEqual(0);
    if (stored > swept) expect(log.some((op) => op.function === 'assessImage' && op.operation === 'ImageBucket.deletePrefix' && op.target === previewName)).toBe(true);
    // The upload's own storage notification sets off a second assessment of the same object, which
    // this test does not deliver and cannot await; it too may store the preview after the last sweep
    // and remove it when its record finds the prompt gone. Nothing may be left once both have ended.
    const leftObjects = async () => {
      const [[leftPreviews], [leftImages]] = await Promise.all([previews.getFiles({ prefix: `runs/${runId}/` }), bucket.getFiles({ prefix: `runs/${runId}/` })]);
      return [...leftPreviews, ...leftImages].map((f) => f.name);
    };
    const deadline = Date.now() + 30_000;
    let left = await leftObjects();
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 100));
      left = await leftObjects();
    }
    expect(left).toEqual([]);
  });

  it('every operation recorded is allowed by the roles infra/ grants that function, and every grant is used', async () => {
    const report = checkPermissions(operations(), await readInfraModel(resolve(import.meta.dirname, '../../infra')));
    // Least privilege, reported: roles used for part of what they grant (a custom role would be narrower).
    console.error(`[iam] broader than needed:\n  ${report.broader.join('\n  ')}\n[iam] not exercised by the stack (configuration-dependent):\n  ${report.unexercised.join('\n  ')}`);
    expect({ missing: report.missing, unknown: report.unknown, unused: report.unused }).toEqual({ missing: [], unknown: [], unused: [] });
  });
});
