/**
 * What the prompt store's state transitions take and answer. They live beside the pure
 * transition rules (prompt-transitions.ts), so the rules need nothing from the ports.
 */
import type { PromptRecord } from './run-model.js';

export type ClaimResult =
  | { kind: 'claimed'; prompt: PromptRecord }
  /** Already generated, assessed or failed: a duplicate delivery. */
  | { kind: 'finished'; prompt: PromptRecord }
  /** Another worker holds an unexpired lease. */
  | { kind: 'busy'; leaseExpiresAt: number }
  | { kind: 'missing' };

export interface ReleaseOptions {
  refundAttempt?: boolean;
}

export interface ClaimOptions {
  owner: string;
  now: number;
  leaseMs: number;
}

export interface GeneratedInfo {
  objectName: string;
  objectGeneration: string;
  model: string;
  renderMs: number | null;
  now: number;
}

export type AssessmentResult = 'recorded' | 'duplicate' | 'missing';

/** `missing` or `cancelled`: nobody wants this image any more, so the generator removes it. */
export type GeneratedOutcome = 'recorded' | 'missing' | 'cancelled';
