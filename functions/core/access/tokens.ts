import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Bearer tokens: 192 random bits, shown once, stored only as SHA-256 hashes. A plain hash
 * is enough because the tokens are random, not chosen by people.
 */
export const newToken = (): string => `sid_${randomBytes(24).toString('base64url')}`;

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(hashToken(a), 'hex');
  const right = Buffer.from(hashToken(b), 'hex');
  return timingSafeEqual(left, right);
}

/** The token from `Authorization: Bearer <token>`, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S{16,512})\s*$/i.exec(header ?? '');
  return match ? (match[1] as string) : null;
}
