import { ApiError } from '@google/genai';
import { describe, expect, it } from 'vitest';
import { classifyGeminiError, retryDelayMs } from '../../functions/adapters/gemini/gemini-errors.js';
import { PermanentProviderError, TransientProviderError } from '../../functions/core/objects/index.js';

/** What the SDK throws for a non-2xx JSON answer: the status, and the body stringified into `.message`. */
function apiError(code: number, status: string, message: string, details?: unknown[]): ApiError {
  return new ApiError({ status: code, message: JSON.stringify({ error: { code, message, status, ...(details ? { details } : {}) } }) });
}

const retryInfo = (retryDelay: unknown) => ({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay });
const quotaFailure = { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaMetric: 'generate_content_paid_tier_requests' }] };
const help = { '@type': 'type.googleapis.com/google.rpc.Help', links: [] };
const networkError = (code: string): TypeError => new TypeError('fetch failed', { cause: Object.assign(new Error(`socket ${code}`), { code }) });

describe('classifyGeminiError: transient', () => {
  const cases: Array<{ name: string; error: unknown; retryAfterMs: number | null; status: number | null; message?: string }> = [
    { name: '429 with RetryInfo "53s"', error: apiError(429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota', [quotaFailure, help, retryInfo('53s')]), retryAfterMs: 53_000, status: 429, message: 'You exceeded your current quota' },
    { name: '429 with RetryInfo "1.5s"', error: apiError(429, 'RESOURCE_EXHAUSTED', 'quota', [retryInfo('1.5s')]), retryAfterMs: 1_500, status: 429 },
    { name: '429 with RetryInfo {seconds, nanos}', error: apiError(429, 'RESOURCE_EXHAUSTED', 'quota', [retryInfo({ seconds: '2', nanos: 250_000_000 })]), retryAfterMs: 2_250, status: 429 },
    { name: '429 with details but no RetryInfo', error: apiError(429, 'RESOURCE_EXHAUSTED', 'quota', [quotaFailure]), retryAfterMs: null, status: 429 },
    { name: '429 with no details', error: apiError(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).'), retryAfterMs: null, status: 429 },
    { name: '429 with an unreadable retryDelay', error: apiError(429, 'RESOURCE_EXHAUSTED', 'quota', [retryInfo('soon')]), retryAfterMs: null, status: 429 },
    { name: '408', error: apiError(408, 'DEADLINE_EXCEEDED', 'Request timed out'), retryAfterMs: null, status: 408 },
    { name: '500', error: apiError(500, 'INTERNAL', 'An internal error has occurred.'), retryAfterMs: null, status: 500, message: 'An internal error has occurred.' },
    { name: '502 with an HTML body', error: new ApiError({ status: 502, message: JSON.stringify({ error: { message: '<html>Bad Gateway</html>', code: 502, status: 'Bad Gateway' } }) }), retryAfterMs: null, status: 502 },
    { name: '503', error: apiError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.'), retryAfterMs: null, status: 503, message: 'overloaded' },
    { name: '504', error: apiError(504, 'DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.'), retryAfterMs: null, status: 504 },
    { name: 'an ApiError whose message is not JSON', error: new ApiError({ status: 503, message: 'upstream connect error' }), retryAfterMs: null, status: 503, message: 'upstream connect error' },
    { name: 'the SDK timeout (AbortError)', error: new DOMException('This operation was aborted', 'AbortError'), retryAfterMs: null, status: null, message: 'timed out' },
    { name: 'AbortSignal.timeout (TimeoutError)', error: new DOMException('The operation was aborted due to timeout', 'TimeoutError'), retryAfterMs: null, status: null, message: 'timed out' },
    ...['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT'].map((code) => ({
      name: `fetch failed caused by ${code}`,
      error: networkError(code),
      retryAfterMs: null,
      status: null,
      message: code,
    })),
    { name: 'fetch failed without a cause', error: new TypeError('fetch failed'), retryAfterMs: null, status: null, message: 'network' },
    { name: 'an unknown Error', error: new Error('exception [object Object] sending request'), retryAfterMs: null, status: null, message: 'sending request' },
    { name: 'a thrown string', error: 'boom', retryAfterMs: null, status: null, message: 'boom' },
  ];

  it.each(cases)('retries $name', ({ error, retryAfterMs, status, message }) => {
    const classified = classifyGeminiError(error);
    expect(classified).toBeInstanceOf(TransientProviderError);
    expect((classified as TransientProviderError).retryAfterMs).toBe(retryAfterMs);
    expect((classified as TransientProviderError).status).toBe(status);
    if (message) expect(classified.message).toContain(message);
  });
});

describe('classifyGeminiError: permanent', () => {
  const cases: Array<{ name: string; error: unknown; reason: string; message: string }> = [
    { name: '400 invalid key', error: apiError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.'), reason: 'api_error:400', message: 'API key not valid' },
    { name: '400 unsupported region', error: apiError(400, 'FAILED_PRECONDITION', 'User location is not supported for the API use.'), reason: 'api_error:400', message: 'User location is not supported' },
    { name: '401', error: apiError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'), reason: 'api_error:401', message: 'invalid authentication' },
    { name: '403', error: apiError(403, 'PERMISSION_DENIED', 'Method doesn\'t allow unregistered callers'), reason: 'api_error:403', message: 'unregistered callers' },
    {
      name: '404 retired model',
      error: apiError(404, 'NOT_FOUND', 'models/gemini-2.0-flash-preview-image-generation is not found for API version v1beta, or is not supported for generateContent.'),
      reason: 'api_error:404',
      message: 'models/gemini-2.0-flash-preview-image-generation is not found',
    },
    { name: '409', error: apiError(409, 'ABORTED', 'conflict'), reason: 'api_error:409', message: 'conflict' },
    { name: '501', error: apiError(501, 'UNIMPLEMENTED', 'Operation is not implemented'), reason: 'api_error:501', message: 'not implemented' },
    { name: 'the array error envelope', error: new ApiError({ status: 400, message: JSON.stringify([{ error: { code: 400, message: 'Bad image config', status: 'INVALID_ARGUMENT' } }]) }), reason: 'api_error:400', message: 'Bad image config' },
  ];

  it.each(cases)('fails $name with the API message', ({ error, reason, message }) => {
    const classified = classifyGeminiError(error);
    expect(classified).toBeInstanceOf(PermanentProviderError);
    expect((classified as PermanentProviderError).reason).toBe(reason);
    expect(classified.message).toContain(message);
    expect(classified.message).not.toContain('{"error"');
  });

  it('passes provider errors through unchanged', () => {
    const permanent = new PermanentProviderError('blocked:SAFETY');
    const transient = new TransientProviderError('later', 5, 429);
    expect(classifyGeminiError(permanent)).toBe(permanent);
    expect(classifyGeminiError(transient)).toBe(transient);
  });
});

describe('retryDelayMs', () => {
  it.each([
    [[retryInfo('53s')], 53_000],
    [[retryInfo('0.2s')], 200],
    [[retryInfo({ seconds: 7 })], 7_000],
    [[retryInfo({ nanos: 500_000_000 })], 500],
    [[help], null],
    [undefined, null],
  ])('reads %j as %s ms', (details, expected) => {
    expect(retryDelayMs(details)).toBe(expected);
  });
});
