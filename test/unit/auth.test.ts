import type { Request } from '@google-cloud/functions-framework';
import { describe, expect, it } from 'vitest';
import { recordSignInFailure, type ThrottleSettings } from '../../functions/core/access/index.js';
import { MemorySignInFailures } from '../../functions/adapters/memory-sign-in-failures.js';
import type { Participant } from '../../functions/core/access/index.js';
import { decideReservation } from '../../functions/core/access/index.js';
import type { ParticipantStore } from '../../functions/core/ports.js';
import { bearerToken, hashToken, newToken } from '../../functions/core/access/index.js';
import { makeAuthorize } from '../../functions/handlers/auth.js';
import { HttpError } from '../../functions/handlers/http.js';

const INSTRUCTOR = 'i'.repeat(48);
const participantToken = newToken();
const participant = (patch: Partial<Participant> = {}): Participant => ({
  id: 'u-1', name: 'Ada', tokenHash: hashToken(participantToken), revoked: false, imageQuota: 10, imagesUsed: 0, activeRuns: [], createdAt: '', ...patch,
});

/** A clock the test moves: nothing in the throttle may wait on a real one. */
function authorizeWith(stored: Participant, settings?: ThrottleSettings) {
  const participants = { findByTokenHash: async (hash: string) => (hash === stored.tokenHash ? stored : null) } as unknown as ParticipantStore;
  const clock = { now: 1_000_000 };
  const authorize = makeAuthorize({ participants, instructorToken: INSTRUCTOR, failures: new MemorySignInFailures(settings), now: () => clock.now });
  return { authorize, clock };
}

/** `ip` is what the framework's 'trust proxy' makes of the left-most X-Forwarded-For entry; the throttle must not use it. */
const request = (authorization?: string, peer = '10.0.0.1', forwardedFor?: string) =>
  ({
    ip: forwardedFor?.split(',')[0]?.trim() ?? peer,
    socket: { remoteAddress: peer },
    get: (name: string) => ({ authorization, 'x-forwarded-for': forwardedFor })[name.toLowerCase() as 'authorization'],
  }) as unknown as Request;

