import type { Request, Response } from '@google-cloud/functions-framework';
import type { ApiDependencies } from './api-dependencies.js';
import { cancelRoutes } from './cancel-routes.js';
import { cohortRoutes } from './cohort-routes.js';
import { makeGalleryHandler } from './gallery.js';
import { checkBodySize, HttpError, sendError, sendJson } from './http.js';
import { matchRoute, type Route } from './route.js';
import { datasetRoutes } from './dataset-routes.js';
import { openApiRoute } from './openapi-route.js';
import { previewRoutes } from './preview-routes.js';
import { regenerateRoutes } from './regenerate-routes.js';
import { referenceRoutes } from './reference-routes.js';
import { reviewRoutes } from './review-routes.js';
import { runRoutes } from './run-routes.js';

export type { ApiDependencies } from './api-dependencies.js';

/**
 * The HTTP api: the gallery's static files, `/healthz`, and the `/v1` routes. Every `/v1`
 * route passes `authorize` first; instructor-only routes then check the role.
 */
/** Every `/v1` route, in matching order; the OpenAPI coverage test reads this same list. */
export function apiRoutes(deps: ApiDependencies): Route[] {
  return [...runRoutes(deps), ...reviewRoutes(deps), ...cancelRoutes(deps), ...cohortRoutes(deps), ...previewRoutes(deps), ...regenerateRoutes(deps), ...datasetRoutes(deps), ...(deps.references ? referenceRoutes({ ...deps, references: deps.references }) : []), openApiRoute()];
}

export function makeApiHandler(deps: ApiDependencies) {
  const routes = apiRoutes(deps);
  const gallery = makeGalleryHandler();

  async function route(req: Request, res: Response): Promise<void> {
    const path = req.path.length > 1 ? req.path.replace(/\/+$/, '') : req.path;
    if (path === '/healthz') {
      if (req.method !== 'GET') throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on /healthz; use GET`, { Allow: 'GET' });
      return sendJson(res, 200, { status: 'ok' });
    }
    if (!path.startsWith('/v1/') && (await gallery(req, res))) return;
    const { route: matched, params } = matchRoute(routes, req.method, path);
    checkBodySize(req, matched.maxBodyBytes);
    const principal = await (matched.authenticate ?? deps.authorize)(req);
    if (matched.instructorOnly && principal.role !== 'instructor') throw new HttpError(403, 'PERMISSION_DENIED', 'this operation is for the instructor only');
    await matched.handle({ req, res, params, principal });
  }

  return async function api(req: Request, res: Response): Promise<void> {
    try {
      await route(req, res);
    } catch (error) {
      if (error instanceof HttpError) return sendError(res, error);
      deps.log.error('request failed', { method: req.method, path: req.path, error: error instanceof Error ? error.stack : String(error) });
      sendError(res, new HttpError(500, 'INTERNAL', 'the server failed to handle the request; it has been logged'));
    }
  };
}
