import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { previewObjectName } from '../../functions/core/objects/index.js';
import { imageObjectName } from '../../functions/core/runs/index.js';
import { INSTRUCTOR, participant, useRunViews } from '../support/run-views-fixture.js';

describe('read routes: images, previews and ETags', () => {
  const { bucket, previews, ada, grace, people, get, seedRun, thumbnailsMade, base } = useRunViews('runViewsImagesTest');

  it('serves the preview the assessor stored from its one decode, with no decode in the api', async () => {
    const { planned, decodes } = await seedRun('run-new', ada.record.id);
    expect(decodes).toBe(planned.length); // one decode per image, previews included
    expect([previews.derivedWrites, bucket.derivedWrites]).toEqual([planned.length, 0]);
    const writesBefore = previews.derivedWrites;
    for (const prompt of planned) {
      const answer = await get(`/v1/runs/run-new/images/${prompt.promptId}?size=thumb`, ada.token);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('image/jpeg');
      const meta = await sharp(Buffer.from(await answer.arrayBuffer())).metadata();
      expect(meta).toMatchObject({ format: 'jpeg', width: 256, height: 192 });
    }
    expect(thumbnailsMade()).toBe(0);
    expect(previews.derivedWrites).toBe(writesBefore);
  });

  it('makes a preview once for an image stored before previews existed, then serves it from storage', async () => {
    const { planned } = await seedRun('run-old', ada.record.id, { count: 1, assess: false });
    const promptId = planned[0]!.promptId;
    const name = previewObjectName(imageObjectName('run-old', planned[0]!.category, promptId));
    expect(previews.objects.has(name)).toBe(false);
    const first = await get(`/v1/runs/run-old/images/${promptId}?size=thumb`, ada.token);
    const second = await get(`/v1/runs/run-old/images/${promptId}?size=thumb`, ada.token);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(Buffer.from(await second.arrayBuffer())).toEqual(Buffer.from(await first.arrayBuffer()));
    expect(thumbnailsMade()).toBe(1);
    expect(previews.objects.get(name)?.contentType).toBe('image/jpeg');
    expect(await sharp(previews.objects.get(name)!.bytes).metadata()).toMatchObject({ format: 'jpeg', width: 256, height: 192 });
    expect(bucket.objects.has(name)).toBe(false);
  });

  it('answers a JPEG for an image whose only preview is a WebP stored before previews were JPEG, stores it once, and a purge deletes both', async () => {
    const owner = participant('u-old-webp');
    people.push(owner.record);
    const { planned } = await seedRun('run-old-webp', owner.record.id, { count: 1, assess: false });
    const imageName = imageObjectName('run-old-webp', planned[0]!.category, planned[0]!.promptId);
    const oldName = imageName.replace(/\.png$/, '.preview.webp');
    const webp = await sharp((await bucket.read(imageName))!).resize(256).webp().toBuffer();
    await previews.writeDerivedIfAbsent(oldName, webp, 'image/webp');
    const generation = bucket.objects.get(imageName)!.generation;
    const path = `/v1/runs/run-old-webp/images/${planned[0]!.promptId}?size=thumb`;
    // A browser revalidating its WebP under the old ETag gets the JPEG, not a 304.
    const first = await get(path, owner.token, { 'If-None-Match': `"${generation}-webp256"` });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/jpeg');
    expect(first.headers.get('etag')).toBe(`"${generation}-jpeg256"`);
    expect(await sharp(Buffer.from(await first.arrayBuffer())).metadata()).toMatchObject({ format: 'jpeg', width: 256, height: 192 });
    expect((await get(path, owner.token)).status).toBe(200);
    expect(thumbnailsMade()).toBe(1);
    expect(previews.objects.get(previewObjectName(imageName))?.contentType).toBe('image/jpeg');
    expect(previews.objects.get(oldName)?.bytes).toEqual(webp);
    expect((await fetch(`${base()}/v1/participants/${owner.record.id}/runs`, { method: 'DELETE', headers: { Authorization: `Bearer ${INSTRUCTOR}` } })).status).toBe(200);
    expect([...previews.objects.keys()].filter((name) => name.startsWith('runs/run-old-webp/'))).toEqual([]);
  });

  it.each([
    { size: 'full', type: 'image/png' },
    { size: 'thumb', type: 'image/jpeg' },
  ])('answers If-None-Match with the current ETag ($size) with a 304, and a stale one with the image', async ({ size, type }) => {
    const { planned } = await seedRun(`run-etag-${size}`, ada.record.id, { count: 1 });
    const path = `/v1/runs/run-etag-${size}/images/${planned[0]!.promptId}?size=${size}`;
    const first = await get(path, ada.token);
    const etag = first.headers.get('etag') as string;
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe(type);
    expect(etag).toMatch(size === 'thumb' ? /^"\d+-jpeg256"$/ : /^"\d+"$/);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    expect(first.headers.get('vary')).toContain('Authorization');
    const revalidated = await get(path, ada.token, { 'If-None-Match': etag });
    expect(revalidated.status).toBe(304);
    expect((await revalidated.arrayBuffer()).byteLength).toBe(0);
    expect(revalidated.headers.get('etag')).toBe(etag);
    expect((await get(path, ada.token, { 'If-None-Match': '"1"' })).status).toBe(200);
  });

  it('answers 401 to a revoked token, never a 304 or a cached 200, and 404 to another participant', async () => {
    const { planned } = await seedRun('run-revoke', grace.record.id, { count: 1 });
    const path = `/v1/runs/run-revoke/images/${planned[0]!.promptId}?size=thumb`;
    const first = await get(path, grace.token);
    const etag = first.headers.get('etag') as string;
    expect(first.status).toBe(200);
    expect((await get(path, ada.token, { 'If-None-Match': etag })).status).toBe(404);
    grace.record.revoked = true;
    try {
      const after = await get(path, grace.token, { 'If-None-Match': etag });
      expect(after.status).toBe(401);
      expect(after.headers.get('content-type')).toContain('application/json');
    } finally {
      grace.record.revoked = false;
    }
  });
});
