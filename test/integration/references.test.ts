import { Storage } from '@google-cloud/storage';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { stackClients } from '../support/stack-clients.js';

/** Reference photographs on the emulator stack: Firestore records and usage, the bucket of their own, sharing and privacy. */
describe('reference photographs on the emulator stack', () => {
  const { stack, bucket, firestore } = stackClients();
  const references = new Storage({ projectId: stack.projectId, apiEndpoint: stack.clientEnv.STORAGE_API_ENDPOINT }).bucket(`${stack.bucket}-references`);
  const call = async (method: string, path: string, token: string, body?: Buffer | string, contentType = 'application/json') => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': contentType }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : new Uint8Array(body) }),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const I = stack.instructorToken;

  it('uploads, lists, shares and deletes, keeping the stored copy in its own bucket without metadata', async () => {
    const created = await call('POST', '/v1/participants:batchCreate', I, JSON.stringify({ participants: [{ name: 'Ref Ada' }, { name: 'Ref Grace' }] }));
    const [ada, grace] = created.body.participants as [{ id: string; token: string }, { id: string; token: string }];
    const photo = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: { r: 120, g: 90, b: 60 } } })
      .withExif({ IFD0: { Artist: 'Photographer' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } })
      .jpeg()
      .toBuffer();

    const uploaded = await call('POST', '/v1/references?name=square', ada.token, photo, 'image/png');
    expect(uploaded.status).toBe(201);
    const { referenceId } = uploaded.body as { referenceId: string };
    expect(uploaded.body).toMatchObject({ name: 'square', width: 1024, height: 768 });

    const [files] = await references.getFiles({ prefix: `references/${ada.id}/` });
    expect(files.map((file) => file.name)).toEqual([`references/${ada.id}/${referenceId}.jpg`]);
    const [stored] = await files[0]!.download();
    const metadata = await sharp(stored).metadata();
    expect([metadata.width, metadata.exif, metadata.icc]).toEqual([1024, undefined, undefined]);
    const [inImages] = await bucket.getFiles({ prefix: 'references/' });
    expect(inImages).toEqual([]);
    expect((await firestore.collection('referenceUsage').doc(ada.id).get()).data()).toEqual({ count: 1, bytes: stored.length });

    expect((await call('GET', '/v1/references', grace.token)).body.references).toEqual([]);
    expect((await call('DELETE', `/v1/references/${referenceId}`, grace.token)).status).toBe(404);
    expect((await call('PATCH', `/v1/references/${referenceId}`, I, '{"shared":true}')).status).toBe(200);
    const seen = await call('GET', '/v1/references?pageSize=10', grace.token);
    expect(seen.body.references.map((r: { referenceId: string }) => r.referenceId)).toEqual([referenceId]);

    expect((await call('DELETE', `/v1/references/${referenceId}`, ada.token)).status).toBe(200);
    expect((await references.getFiles({ prefix: `references/${ada.id}/` }))[0]).toEqual([]);
    expect((await firestore.collection('referenceUsage').doc(ada.id).get()).data()).toEqual({ count: 0, bytes: 0 });
  });

  it('refuses a decompression bomb and a non-image, storing and counting nothing', async () => {
    const created = await call('POST', '/v1/participants', I, JSON.stringify({ name: 'Ref Bob' }));
    const bob = created.body as { id: string; token: string };
    const png = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } }).png().toBuffer();
    png.writeUInt32BE(60_000, 16);
    png.writeUInt32BE(60_000, 20);
    expect((await call('POST', '/v1/references', bob.token, png, 'image/png')).status).toBe(400);
    expect((await call('POST', '/v1/references', bob.token, '<svg xmlns="http://www.w3.org/2000/svg"/>', 'image/png')).status).toBe(415);
    expect((await references.getFiles({ prefix: `references/${bob.id}/` }))[0]).toEqual([]);
    expect((await firestore.collection('referenceUsage').doc(bob.id).get()).exists).toBe(false);
  });

  it('a run names references: another participant\'s is refused before anything is booked; one\'s own guides every prompt', async () => {
    const created = await call('POST', '/v1/participants:batchCreate', I, JSON.stringify({ participants: [{ name: 'Run Ada' }, { name: 'Run Grace' }] }));
    const [ada, grace] = created.body.participants as [{ id: string; token: string }, { id: string; token: string }];
    const photo = await sharp({ create: { width: 900, height: 600, channels: 3, background: { r: 200, g: 40, b: 30 } } }).jpeg().toBuffer();
    const { referenceId } = (await call('POST', '/v1/references?name=red', ada.token, photo, 'image/jpeg')).body as { referenceId: string };

    const refused = await call('POST', '/v1/runs', grace.token, JSON.stringify({ count: 2, references: [referenceId] }));
    expect([refused.status, refused.body.error.fields]).toEqual([400, [{ field: 'references', message: `reference ${referenceId} does not exist` }]]);
    expect((await call('GET', '/v1/me', grace.token)).body.imagesUsed).toBe(0);

    const preview = await call('POST', '/v1/runs:preview', ada.token, JSON.stringify({ count: 2, seed: 4, references: [referenceId] }));
    expect(preview.body.prompts.map((prompt: { referenceIds: string[] }) => prompt.referenceIds)).toEqual([[referenceId], [referenceId]]);
    const accepted = await call('POST', '/v1/runs', ada.token, JSON.stringify({ count: 2, seed: 4, references: [referenceId] }));
    expect(accepted.status).toBe(202);
    const run = await call('GET', `/v1/runs/${accepted.body.runId}`, ada.token);
    // 900×600 is stored as is (under 1024 px): 2×1 tiles of 768 px, 516 tokens, once per prompt. The embedded renderer costs nothing.
    expect(run.body.costEstimate.references).toMatchObject({ images: 2, tokens: 1032, usd: 0 });
    const prompts = await call('GET', `/v1/runs/${accepted.body.runId}/prompts`, ada.token);
    expect(prompts.body.prompts.map((prompt: { referenceIds: string[] }) => prompt.referenceIds)).toEqual([[referenceId], [referenceId]]);
  });
});
