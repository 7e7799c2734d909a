/** Reference photographs through the api: upload, list, share, delete, metadata stripped, and every hostile upload refused with nothing stored or counted. */
import type { Server } from 'node:http';
import { crc32 } from 'node:zlib';
import * as functions from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryImageBucket } from '../../functions/adapters/memory-bucket.js';
import { MemoryRunStore } from '../../functions/adapters/memory-store.js';
import { MemoryLifecycleStore } from '../../functions/adapters/memory-lifecycle.js';
import { MemoryCohortLabels } from '../../functions/adapters/memory-cohort-labels.js';
import { MemoryDownloadTickets } from '../../functions/adapters/memory-download-tickets.js';
import { MemoryReferenceStore } from '../../functions/adapters/memory-references.js';
import { prepareReference } from '../../functions/adapters/reference-image.js';
import { makeThumbnail } from '../../functions/adapters/thumbnail.js';
import { hashToken, newToken, type Participant } from '../../functions/core/access/index.js';
import type { ParticipantStore } from '../../functions/core/ports.js';
import { REFERENCE_LIMITS, type ReferenceLimits } from '../../functions/core/references/index.js';
import { makeApiHandler, type ApiDependencies } from '../../functions/handlers/api.js';
import { makeAuthorize } from '../../functions/handlers/auth.js';
import { builtinScenarios, DEFAULT_SCENARIO } from '../../functions/scenarios/index.js';
import { silent } from '../support/kit.js';
import { MemorySignInFailures } from '../../functions/adapters/memory-sign-in-failures.js';

const INSTRUCTOR = 'i'.repeat(40);

function participant(id: string): { record: Participant; token: string } {
  const token = newToken();
  return { token, record: { id, name: id, tokenHash: hashToken(token), revoked: false, imageQuota: 100, imagesUsed: 0, activeRuns: [], createdAt: '2026-01-01T00:00:00.000Z' } };
}

/** A photograph-like gradient, so the encoders have something to compress. */
async function photo(width: number, height: number) {
  return sharp({ create: { width, height, channels: 3, background: { r: 90, g: 140, b: 60 } } }).composite([{ input: Buffer.from(`<svg width="${width}" height="${height}"><rect x="10" y="10" width="${width / 3}" height="${height / 2}" fill="#c33"/></svg>`) }]);
}

/** A PNG chunk with its CRC, so a crafted file is well formed up to what it lies about. */
function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A real 1 × 1 PNG whose IHDR is rewritten to declare `width` × `height`: tiny on the wire, enormous decoded. */
async function pngDeclaring(width: number, height: number): Promise<Buffer> {
  const png = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } }).png().toBuffer();
  const ihdr = Buffer.from(png.subarray(16, 29));
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  return Buffer.concat([png.subarray(0, 8), chunk('IHDR', ihdr), png.subarray(33)]);
}

/** An animated PNG's marker: an acTL chunk before the image data. */
async function animatedPng(): Promise<Buffer> {
  const png = await (await photo(64, 48)).png().toBuffer();
  const actl = Buffer.alloc(8);
  actl.writeUInt32BE(2, 0);
  return Buffer.concat([png.subarray(0, 33), chunk('acTL', actl), png.subarray(33)]);
}

async function animatedWebp(): Promise<Buffer> {
  const frame = (colour: string) => sharp({ create: { width: 32, height: 32, channels: 3, background: colour } }).png().toBuffer();
  return sharp([await frame('#f00'), await frame('#00f')], { join: { animated: true } }).webp().toBuffer();
}

