/**
 * Cursor pages for every list that can grow: a page size with a default and a maximum, and an
 * opaque `pageToken` that names the last item seen. Walking by the last item's sort key (not by
 * offset) visits every item once even while new ones are inserted.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export interface PageLimits {
  default: number;
  max: number;
}

export const PAGE_LIMITS = {
  runs: { default: 50, max: 200 },
  participants: { default: 100, max: 500 },
  prompts: { default: 100, max: 500 },
} as const satisfies Record<string, PageLimits>;

export interface Page<T> {
  items: T[];
  /** The key to continue after, or null on the last page. */
  next: unknown;
}

export type PageRequest<C> = { ok: true; pageSize: number; after: C | null } | { ok: false; message: string };

/**
 * Which list a cursor belongs to and the key that signs it. A cursor is the JSON of the last item's
 * sort key and an HMAC of it, so a cursor the server did not issue (or issued for another list) is
 * refused with a 400 before any query; the sort key of a forged one never reaches the database,
 * which answers a malformed boundary with an error of its own.
 */
export interface CursorSigning {
  /** The list's name: one of PAGE_LIMITS's, or another list with limits of its own (reference photographs). */
  list: keyof typeof PAGE_LIMITS | 'references';
  key: Uint8Array;
}

/** 128 bits of HMAC-SHA256: far beyond guessing, and the token stays short. */
const MAC_BYTES = 16;
const INVALID_TOKEN = 'pageToken is not valid; pass the nextPageToken of the previous page';

const mac = (signing: CursorSigning, payload: string): Buffer => createHmac('sha256', signing.key).update(`${signing.list}\n${payload}`).digest().subarray(0, MAC_BYTES);

/** The token for the page after `next`, or null on the last page. */
export function pageToken(next: unknown, signing: CursorSigning): string | null {
  if (next === null || next === undefined) return null;
  const payload = Buffer.from(JSON.stringify(next), 'utf8').toString('base64url');
  return `${payload}.${mac(signing, payload).toString('base64url')}`;
}

/** Parses `pageSize` and `pageToken` from a query string; the cursor must carry this list's signature and match `schema`. */
export function parsePageRequest<C>(query: Record<string, unknown>, limits: PageLimits, schema: z.ZodType<C>, signing: CursorSigning): PageRequest<C> {
  const { pageSize: rawSize, pageToken: rawToken } = query;
  let pageSize = limits.default;
  if (rawSize !== undefined) {
    if (typeof rawSize !== 'string' || !/^\d{1,6}$/.test(rawSize) || Number(rawSize) < 1) return { ok: false, message: `pageSize must be a whole number from 1 to ${limits.max}` };
    pageSize = Math.min(Number(rawSize), limits.max);
  }
  if (rawToken === undefined || rawToken === '') return { ok: true, pageSize, after: null };
  const match = typeof rawToken === 'string' && rawToken.length <= 512 ? /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(rawToken) : null;
  const [, payload = '', signature = ''] = match ?? [];
  const given = Buffer.from(signature, 'base64url');
  if (!match || given.length !== MAC_BYTES || !timingSafeEqual(given, mac(signing, payload))) return { ok: false, message: INVALID_TOKEN };
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, message: INVALID_TOKEN };
  }
  // Checked even when signed: a cursor issued before a change of its shape must still be refused cleanly.
  const parsed = schema.safeParse(decoded);
  return parsed.success ? { ok: true, pageSize, after: parsed.data } : { ok: false, message: INVALID_TOKEN };
}

/** The HMAC key for cursors, derived from a server secret so every instance signs alike. */
export const cursorKey = (secret: string): Buffer => createHmac('sha256', secret).update('page cursors v1').digest();

/** An ISO timestamp as the stores write it, and a document id Firestore accepts as a query boundary. */
const sortTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/);
const documentId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).refine((id) => !/^__.*__$/.test(id));

/** Runs: newest first, ties broken by id. */
export const runCursorSchema = z.tuple([sortTime, documentId]);
export type RunCursor = z.infer<typeof runCursorSchema>;
/** Participants: oldest first, ties broken by id. */
export const participantCursorSchema = z.tuple([sortTime, documentId]);
export type ParticipantCursor = z.infer<typeof participantCursorSchema>;
/** Prompts: by plan index. */
export const promptCursorSchema = z.number().int().min(0).max(1_000_000);
export type PromptCursor = z.infer<typeof promptCursorSchema>;

/** What a list of runs shows of each run. */
export interface RunListing {
  runId: string;
  createdAt: string;
  owner: string;
  planned: number;
  scenario: string;
}
