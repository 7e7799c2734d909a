/**
 * The sign-in throttle's arithmetic: failed sign-ins from one address, counted in a window. After
 * a few failures each further one closes the address for a growing pause, and past a limit it is
 * closed until the window ends. A request that arrives while the address is closed is answered
 * 429 with Retry-After at once (it never sleeps on a request slot) and still counts, so a guesser
 * who ignores Retry-After only closes the address for longer. Pure, so the Firestore adapter
 * (counts shared by every api instance) and the in-memory one share it.
 */
export interface ThrottleSettings {
  windowMs: number;
  freeFailures: number;
  blockAfter: number;
  maxDelayMs: number;
}

export const DEFAULT_THROTTLE: ThrottleSettings = { windowMs: 15 * 60_000, freeFailures: 5, blockAfter: 30, maxDelayMs: 8000 };

export interface FailureWindow {
  windowStart: number;
  failures: number;
  /** Until when further attempts are refused without looking at them. */
  closedUntil: number;
}

/** 401 for a wrong token from an open address; 429 with how long to wait when it is closed. */
export type SignInVerdict = { refused: false } | { refused: true; retryAfterMs: number };

export function recordSignInFailure(current: FailureWindow | null, now: number, settings: ThrottleSettings = DEFAULT_THROTTLE): { state: FailureWindow; verdict: SignInVerdict } {
  const fresh = current === null || now >= current.windowStart + settings.windowMs;
  const start = fresh ? { windowStart: now, failures: 0, closedUntil: 0 } : current;
  const wasClosed = start.closedUntil > now;
  const failures = start.failures + 1;
  const over = failures - settings.freeFailures;
  const pause = over > 0 ? now + Math.min(settings.maxDelayMs, 250 * 2 ** (over - 1)) : 0;
  const windowEnd = failures >= settings.blockAfter ? start.windowStart + settings.windowMs : 0;
  const state = { windowStart: start.windowStart, failures, closedUntil: Math.max(start.closedUntil, pause, windowEnd) };
  return { state, verdict: wasClosed ? { refused: true, retryAfterMs: state.closedUntil - now } : { refused: false } };
}

/** Whether `state` keeps the address closed for the rest of its window: worth remembering locally. */
export function closedForWindow(state: FailureWindow, settings: ThrottleSettings = DEFAULT_THROTTLE): boolean {
  return state.failures >= settings.blockAfter;
}
