import { randomBytes } from 'node:crypto';
import type { Request, Response } from '@google-cloud/functions-framework';
import type { Quotas } from '../config.js';
import type { DownloadTicketStore, ImageBucket, Logger, ParticipantStore, PromptPublisher, RunLifecycleStore, RunStore, WriteLimiter } from '../core/ports.js';
import type { Scenario } from '../core/scenario.js';
import type { Authorize } from './auth.js';
import { cancelRoutes } from './cancel-routes.js';
import { cohortRoutes } from './cohort-routes.js';
import { makeGalleryHandler } from './gallery.js';
import { checkBodySize, HttpError, sendError, sendJson } from './http.js';
import { matchRoute, type Route } from './route.js';
import { datasetRoutes } from './dataset-routes.js';
import { openApiRoute } from './openapi-route.js';
import { previewRoutes } from './preview-routes.js';
import { runRoutes } from './run-routes.js';

export interface ApiDependencies {
  store: RunStore;
  /** Cancellation's reads and writes (shared with the reconciler). */
  lifecycle: RunLifecycleStore;
  participants: ParticipantStore;
  publisher: PromptPublisher;
  bucket: ImageBucket;
  log: Logger;
  authorize: Authorize;
  quotas: Quotas;
  builtins: () => ReadonlyMap<string, Scenario>;
  defaultScenario: string;
  provider: { name: string; model: string };
  /** The deployment's content judge; null (or absent) when it has none, and a run asking for one is refused. */
  judge?: { model: string } | null;
  /** Makes the preview of an image stored before previews existed: the api's only decode, once per such image. */
  thumbnail: (png: Buffer) => Promise<Buffer>;
  /** Per-caller write ceilings; none when omitted (unit tests). */
  writeLimiter?: WriteLimiter;
  /** Single-use download tickets; in memory (one instance) unless an adapter is given. */
  tickets?: DownloadTicketStore;
  /** The software that writes a dataset, recorded in generation_parameters.json. */
  versions?: () => Record<string, string>;
  newRunId?: () => string;
  newParticipantId?: () => string;
  now?: () => number;
}

export function defaultRunId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(4).toString('hex')}`;
}

/**
 * The HTTP api: the gallery's static files, `/healthz`, and the `/v1` routes. Every `/v1`
 * route passes `authorize` first; instructor-only routes then check the role.
 */
/** Every `/v1` route, in matching order; the OpenAPI coverage test reads this same list. */
export function apiRoutes(deps: ApiDependencies): Route[] {
  return [...runRoutes(deps), ...cancelRoutes(deps), ...cohortRoutes(deps), ...previewRoutes(deps), ...datasetRoutes(deps), openApiRoute()];
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
    checkBodySize(req);
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
