/**
 * The Firestore TTL field of runs and prompts. It is a storage detail, so it is written and
 * stripped here, in the adapters, and never reaches a record, an api answer or a dataset.
 */
import { Timestamp, type DocumentData } from '@google-cloud/firestore';

/** `{ expireAt }` as a Firestore timestamp (TTL needs one), or nothing when there is no retention. */
export function expiryFields(createdAtMs: number, retentionMs: number | undefined): { expireAt?: Timestamp } {
  return retentionMs === undefined ? {} : { expireAt: Timestamp.fromMillis(createdAtMs + retentionMs) };
}

/** A run or prompt document as its record: everything but the TTL field. */
export function recordOf<T>(data: DocumentData | undefined): T {
  const { expireAt: _expireAt, ...record } = data ?? {};
  return record as T;
}
