/**
 * A reference photograph as the project keeps it: private to its owner unless the instructor
 * shares it, stored downscaled and stripped of metadata, with the guard's signature beside it.
 */
import { z } from 'zod';
import type { StoredReferenceSignature } from './image-signature.js';

export interface ReferenceRecord {
  referenceId: string;
  /** The participant id that uploaded it (or the instructor's id). */
  owner: string;
  name: string;
  /** Of the stored (downscaled, re-encoded) image. */
  width: number;
  height: number;
  /** SHA-256 (hex) of the stored bytes. */
  sha256: string;
  /** Size of the stored object, what the per-participant byte limit counts. */
  bytes: number;
  /** Shared with the whole cohort by the instructor. */
  shared: boolean;
  createdAt: string;
  /** The object's name in the reference bucket (never the images bucket). */
  objectName: string;
  signature: StoredReferenceSignature;
}

/** What a list or an upload answer shows: never the object name or the signature. */
export interface ReferenceListing {
  referenceId: string;
  name: string;
  width: number;
  height: number;
  sha256: string;
  bytes: number;
  shared: boolean;
  owner: string;
  createdAt: string;
}

export function publicReference(record: ReferenceRecord): ReferenceListing {
  const { referenceId, name, width, height, sha256, bytes, shared, owner, createdAt } = record;
  return { referenceId, name, width, height, sha256, bytes, shared, owner, createdAt };
}

/**
 * Limits on uploads. The body limit bounds what the api holds in memory; the pixel limit is
 * checked on the header's declared dimensions before any decode, and again by the decoder.
 */
export const REFERENCE_LIMITS = {
  /** Largest accepted upload body. */
  maxUploadBytes: 8 * 1024 * 1024,
  /** Declared width × height above which an upload is refused undecoded (a decompression bomb). */
  maxInputPixels: 40_000_000,
  /** Declared side above which an upload is refused undecoded. */
  maxInputSide: 12_000,
  /** Long side of the stored copy. */
  storedMaxSide: 1024,
  /** Per participant: references kept at once. */
  maxCountPerOwner: 20,
  /** Per participant: bytes of stored (downscaled) references kept at once. */
  maxStoredBytesPerOwner: 10 * 1024 * 1024,
} as const;

export type ReferenceLimits = { maxCountPerOwner: number; maxStoredBytesPerOwner: number };

/** An owner's current use, as counted by the store. */
export interface ReferenceUsage {
  count: number;
  bytes: number;
}

export type ReferenceAdmission = { ok: true } | { ok: false; message: string };

/** Whether one more reference of `bytes` fits the owner's limits; the message names the limit. */
export function admitReference(usage: ReferenceUsage, bytes: number, limits: ReferenceLimits): ReferenceAdmission {
  if (usage.count + 1 > limits.maxCountPerOwner) return { ok: false, message: `you already keep ${usage.count} references; the limit is ${limits.maxCountPerOwner}; delete one first` };
  if (usage.bytes + bytes > limits.maxStoredBytesPerOwner) {
    return { ok: false, message: `this reference (${bytes} bytes stored) would take your references to ${usage.bytes + bytes} bytes; the limit is ${limits.maxStoredBytesPerOwner} bytes` };
  }
  return { ok: true };
}

/** References: newest first, ties broken by id. */
export const referenceCursorSchema = z.tuple([z.string().max(64), z.string().max(64)]);
export type ReferenceCursor = z.infer<typeof referenceCursorSchema>;

export const REFERENCE_PAGE_LIMITS = { default: 50, max: 200 } as const;

/** A reference name from `?name=`: printable, short; absent means "reference". */
export function referenceName(raw: unknown): { ok: true; name: string } | { ok: false; message: string } {
  if (raw === undefined || raw === '') return { ok: true, name: 'reference' };
  if (typeof raw !== 'string') return { ok: false, message: 'name must be given once' };
  const name = raw.trim();
  if (name.length === 0 || name.length > 100) return { ok: false, message: 'name must be 1 to 100 characters' };
  // Control characters would break logs and the gallery's text.
  if ([...name].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)) return { ok: false, message: 'name must not contain control characters' };
  return { ok: true, name };
}
