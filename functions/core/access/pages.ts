/**
 * Cursor pages for every list that can grow: a page size with a default and a maximum, and an
 * opaque `pageToken` that names the last item seen. Walking by the last item's sort key (not by
 * offset) visits every item once even while new ones are inserted.
 */
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

const encode = (cursor: unknown): string => Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');

export const pageToken = (next: unknown): string | null => (next === null || next === undefined ? null : encode(next));

/** Parses `pageSize` and `pageToken` from a query string; the cursor's shape is checked with `schema`. */
export function parsePageRequest<C>(query: Record<string, unknown>, limits: PageLimits, schema: z.ZodType<C>): PageRequest<C> {
  const { pageSize: rawSize, pageToken: rawToken } = query;
  let pageSize = limits.default;
  if (rawSize !== undefined) {
    if (typeof rawSize !== 'string' || !/^\d{1,6}$/.test(rawSize) || Number(rawSize) < 1) return { ok: false, message: `pageSize must be a whole number from 1 to ${limits.max}` };
    pageSize = Math.min(Number(rawSize), limits.max);
  }
  if (rawToken === undefined || rawToken === '') return { ok: true, pageSize, after: null };
  if (typeof rawToken !== 'string' || rawToken.length > 512 || !/^[A-Za-z0-9_-]+$/.test(rawToken)) return { ok: false, message: 'pageToken is not valid; pass the nextPageToken of the previous page' };
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(rawToken, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, message: 'pageToken is not valid; pass the nextPageToken of the previous page' };
  }
  const parsed = schema.safeParse(decoded);
  return parsed.success ? { ok: true, pageSize, after: parsed.data } : { ok: false, message: 'pageToken is not valid; pass the nextPageToken of the previous page' };
}

/** Runs: newest first, ties broken by id. */
export const runCursorSchema = z.tuple([z.string().max(64), z.string().max(64)]);
export type RunCursor = z.infer<typeof runCursorSchema>;
/** Participants: oldest first, ties broken by id. */
export const participantCursorSchema = z.tuple([z.string().max(64), z.string().max(64)]);
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
