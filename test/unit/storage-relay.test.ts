import { describe, expect, it } from 'vitest';
import { toFinalizedCloudEvent } from '../../scripts/stack/storage-relay.js';

describe('toFinalizedCloudEvent', () => {
  const object = { bucket: 'b', name: 'runs/r/c/p0001.png', generation: 1732, size: 2048, contentType: 'image/png', updated: '2026-11-24T10:00:00Z' };
  const message = (eventType: string) => ({ id: '42', data: Buffer.from(JSON.stringify(object)), attributes: { eventType, bucketId: 'b', objectId: object.name, objectGeneration: '1732', payloadFormat: 'JSON_API_V1' } });

  it('builds the binary-mode CloudEvent that Eventarc delivers', () => {
    const event = toFinalizedCloudEvent(message('OBJECT_FINALIZE'))!;
    expect(event.headers).toEqual({
      'content-type': 'application/json',
      'ce-id': '42',
      'ce-source': '//storage.googleapis.com/projects/_/buckets/b',
      'ce-specversion': '1.0',
      'ce-type': 'google.cloud.storage.object.v1.finalized',
      'ce-subject': 'objects/runs/r/c/p0001.png',
      'ce-time': '2026-11-24T10:00:00Z',
    });
    expect(JSON.parse(event.body)).toMatchObject({ name: 'runs/r/c/p0001.png', generation: '1732', size: '2048' });
  });

  it.each(['OBJECT_DELETE', 'OBJECT_METADATA_UPDATE'])('skips %s', (eventType) => {
    expect(toFinalizedCloudEvent(message(eventType))).toBeNull();
  });
});
