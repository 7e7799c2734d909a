import type { Request, Response } from '@google-cloud/functions-framework';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../core/scenario/index.js';
import type { FieldIssue } from '../core/scenario/index.js';

export const MAX_BODY_BYTES = 1024 * 1024;

/** An error with the HTTP status and machine-readable code the client sees. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    /** Per-field problems, for a form to show next to each field. */
    readonly fields?: FieldIssue[],
  ) {
    super(message);
  }
}

/** JSON is data, never a page: nothing in it may load, frame or run. */
const API_SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).set(API_SECURITY_HEADERS).json(body);
}

export function sendError(res: Response, error: HttpError): void {
  for (const [name, value] of Object.entries(error.headers)) res.set(name, value);
  sendJson(res, error.status, { error: { code: error.code, message: error.message, ...(error.fields ? { fields: error.fields } : {}) } });
}

/**
 * The framework has already parsed the body by the time we run; this checks what it
 * parsed. Size is checked on the raw bytes, so a large body is refused whatever its type.
 */
export function readJsonBody(req: Request): unknown {
  checkBodySize(req);
  if (!req.is('application/json')) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the request body as JSON with "Content-Type: application/json"');
  }
  if ((req.rawBody?.length ?? 0) === 0) throw new HttpError(400, 'INVALID_ARGUMENT', 'the request body is empty; send a JSON object such as {"count": 20}');
  // Checked without recursion before any schema walks the body: deep nesting would overflow the stack (a 500).
  if (nestsDeeperThan(req.body, MAX_JSON_DEPTH)) throw new HttpError(400, 'INVALID_ARGUMENT', `the request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  return req.body;
}

/**
 * 413 for a body over 1 MiB, counted after inflation (the framework has already inflated it).
 * Cheap and free of I/O, so the api checks it even before authentication, which lets a
 * decompression bomb be refused, and its memory freed, at once.
 */
export function checkBodySize(req: Request, limit: number = MAX_BODY_BYTES): void {
  const declared = Number(req.get('content-length') ?? 0);
  const actual = req.rawBody?.length ?? 0;
  if (declared > limit || actual > limit) {
    throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `the request body is ${Math.max(declared, actual)} bytes; the limit is ${limit} bytes (${+(limit / 1024 / 1024).toFixed(2)} MiB)`, { Connection: 'close' });
  }
}
