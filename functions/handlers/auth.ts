import type { Request } from '@google-cloud/functions-framework';
import type { ParticipantStore, SignInFailures } from '../core/ports.js';
import { bearerToken, hashToken, sameSecret } from '../core/access/index.js';
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
  /** Failed sign-ins per address, shared by every instance. */
  failures: SignInFailures;
  now?: () => number;
}

export const INSTRUCTOR_ID = 'instructor';

/** Checks `Authorization: Bearer <token>`: the instructor's token from config, or a participant's. */
export function makeAuthorize(deps: AuthDependencies): Authorize {
  const now = deps.now ?? Date.now;
  return async (req) => {
    // A valid token always gets in: a whole workshop room shares one NAT address, and one
    // guesser there must not lock the instructor and every participant out.
    const token = bearerToken(req.get('authorization'));
    if (token && sameSecret(token, deps.instructorToken)) return { id: INSTRUCTOR_ID, name: 'Instructor', role: 'instructor' };
    const participant = token ? await deps.participants.findByTokenHash(hashToken(token)) : null;
    if (participant && !participant.revoked) return { id: participant.id, name: participant.name, role: 'participant' };
    // Answered at once, never after a sleep: a wait here would hold one of the api's request slots.
    const verdict = await deps.failures.record(clientAddress(req), now());
    if (verdict.refused) {
      throw new HttpError(429, 'RESOURCE_EXHAUSTED', 'too many failed sign-ins from this address; try again later', { 'Retry-After': String(Math.max(1, Math.ceil(verdict.retryAfterMs / 1000))) });
    }
    throw new HttpError(401, 'UNAUTHENTICATED', token ? 'the token is not valid (unknown or revoked)' : 'send your token as "Authorization: Bearer <token>"', {
      'WWW-Authenticate': 'Bearer',
    });
  };
}

/**
 * The caller's address as Google's front end saw it: the right-most X-Forwarded-For entry, which
 * the platform writes (whether it appends to the header or replaces it). Entries to its left are
 * the client's own and may be forged; `req.ip`, with the framework's 'trust proxy', is the left-most.
 * Without the header (the local stack), the socket's peer.
 */
export function clientAddress(req: Pick<Request, 'get' | 'socket'>): string {
  const forwarded = (req.get('x-forwarded-for') ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
  return forwarded.at(-1) ?? req.socket?.remoteAddress ?? 'unknown';
}

export function requireInstructor(principal: Principal): void {
  if (principal.role !== 'instructor') throw new HttpError(403, 'PERMISSION_DENIED', 'this operation is for the instructor only');
}
