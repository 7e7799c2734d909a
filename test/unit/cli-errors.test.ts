import { describe, expect, it } from 'vitest';
import { ApiError } from '../../scripts/client/api-client.js';
import { explainApiError } from '../../scripts/client/cli-errors.js';

describe('explainApiError', () => {
  it.each([
    [new ApiError(401, 'UNAUTHENTICATED', 'send your token as "Authorization: Bearer <token>"'), 'the api did not accept the token in API_TOKEN (unknown, revoked or mistyped); set API_TOKEN to a valid token'],
    [new ApiError(403, 'PERMISSION_DENIED', 'instructor only'), "the token in API_TOKEN may not do this (instructor only); set API_TOKEN to the instructor's token"],
    [new ApiError(404, 'HTTP_404', 'GET /v1/runs answered 404'), "GET /v1/runs answered 404: is --api the api function's URL?"],
    [new ApiError(400, 'INVALID_ARGUMENT', 'count: count must be at most 500'), 'count: count must be at most 500'],
    [new Error('cannot reach http://127.0.0.1:9: ECONNREFUSED'), 'cannot reach http://127.0.0.1:9: ECONNREFUSED; check --api (for the local stack, is npm run dev running?)'],
  ])('explains %s', (error, expected) => expect(explainApiError(error, 'API_TOKEN')).toBe(expected));
});
