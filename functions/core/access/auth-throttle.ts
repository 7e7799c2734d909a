/**
 * Slows down repeated failed sign-ins from one address: after a few failures each further
 * one waits longer, and past a limit the address is refused until its failures age out.
 * Kept per function instance; it makes guessing slow, while the token length makes it futile.
 */
export interface ThrottleSettings {
  windowMs: number;
  freeFailures: number;
  blockAfter: number;
  maxDelayMs: number;
}

export const DEFAULT_THROTTLE: ThrottleSettings = { windowMs: 15 * 60_000, freeFailures: 5, blockAfter: 30, maxDelayMs: 8000 };

const MAX_TRACKED = 10_000;

export class AuthThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly settings: ThrottleSettings = DEFAULT_THROTTLE) {}

  /** How long this address must wait before it is refused outright; null when it is not blocked. */
  blockedFor(address: string, now: number): number | null {
    const recent = this.recent(address, now);
    if (recent.length < this.settings.blockAfter) return null;
    return (recent[0] as number) + this.settings.windowMs - now;
  }

  /** Records a failure and returns how long to delay the answer. */
  fail(address: string, now: number): number {
    const recent = [...this.recent(address, now), now];
    this.failures.delete(address);
    this.failures.set(address, recent);
    if (this.failures.size > MAX_TRACKED) this.failures.delete(this.failures.keys().next().value as string);
    const over = recent.length - this.settings.freeFailures;
    return over <= 0 ? 0 : Math.min(this.settings.maxDelayMs, 250 * 2 ** (over - 1));
  }

  private recent(address: string, now: number): number[] {
    return (this.failures.get(address) ?? []).filter((t) => t > now - this.settings.windowMs);
  }
}
