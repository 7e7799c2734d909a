import type { Request, Response } from '@google-cloud/functions-framework';
import { isReservedName } from '../core/scenario/index.js';
import type { Principal } from './auth.js';
import { HttpError } from './http.js';

export interface RouteContext {
  req: Request;
  res: Response;
  /** The pattern's capture groups, in order. */
  params: string[];
  principal: Principal;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  pattern: RegExp;
  /** Instructor-only routes answer 403 to participants. */
  instructorOnly?: boolean;
  /** A larger body limit than the api's default (an image upload). */
  maxBodyBytes?: number;
  /** Who the caller is, when not the usual bearer token (a public document, a download ticket). */
  authenticate?: (req: Request) => Promise<Principal>;
  handle(context: RouteContext): Promise<void>;
}

export const ID = '[A-Za-z0-9_-]{1,64}';
export const PROMPT_ID = 'p[0-9]{1,6}';

/** Finds the route for a request: 404 when no pattern matches the path, 405 when only the method is wrong. */
export function matchRoute(routes: Route[], method: string, path: string): { route: Route; params: string[] } {
  let allowed: string[] = [];
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    // Firestore refuses ids of the form __x__; no such document can exist, so it is a 404, never a 500.
    if (match.slice(1).some((param) => param !== undefined && isReservedName(param))) throw new HttpError(404, 'NOT_FOUND', `${path} does not exist`);
    if (route.method === method) return { route, params: match.slice(1) };
    allowed = [...allowed, route.method];
  }
  if (allowed.length === 0) throw new HttpError(404, 'NOT_FOUND', `no route for ${method} ${path}; see docs/api.md or GET /v1/openapi.json for the API`);
  throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}; use ${allowed.join(', ')}`, { Allow: allowed.join(', ') });
}
