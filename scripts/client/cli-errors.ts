import { ApiError } from './api-client.js';

/**
 * A command-line message for a failed api call: what to set or type, rather than what the api
 * says about HTTP headers. `tokenVariable` names the environment variable the token came from.
 */
export function explainApiError(error: unknown, tokenVariable: string): string {
  if (!(error instanceof ApiError)) {
    const message = (error as Error).message;
    return message.startsWith('cannot reach ') ? `${message}; check --api (for the local stack, is npm run dev running?)` : message;
  }
  if (error.status === 401) return `the api did not accept the token in ${tokenVariable} (unknown, revoked or mistyped); set ${tokenVariable} to a valid token`;
  if (error.status === 403) return `the token in ${tokenVariable} may not do this (${error.message}); set ${tokenVariable} to the instructor's token`;
  if (error.status === 404 && error.code === 'HTTP_404') return `${error.message}: is --api the api function's URL?`;
  return error.message;
}
