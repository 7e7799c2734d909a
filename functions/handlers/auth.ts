import type { Request } from '@google-cloud/functions-framework';
import { AuthThrottle } from '../core/auth-throttle.js';
import type { ParticipantStore } from '../core/ports.js';
import { bearerToken, hashToken, sameSecret } from '../core/tokens.js';
import { HttpError } from './http.js';

export interface Principal {
  id: string;
  name: string;
  role: 'instructor' | 'participant';
}

export type Authorize = (req: Request) => Promise<Principal>;

export interface AuthDependencies {
  participants: ParticipantStore;
  instructorToken: string;
  throttle?: AuthThrottle;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const INSTRUCTOR_ID = 'instructor';

/** Checks `Authorization: Bearer <token>`: the instructor's token from config, or a participant's. */
export function makeAuthorize(deps: AuthDependencies): Authorize {
  const throttle = deps.throttle ?? new AuthThrottle();
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return async (req) => {
    const address = req.ip ?? 'unknown';
    const blocked = throttle.blockedFor(address, now());
    if (blocked !== null) {
      throw new HttpError(429, 'RESOURCE_EXHAUSTED', 'too many failed sign-ins from this address; try again later', { 'Retry-After': String(Math.ceil(blocked / 1000)) });
    }
    const token = bearerToken(req.get('authorization'));
    if (token && sameSecret(token, deps.instructorToken)) return { id: INSTRUCTOR_ID, name: 'Instructor', role: 'instructor' };
    const participant = token ? await deps.participants.findByTokenHash(hashToken(token)) : null;
    if (participant && !participant.revoked) return { id: participant.id, name: participant.name, role: 'participant' };
    await sleep(throttle.fail(address, now()));
    throw new HttpError(401, 'UNAUTHENTICATED', token ? 'the token is not valid (unknown or revoked)' : 'send your token as "Authorization: Bearer <token>"', {
      'WWW-Authenticate': 'Bearer',
    });
  };
}

export function requireInstructor(principal: Principal): void {
  if (principal.role !== 'instructor') throw new HttpError(403, 'PERMISSION_DENIED', 'this operation is for the instructor only');
}
