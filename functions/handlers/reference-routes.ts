import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { pageToken, parsePageRequest } from '../core/access/index.js';
import {
  admitReference,
  checkDeclaredSize,
  publicReference,
  referenceCursorSchema,
  referenceName,
  sniffReference,
  REFERENCE_LIMITS,
  REFERENCE_PAGE_LIMITS,
  type ReferenceLimits,
  type ReferenceRecord,
} from '../core/references/index.js';
import { formatIssues } from '../core/scenario/index.js';
import type { ImageBucket, Logger, ReferenceStore } from '../core/ports.js';
import type { Principal } from './auth.js';
import { HttpError, readJsonBody, sendJson } from './http.js';
import { ID, type Route } from './route.js';

export interface ReferenceDependencies {
  store: ReferenceStore;
  /** A bucket of their own: the images bucket's finalize trigger must never see a reference. */
  bucket: ImageBucket;
  /** Decodes a header-checked upload into its stored form (adapters/reference-image.ts). */
  prepare: (upload: Buffer) => Promise<{ ok: true; reference: { bytes: Buffer; width: number; height: number; sha256: string; signature: ReferenceRecord['signature'] } } | { ok: false; message: string }>;
  limits: ReferenceLimits;
  newReferenceId?: () => string;
}

export const sharedSchema = z.object({ shared: z.boolean() }).strict();

/** The body limit of an upload, checked by the api before authentication like every other body. */
export const REFERENCE_BODY_BYTES = REFERENCE_LIMITS.maxUploadBytes;

/** A reference the caller may see: their own, a shared one, or any for the instructor. Anything else is "does not exist". */
export function canSee(principal: Principal, record: ReferenceRecord | null): record is ReferenceRecord {
  return record !== null && (principal.role === 'instructor' || record.owner === principal.id || record.shared);
}

/**
 * `POST/GET /v1/references`, `GET /v1/references/{id}/image`, `DELETE /v1/references/{id}`, and the instructor's
 * `PATCH /v1/references/{id}` to share one with the cohort. An upload is checked from the
 * cheapest test to the costliest (size, then its first bytes, then its declared dimensions, then
 * the decode) and is stored only once every check passed; a refusal writes and counts nothing.
 */
