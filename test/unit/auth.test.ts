import type { Request } from '@google-cloud/functions-framework';
import { describe, expect, it } from 'vitest';
import { AuthThrottle } from '../../functions/core/access/index.js';
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

function authorizeWith(stored: Participant, throttle = new AuthThrottle()) {
  const participants = { findByTokenHash: async (hash: string) => (hash === stored.tokenHash ? stored : null) } as unknown as ParticipantStore;
  const slept: number[] = [];
  const authorize = makeAuthorize({ participants, instructorToken: INSTRUCTOR, throttle, sleep: async (ms) => void slept.push(ms) });
  return { authorize, slept };
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

  it('slows down repeated failures from one address, then refuses it, without touching others', async () => {
    const { authorize, slept } = authorizeWith(participant(), new AuthThrottle({ windowMs: 60_000, freeFailures: 2, blockAfter: 6, maxDelayMs: 1000 }));
    for (let i = 0; i < 6; i++) await authorize(request('Bearer wrong-token-wrong-token')).catch(() => undefined);
    expect(slept).toEqual([0, 0, 250, 500, 1000, 1000]);
    const blocked = (await authorize(request('Bearer another-wrong-token-12345678')).catch((e: unknown) => e)) as HttpError;
    expect([blocked.status, blocked.headers['Retry-After']]).toEqual([429, expect.stringMatching(/^\d+$/)]);
    expect((await authorize(request('Bearer another-wrong-token-12345678', '10.0.0.2')).catch((e: HttpError) => e.status))).toBe(401);
  });

  it.each([
    { name: 'the instructor', header: `Bearer ${INSTRUCTOR}`, role: 'instructor' },
    { name: 'a participant', header: `Bearer ${participantToken}`, role: 'participant' },
  ])('never blocks $name holding a valid token, even from a blocked address', async ({ header, role }) => {
    const { authorize } = authorizeWith(participant(), new AuthThrottle({ windowMs: 60_000, freeFailures: 0, blockAfter: 2, maxDelayMs: 0 }));
    for (let i = 0; i < 3; i++) await authorize(request('Bearer wrong-token-wrong-token')).catch(() => undefined);
    expect((await authorize(request(header))).role).toBe(role);
  });

  it('keys on the right-most X-Forwarded-For entry, which the client cannot choose', async () => {
    const { authorize } = authorizeWith(participant(), new AuthThrottle({ windowMs: 60_000, freeFailures: 0, blockAfter: 3, maxDelayMs: 0 }));
    // Rotating the left-most entry gives no fresh guesses: every request comes through the same front-end entry.
    for (let i = 0; i < 3; i++) await authorize(request('Bearer wrong-token-wrong-token', '10.9.9.9', `198.51.100.${i}, 203.0.113.7`)).catch(() => undefined);
    const status = (forwardedFor: string) => authorize(request('Bearer wrong-token-wrong-token', '10.9.9.9', forwardedFor)).catch((e: HttpError) => e.status);
    expect(await status('198.51.100.99, 203.0.113.7')).toBe(429);
    // A victim's address put on the left does not lock the victim out.
    expect(await status('203.0.113.7, 192.0.2.1')).toBe(401);
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
