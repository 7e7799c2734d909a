import type { SignInFailures } from '../core/ports.js';
import { recordSignInFailure, DEFAULT_THROTTLE, type FailureWindow, type SignInVerdict, type ThrottleSettings } from '../core/access/index.js';

const MAX_TRACKED = 10_000;

/** Failed sign-ins in one process, for unit tests; the oldest address is forgotten past MAX_TRACKED. */
export class MemorySignInFailures implements SignInFailures {
  private readonly windows = new Map<string, FailureWindow>();

  constructor(private readonly settings: ThrottleSettings = DEFAULT_THROTTLE) {}

  async record(address: string, now: number): Promise<SignInVerdict> {
    const { state, verdict } = recordSignInFailure(this.windows.get(address) ?? null, now, this.settings);
    this.windows.delete(address);
    this.windows.set(address, state);
    if (this.windows.size > MAX_TRACKED) this.windows.delete(this.windows.keys().next().value as string);
    return verdict;
  }
}