describe('makeAuthorize', () => {
  it.each([
    { header: `Bearer ${INSTRUCTOR}`, role: 'instructor' },
    { header: `bearer ${participantToken}`, role: 'participant' },
  ])('accepts $role tokens', async ({ header, role }) => {
    expect((await authorizeWith(participant()).authorize(request(header))).role).toBe(role);
  });

  it.each([
    { name: 'no header', header: undefined },
    { name: 'another scheme', header: `Basic ${INSTRUCTOR}` },
    { name: 'an unknown token', header: `Bearer ${newToken()}` },
    { name: 'a revoked token', header: `Bearer ${participantToken}`, revoked: true },
  ])('answers 401 to $name', async ({ header, revoked }) => {
    const error = await authorizeWith(participant({ revoked: revoked ?? false })).authorize(request(header)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(401);
  });

  it('answers 429 with Retry-After at once while an address pauses after repeated failures, without touching others', async () => {
    const { authorize, clock } = authorizeWith(participant(), { windowMs: 60_000, freeFailures: 2, blockAfter: 6, maxDelayMs: 1000 });
    const attempt = async (peer = '10.0.0.1') => {
      const error = (await authorize(request('Bearer wrong-token-wrong-token', peer)).catch((e: unknown) => e)) as HttpError;
      return error.status === 429 ? `429 after ${error.headers['Retry-After']} s` : String(error.status);
    };
    // Two free failures, then the third closes the address for 250 ms, the next for 500 ms.
    expect([await attempt(), await attempt(), await attempt()]).toEqual(['401', '401', '401']);
    expect(await attempt()).toBe('429 after 1 s');
    expect(await attempt('10.0.0.2')).toBe('401');
    clock.now += 2_000;
    expect(await attempt()).toBe('401');
    // Ignoring Retry-After only closes the address for the rest of the window.
    expect(await attempt()).toBe('429 after 58 s');
  });

  it.each([
    { name: 'the instructor', header: `Bearer ${INSTRUCTOR}`, role: 'instructor' },
    { name: 'a participant', header: `Bearer ${participantToken}`, role: 'participant' },
  ])('never blocks $name holding a valid token, even from a blocked address', async ({ header, role }) => {
    const { authorize } = authorizeWith(participant(), { windowMs: 60_000, freeFailures: 0, blockAfter: 2, maxDelayMs: 0 });
    for (let i = 0; i < 3; i++) await authorize(request('Bearer wrong-token-wrong-token')).catch(() => undefined);
    expect((await authorize(request(header))).role).toBe(role);
  });

  it('keys on the right-most X-Forwarded-For entry, which the client cannot choose', async () => {
    const { authorize } = authorizeWith(participant(), { windowMs: 60_000, freeFailures: 0, blockAfter: 3, maxDelayMs: 0 });
    // Rotating the left-most entry gives no fresh guesses: every request comes through the same front-end entry.
    for (let i = 0; i < 3; i++) await authorize(request('Bearer wrong-token-wrong-token', '10.9.9.9', `198.51.100.${i}, 203.0.113.7`)).catch(() => undefined);
    const status = (forwardedFor: string) => authorize(request('Bearer wrong-token-wrong-token', '10.9.9.9', forwardedFor)).catch((e: HttpError) => e.status);
    expect(await status('198.51.100.99, 203.0.113.7')).toBe(429);
    // A victim's address put on the left does not lock the victim out.
    expect(await status('203.0.113.7, 192.0.2.1')).toBe(401);
  });
});

describe('recordSignInFailure', () => {
  const settings = { windowMs: 60_000, freeFailures: 1, blockAfter: 4, maxDelayMs: 1000 };

  it('starts a new window once the old one has ended', () => {
    const closed = { windowStart: 0, failures: 9, closedUntil: 60_000 };
    expect(recordSignInFailure(closed, 59_999, settings).verdict.refused).toBe(true);
    expect(recordSignInFailure(closed, 60_000, settings)).toEqual({ state: { windowStart: 60_000, failures: 1, closedUntil: 0 }, verdict: { refused: false } });
  });

  it('caps the pause at maxDelayMs until blockAfter closes the window', () => {
    let state = null;
    const closedFor: number[] = [];
    for (let i = 0; i < 4; i++) {
      state = recordSignInFailure(state, 10_000 + i * 5_000, settings).state;
      closedFor.push(state.closedUntil === 0 ? 0 : state.closedUntil - (10_000 + i * 5_000));
    }
    expect(closedFor).toEqual([0, 250, 500, 45_000]);
  });
});

describe('tokens', () => {
  it('are random, long, and parsed only from a Bearer header', () => {
    expect(newToken()).not.toBe(newToken());
    expect(newToken().length).toBeGreaterThanOrEqual(32);
    expect(bearerToken(`Bearer ${participantToken}`)).toBe(participantToken);
    expect(bearerToken('Bearer short')).toBeNull();
  });
});

describe('decideReservation', () => {
  const quotas = { defaultImageQuota: 10, maxImagesPerRun: 5, maxRunsInFlight: 2 };
  const run = { runId: 'r9', reservedAt: 0 };
  it.each([
    { name: 'within every quota', p: participant(), images: 5, ok: true },
    { name: 'too many images in one run', p: participant(), images: 6, message: /at most 5 images/ },
    { name: 'over the total quota', p: participant({ imagesUsed: 8 }), images: 3, message: /8 of 10 images used, 2 left/ },
    { name: 'too many runs in flight', p: participant({ activeRuns: [{ runId: 'a', reservedAt: 0 }, { runId: 'b', reservedAt: 0 }] }), images: 1, message: /2 of 2 runs already in flight/ },
    { name: 'a finished run frees its slot', p: participant({ activeRuns: [{ runId: 'a', reservedAt: 0 }, { runId: 'done', reservedAt: 0 }] }), images: 1, ok: true },
  ])('$name', ({ p, images, ok, message }) => {
    const decision = decideReservation(p, run, images, quotas, new Set(['done']));
    expect(decision.ok).toBe(ok ?? false);
    if (!decision.ok) expect(decision.message).toMatch(message as RegExp);
    else expect(decision.update.activeRuns.map((r) => r.runId)).toContain('r9');
  });
});
