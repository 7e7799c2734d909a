import { createHash } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import type { SignInFailures } from '../core/ports.js';
import { closedForWindow, recordSignInFailure, DEFAULT_THROTTLE, type FailureWindow, type SignInVerdict, type ThrottleSettings } from '../core/access/index.js';

const MAX_REMEMBERED = 10_000;

/**
 * Failed sign-ins counted in `signInFailures/{sha256(address)}`, so every api instance sees the
 * same count (the address is hashed: it is client data and may hold characters a document id
 * cannot). An address closed for the rest of its window is also remembered here, so a flood of
 * wrong tokens costs no transaction per request on this instance.
 */
export class FirestoreSignInFailures implements SignInFailures {
  private readonly closedUntil = new Map<string, number>();

  constructor(
    private readonly db: Firestore,
    private readonly settings: ThrottleSettings = DEFAULT_THROTTLE,
  ) {}

  async record(address: string, now: number): Promise<SignInVerdict> {
    const key = createHash('sha256').update(address).digest('hex');
    const until = this.closedUntil.get(key);
    if (until !== undefined && until > now) return { refused: true, retryAfterMs: until - now };
    this.closedUntil.delete(key);
    const ref = this.db.collection('signInFailures').doc(key);
    try {
      return await this.db.runTransaction(async (transaction) => {
        const snapshot = await transaction.get(ref);
        const { state, verdict } = recordSignInFailure(snapshot.exists ? (snapshot.data() as FailureWindow) : null, now, this.settings);
        // expiresAt lets a Firestore TTL policy remove windows that have ended.
        transaction.set(ref, { ...state, expiresAt: new Date(state.windowStart + this.settings.windowMs) });
        if (closedForWindow(state, this.settings)) this.remember(key, state.closedUntil);
        return verdict;
      });
    } catch (error) {
      // Contention on one address's document means wrong tokens are arriving from it in a flood.
      if ((error as { code?: number }).code !== 10) throw error; // ABORTED
      return { refused: true, retryAfterMs: 1000 };
    }
  }

  private remember(key: string, until: number): void {
    this.closedUntil.set(key, until);
    if (this.closedUntil.size > MAX_REMEMBERED) this.closedUntil.delete(this.closedUntil.keys().next().value as string);
  }
}