describe('reference photographs', () => {
  const ada = participant('u-ada');
  const grace = participant('u-grace');
  const people = [ada.record, grace.record];
  const participants = {
    findByTokenHash: async (hash: string) => structuredClone(people.find((p) => p.tokenHash === hash) ?? null),
    get: async (id: string) => structuredClone(people.find((p) => p.id === id) ?? null),
  } as unknown as ParticipantStore;
  const store = new MemoryReferenceStore();
  const referenceBucket = new MemoryImageBucket();
  const imageBucket = new MemoryImageBucket();
  const limits: ReferenceLimits = { maxCountPerOwner: 3, maxStoredBytesPerOwner: 2_000_000 };
  let decodes = 0;
  let nextId = 0;
  let server: Server;
  let base: string;

  const deps: ApiDependencies = {
    store: new MemoryRunStore(),
    lifecycle: new MemoryLifecycleStore(new MemoryRunStore()),
    bucket: imageBucket,
    participants,
    publisher: { publish: async () => ({ failed: [] }) },
    log: silent,
    authorize: makeAuthorize({ participants, instructorToken: INSTRUCTOR, failures: new MemorySignInFailures() }),
    cursorKey: Buffer.from('unit-test cursor key'),
    previews: new MemoryImageBucket(),
    quotas: { defaultImageQuota: 100, maxImagesPerRun: 100, maxRunsInFlight: 2 },
    builtins: builtinScenarios,
    defaultScenario: DEFAULT_SCENARIO,
    provider: { name: 'embedded', model: 'embedded-1' },
    thumbnail: makeThumbnail,
    tickets: new MemoryDownloadTickets(),
    cohortLabels: new MemoryCohortLabels(),
    // The decode is counted, so a test can say a hostile upload never reached it.
    references: { store, bucket: referenceBucket, limits, prepare: (bytes) => ((decodes += 1), prepareReference(bytes)), newReferenceId: () => `ref-${++nextId}` },
  };

  const call = (method: string, path: string, token: string, body?: Buffer | string, contentType = 'image/png') =>
    fetch(`${base}${path}`, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': contentType }, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : new Uint8Array(body) }) });
  const upload = (bytes: Buffer | string, token = ada.token, query = '', contentType = 'image/png') => call('POST', `/v1/references${query}`, token, bytes, contentType);

  beforeAll(async () => {
    const handler = makeApiHandler(deps);
    functions.http('referenceRoutesTest', (req, res) => handler(req, res));
    server = getTestServer('referenceRoutesTest');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    store.records.clear();
    referenceBucket.objects.clear();
    decodes = 0;
    nextId = 0;
  });

  it('stores a JPEG with EXIF, GPS and a wide-gamut profile downscaled to 1024 px, re-encoded, with no metadata left', async () => {
    const original = await (await photo(2000, 1500))
      .withExif({ IFD0: { Copyright: 'Someone', Artist: 'Photographer' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } })
      .withIccProfile('p3')
      .jpeg()
      .toBuffer();
    const before = await sharp(original).metadata();
    expect(before.exif).toBeDefined();
    expect(before.icc).toBeDefined();

    const answer = await upload(original, ada.token, '?name=march', 'image/webp');
    expect(answer.status).toBe(201);
    const body = (await answer.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ referenceId: 'ref-1', name: 'march', width: 1024, height: 768 });
    expect(Object.keys(body).sort()).toEqual(['height', 'name', 'referenceId', 'sha256', 'width']);

    const [name, object] = [...referenceBucket.objects.entries()][0]!;
    expect(name).toBe('references/u-ada/ref-1.jpg');
    expect(imageBucket.objects.size).toBe(0);
    const stored = await sharp(object.bytes).metadata();
    expect([stored.format, stored.width, stored.height]).toEqual(['jpeg', 1024, 768]);
    expect([stored.exif, stored.icc, stored.xmp, stored.iptc]).toEqual([undefined, undefined, undefined, undefined]);
    expect(object.bytes.includes(Buffer.from('Exif'))).toBe(false);
    expect(object.bytes.includes(Buffer.from('Photographer'))).toBe(false);
  });

  it('lists the caller\'s own and shared references, page by page; the instructor shares; only the owner deletes', async () => {
    for (const name of ['a', 'b']) expect((await upload(await (await photo(300, 200)).png().toBuffer(), ada.token, `?name=${name}`)).status).toBe(201);
    expect((await upload(await (await photo(300, 200)).webp().toBuffer(), grace.token, '?name=g')).status).toBe(201);

    const names = async (token: string, query = '') => {
      const page = (await (await call('GET', `/v1/references${query}`, token)).json()) as { references: Array<{ name: string; owner: string }>; nextPageToken: string | null };
      return { names: page.references.map((r) => r.name).sort(), next: page.nextPageToken };
    };
    expect((await names(ada.token)).names).toEqual(['a', 'b']);
    expect((await names(grace.token)).names).toEqual(['g']);
    const first = await names(ada.token, '?pageSize=1');
    expect(first.names).toHaveLength(1);
    expect((await names(ada.token, `?pageSize=1&pageToken=${first.next}`)).names).toEqual(['a', 'b'].filter((n) => n !== first.names[0]));

    expect((await call('PATCH', '/v1/references/ref-1', ada.token, '{"shared":true}', 'application/json')).status).toBe(403);
    const shared = await call('PATCH', '/v1/references/ref-1', INSTRUCTOR, '{"shared":true}', 'application/json');
    expect(shared.status).toBe(200);
    expect((await names(grace.token)).names).toEqual(['a', 'g']);
    expect((await call('DELETE', '/v1/references/ref-1', grace.token)).status).toBe(403);

    expect((await call('DELETE', '/v1/references/ref-2', ada.token)).status).toBe(200);
    expect([...referenceBucket.objects.keys()].sort()).toEqual(['references/u-ada/ref-1.jpg', 'references/u-grace/ref-3.jpg']);
    expect((await names(ada.token)).names).toEqual(['a']);
  });

  it('answers another participant\'s reference exactly as one that does not exist', async () => {
    expect((await upload(await (await photo(300, 200)).png().toBuffer(), ada.token)).status).toBe(201);
    const theirs = await call('DELETE', '/v1/references/ref-1', grace.token);
    const missing = await call('DELETE', '/v1/references/ref-404', grace.token);
    expect([theirs.status, missing.status]).toEqual([404, 404]);
    const shape = async (answer: Response) => JSON.stringify(await answer.json()).replace(/ref-\d+/g, 'ID');
    expect(await shape(theirs)).toBe(await shape(missing));
    expect(store.records.size).toBe(1);
  });

  it('counts references and bytes per participant and refuses past either limit, storing nothing', async () => {
    for (let i = 0; i < limits.maxCountPerOwner; i++) expect((await upload(await (await photo(200, 150)).png().toBuffer())).status).toBe(201);
    const over = await upload(await (await photo(200, 150)).png().toBuffer());
    expect(over.status).toBe(429);
    expect(((await over.json()) as { error: { message: string } }).error.message).toMatch(/the limit is 3/);
    expect([store.records.size, referenceBucket.objects.size]).toEqual([3, 3]);
    // Another participant's count is their own.
    expect((await upload(await (await photo(200, 150)).png().toBuffer(), grace.token)).status).toBe(201);
  });

  it('serves the stored copy, never cached, to the owner and the instructor, to others only once shared; anyone else gets 404', async () => {
    expect((await upload(await (await photo(640, 480)).png().toBuffer())).status).toBe(201);
    const stored = referenceBucket.objects.get('references/u-ada/ref-1.jpg')!.bytes;
    for (const token of [ada.token, INSTRUCTOR]) {
      const answer = await call('GET', '/v1/references/ref-1/image', token);
      expect(answer.status).toBe(200);
      expect([answer.headers.get('content-type'), answer.headers.get('cache-control')]).toEqual(['image/jpeg', 'no-store']);
      expect(Buffer.from(await answer.arrayBuffer()).equals(stored)).toBe(true);
    }
    const hidden = await call('GET', '/v1/references/ref-1/image', grace.token);
    const missing = await call('GET', '/v1/references/ref-9/image', grace.token);
    expect([hidden.status, missing.status]).toEqual([404, 404]);
    expect(((await hidden.json()) as { error: { message: string } }).error.message).toBe('reference ref-1 does not exist');
    expect((await call('PATCH', '/v1/references/ref-1', INSTRUCTOR, '{"shared":true}', 'application/json')).status).toBe(200);
    expect((await call('GET', '/v1/references/ref-1/image', grace.token)).status).toBe(200);
    expect((await fetch(`${base}/v1/references/ref-1/image`)).status).toBe(401);
  });

  const hostile: Array<{ name: string; body: () => Promise<Buffer | string>; status: number; message: RegExp; decoded: boolean }> = [
    { name: 'plain text', body: async () => 'hello, not an image', status: 415, message: /not a PNG, JPEG or WebP/, decoded: false },
    { name: 'an empty body', body: async () => Buffer.alloc(0), status: 400, message: /empty/, decoded: false },
    { name: 'SVG sent as image/png', body: async () => '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', status: 415, message: /SVG/, decoded: false },
    { name: 'a GIF', body: async () => sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).gif().toBuffer(), status: 415, message: /GIF/, decoded: false },
    { name: 'an animated PNG', body: animatedPng, status: 415, message: /animated PNG/, decoded: false },
    { name: 'an animated WebP', body: animatedWebp, status: 415, message: /animated WebP/, decoded: false },
    { name: 'a PNG declaring 50,000 × 50,000 pixels', body: () => pngDeclaring(50_000, 50_000), status: 400, message: /declares 50000 × 50000 pixels/, decoded: false },
    { name: 'a PNG declaring 9,000 × 9,000 pixels (under the side limit, over the pixel limit)', body: () => pngDeclaring(9_000, 9_000), status: 400, message: /declares 9000 × 9000/, decoded: false },
    { name: 'a truncated JPEG', body: async () => (await (await photo(400, 300)).jpeg().toBuffer()).subarray(0, 900), status: 400, message: /could not be decoded/, decoded: true },
    { name: 'a body over the size limit', body: async () => Buffer.alloc(REFERENCE_LIMITS.maxUploadBytes + 1, 0xff), status: 413, message: /the limit is 8388608 bytes/, decoded: false },
  ];

  it.each(hostile)('refuses $name with a JSON error, storing and counting nothing', async ({ body, status, message, decoded }) => {
    const answer = await upload(await body());
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toMatch(/application\/json/);
    expect(((await answer.json()) as { error: { message: string } }).error.message).toMatch(message);
    expect(decodes).toBe(decoded ? 1 : 0);
    expect([store.records.size, referenceBucket.objects.size, imageBucket.objects.size]).toEqual([0, 0, 0]);
  });
});
