/**
 * A sliding-window limit per caller, for cheap read-only work that is still worth bounding
 * (a preview plans up to 500 prompts). Keyed by principal id in a Map, never by user text on
 * a plain object. Per process: each api instance counts its own callers.
 */
export class CallerRateLimit {
  private readonly calls = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Counts a call; returns null when allowed, or the milliseconds until the next one would be. */
  take(caller: string, now: number): number | null {
    const recent = (this.calls.get(caller) ?? []).filter((at) => at > now - this.windowMs);
    if (recent.length >= this.limit) {
      this.calls.set(caller, recent);
      return (recent[0] as number) + this.windowMs - now;
    }
    recent.push(now);
    this.calls.set(caller, recent);
    if (this.calls.size > 10_000) this.sweep(now);
    return null;
  }

  /** Forgets callers with no call in the window, so the map stays bounded by active callers. */
  private sweep(now: number): void {
    for (const [caller, times] of this.calls) if (!times.some((at) => at > now - this.windowMs)) this.calls.delete(caller);
  }
}
