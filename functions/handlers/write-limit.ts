import type { WriteKind } from '../core/access/index.js';
import type { ApiDependencies } from './api-dependencies.js';
import type { Principal } from './auth.js';
import { HttpError } from './http.js';

const WHAT: Record<WriteKind, string> = { runs: 'runs started', reviews: 'reviews saved', participants: 'participant changes', previews: 'run previews' };

/**
 * Takes one of the caller's write tokens, or answers 429 with Retry-After. Called after the body
 * is validated (a rejected request costs no write) and before anything is booked or stored.
 */
export async function limitWrites(deps: Pick<ApiDependencies, 'writeLimiter' | 'now'>, principal: Principal, kind: WriteKind): Promise<void> {
  if (!deps.writeLimiter) return;
  const decision = await deps.writeLimiter.take(principal.id, kind, (deps.now ?? Date.now)());
  if (decision.granted) return;
  const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  throw new HttpError(429, 'RESOURCE_EXHAUSTED', `too many ${WHAT[kind]} in a short time; try again in ${seconds} s`, { 'Retry-After': String(seconds) });
}