export function referenceRoutes(deps: { references: ReferenceDependencies; log: Logger; cursorKey: Uint8Array; now?: () => number }): Route[] {
  const { references } = deps;
  const now = deps.now ?? Date.now;
  const newId = references.newReferenceId ?? (() => `ref-${randomBytes(6).toString('hex')}`);

  async function upload(body: Buffer, name: string, principal: Principal) {
    if (body.length === 0) throw new HttpError(400, 'INVALID_ARGUMENT', 'the request body is empty; send the image bytes');
    const sniffed = sniffReference(body);
    if (!sniffed.ok) throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', sniffed.message);
    const declared = checkDeclaredSize(sniffed, REFERENCE_LIMITS);
    if (!declared.ok) throw new HttpError(400, 'INVALID_ARGUMENT', declared.message);
    const prepared = await references.prepare(body);
    if (!prepared.ok) throw new HttpError(400, 'INVALID_ARGUMENT', prepared.message);
    const { reference } = prepared;
    const referenceId = newId();
    const record: ReferenceRecord = {
      referenceId,
      owner: principal.id,
      name,
      width: reference.width,
      height: reference.height,
      sha256: reference.sha256,
      bytes: reference.bytes.length,
      shared: false,
      createdAt: new Date(now()).toISOString(),
      objectName: `references/${principal.id}/${referenceId}.jpg`,
      signature: reference.signature,
    };
    const admit = (usage: Parameters<typeof admitReference>[0]) => admitReference(usage, record.bytes, references.limits);
    await references.bucket.writeDerivedIfAbsent(record.objectName, reference.bytes, 'image/jpeg');
    const decision = await references.store.create(record, admit);
    if (!decision.ok) {
      // Over the limit: the object written a moment ago goes, so a refusal leaves nothing behind.
      await references.bucket.deletePrefix(record.objectName);
      throw new HttpError(429, 'RESOURCE_EXHAUSTED', decision.message);
    }
    deps.log.info('reference stored', { referenceId, owner: principal.id, bytes: record.bytes });
    return record;
  }

  async function visible(principal: Principal, referenceId: string): Promise<ReferenceRecord> {
    const record = await references.store.get(referenceId);
    if (!canSee(principal, record)) throw new HttpError(404, 'NOT_FOUND', `reference ${referenceId} does not exist`);
    return record;
  }

  return [
    {
      method: 'POST',
      pattern: /^\/v1\/references$/,
      maxBodyBytes: REFERENCE_BODY_BYTES,
      async handle({ req, res, principal }) {
        const name = referenceName(req.query.name);
        if (!name.ok) throw new HttpError(400, 'INVALID_ARGUMENT', name.message);
        const record = await upload(req.rawBody ?? Buffer.alloc(0), name.name, principal);
        const { referenceId, width, height, sha256 } = record;
        sendJson(res, 201, { referenceId, name: record.name, width, height, sha256 });
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/references$/,
      async handle({ req, res, principal }) {
        const page = parsePageRequest(req.query, REFERENCE_PAGE_LIMITS, referenceCursorSchema, { list: 'references', key: deps.cursorKey });
        if (!page.ok) throw new HttpError(400, 'INVALID_ARGUMENT', page.message);
        const viewer = principal.role === 'instructor' ? {} : { viewer: principal.id };
        const { references: records, next } = await references.store.listPage({ ...viewer, pageSize: page.pageSize, after: page.after });
        sendJson(res, 200, { references: records.map(publicReference), nextPageToken: pageToken(next, { list: 'references', key: deps.cursorKey }) });
      },
    },
    {
      // The stored copy, for the gallery to show a near copy beside its reference. Only to a caller who may see the
      // reference (anyone else gets the 404 of one that does not exist), and never cached: a deleted or unshared
      // reference must not outlive its record in a browser or a proxy.
      method: 'GET',
      pattern: new RegExp(`^/v1/references/(${ID})/image$`),
      async handle({ res, params, principal }) {
        const record = await visible(principal, params[0] as string);
        const bytes = await references.bucket.read(record.objectName);
        if (!bytes) throw new HttpError(404, 'NOT_FOUND', `reference ${record.referenceId} does not exist`);
        res.status(200).set('Cache-Control', 'no-store').set('Vary', 'Authorization').set('X-Content-Type-Options', 'nosniff').set('Content-Type', 'image/jpeg').send(bytes);
      },
    },
    {
      method: 'DELETE',
      pattern: new RegExp(`^/v1/references/(${ID})$`),
      async handle({ res, params, principal }) {
        const referenceId = params[0] as string;
        const record = await visible(principal, referenceId);
        // A shared reference stays its owner's: another participant sees it but may not delete it.
        if (principal.role !== 'instructor' && record.owner !== principal.id) throw new HttpError(403, 'PERMISSION_DENIED', `reference ${referenceId} is shared by its owner; only they or the instructor can delete it`);
        // Record first: once it is gone no run can ask for the reference, then its bytes go.
        await references.store.remove(referenceId);
        await references.bucket.deletePrefix(record.objectName);
        sendJson(res, 200, { referenceId, deleted: true });
      },
    },
    {
      method: 'PATCH',
      pattern: new RegExp(`^/v1/references/(${ID})$`),
      instructorOnly: true,
      async handle({ req, res, params }) {
        const parsed = sharedSchema.safeParse(readJsonBody(req));
        if (!parsed.success) throw new HttpError(400, 'INVALID_ARGUMENT', formatIssues(parsed.error));
        const record = await references.store.setShared(params[0] as string, parsed.data.shared);
        if (!record) throw new HttpError(404, 'NOT_FOUND', `reference ${params[0]} does not exist`);
        sendJson(res, 200, publicReference(record));
      },
    },
  ];
}
