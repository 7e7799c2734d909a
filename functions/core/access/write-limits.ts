/**
 * Per-caller ceilings on writes (runs, reviews, participant changes) and on run previews, which
 * cost planning work though they write nothing. One token bucket per
 * caller and kind, shared by every api instance, so a script cannot flood the shared instance
 * with 300 concurrent review PUTs. The arithmetic is token-bucket.ts's; this holds the policy.
 */
import type { ShardConfig } from './token-bucket.js';

export const WRITE_KINDS = ['runs', 'reviews', 'participants', 'previews'] as const;
export type WriteKind = (typeof WRITE_KINDS)[number];

/** Writes per minute for each kind; a caller may burst half a minute's worth at once. */
export type WriteLimits = Record<WriteKind, number>;

export const DEFAULT_WRITE_LIMITS: WriteLimits = { runs: 20, reviews: 120, participants: 60, previews: 30 };

export const bucketOf = (perMinute: number): ShardConfig => ({ ratePerMs: perMinute / 60_000, capacity: Math.max(1, Math.floor(perMinute / 2)) });

export type WriteDecision = { granted: true } | { granted: false; retryAfterMs: number };
