import { PermanentProviderError, TransientProviderError } from '../../core/objects/index.js';

/**
 * Sorts whatever the Gemini SDK threw into "retrying can help" or "it never will". Pure.
 *
 * The SDK's `ApiError` carries the HTTP status in `.status` and the whole JSON error body,
 * stringified, in `.message`: `{"error":{"code":429,"message":"…","status":"RESOURCE_EXHAUSTED","details":[…]}}`.
 * Anything we cannot recognise is transient: Pub/Sub redelivery bounds the retries, then fails it.
 */

/** Statuses that clear up by themselves. 499 is Google's CANCELLED, which a dropped connection produces. */
const TRANSIENT_STATUSES = new Set([408, 429, 499, 500, 502, 503, 504]);

const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';

interface GoogleErrorBody {
  code?: number;
  message?: string;
  status?: string;
  details?: unknown[];
}

export function classifyGeminiError(error: unknown): PermanentProviderError | TransientProviderError {
  if (error instanceof PermanentProviderError || error instanceof TransientProviderError) return error;
  if (isApiError(error)) return classifyApiError(error.status, error.message);
  if (isTimeout(error)) {
    return new TransientProviderError('Gemini request timed out or was aborted before an answer arrived');
  }
  const networkCode = networkErrorCode(error);
  if (networkCode) return new TransientProviderError(`Gemini request failed on the network (${networkCode})`);
  const message = error instanceof Error ? error.message : String(error);
  return new TransientProviderError(`Gemini request failed: ${message}`);
}

function classifyApiError(status: number, rawMessage: string): PermanentProviderError | TransientProviderError {
  const body = parseErrorBody(rawMessage);
  const apiMessage = body?.message ?? rawMessage;
  const label = `Gemini API ${status}${body?.status ? ` ${body.status}` : ''}: ${apiMessage}`;
  if (TRANSIENT_STATUSES.has(status) || (status >= 500 && status !== 501)) {
    const retryAfterMs = status === 429 ? retryDelayMs(body?.details) : null;
    return new TransientProviderError(label, retryAfterMs, status);
  }
  return new PermanentProviderError(`api_error:${status}`, label);
}

/** Accepts `{"error":{…}}` and the array form `[{"error":{…}}]` some Google front ends send. */
function parseErrorBody(message: string): GoogleErrorBody | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return null;
  }
  const envelope = Array.isArray(parsed) ? parsed[0] : parsed;
  const inner = isRecord(envelope) ? envelope.error : undefined;
  return isRecord(inner) ? (inner as GoogleErrorBody) : null;
}

/** The server's hint from a `google.rpc.RetryInfo` detail, in milliseconds, or null when it gave none. */
export function retryDelayMs(details: unknown[] | undefined): number | null {
  const retryInfo = (details ?? []).find((detail) => isRecord(detail) && detail['@type'] === RETRY_INFO_TYPE);
  if (!isRecord(retryInfo)) return null;
  return durationMs(retryInfo.retryDelay);
}

/** A protobuf Duration in its JSON form ("53s", "1.5s") or its object form ({ seconds, nanos }). */
function durationMs(value: unknown): number | null {
  if (typeof value === 'string') {
    const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
    return match ? Math.ceil(Number(match[1]) * 1000) : null;
  }
  if (isRecord(value)) {
    const seconds = Number(value.seconds ?? 0);
    const nanos = Number(value.nanos ?? 0);
    if (!Number.isFinite(seconds) || !Number.isFinite(nanos)) return null;
    return Math.ceil(seconds * 1000 + nanos / 1e6);
  }
  return null;
}

/** Duck-typed so a second copy of the SDK (or a test double) is still recognised. */
function isApiError(error: unknown): error is { status: number; message: string } {
  return error instanceof Error && error.name === 'ApiError' && typeof (error as { status?: unknown }).status === 'number';
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

/** Node's fetch reports network failures as `TypeError: fetch failed` with the real code on `cause`. */
function networkErrorCode(error: unknown): string | null {
  for (let current: unknown = error, depth = 0; isRecord(current) && depth < 4; current = current.cause, depth++) {
    const code = current.code;
    if (typeof code === 'string' && (NETWORK_ERROR_CODES.has(code) || code.startsWith('UND_ERR_'))) return code;
  }
  if (error instanceof TypeError && error.message === 'fetch failed') return 'fetch failed';
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
