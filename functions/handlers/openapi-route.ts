import { openApiDocument } from './openapi.js';
import { sendJson } from './http.js';
import type { Route } from './route.js';

/** `GET /v1/openapi.json`: the API's description, public like the gallery, built once. */
export function openApiRoute(): Route {
  let document: unknown;
  return {
    method: 'GET',
    pattern: /^\/v1\/openapi\.json$/,
    authenticate: async () => ({ id: 'anonymous', name: 'anonymous', role: 'participant' }),
    async handle({ res }) {
      document ??= openApiDocument();
      sendJson(res, 200, document);
    },
  };
}
