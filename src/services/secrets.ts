import { createHash, randomBytes } from 'node:crypto';

/*
 * The bearer secrets the service hands out (SCIM tokens, service keys, staff password links,
 * console sessions, setup links) are made, stored and checked one way: 256 random bits, kept only
 * as their SHA-256, recognised in a list by a short hint, and refused once revoked or expired.
 */

/** 32 random bytes as base64url, after `prefix` (a prefix lets secret scanners and support tell what it is). */
export function newSecret(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** SHA-256 (hex) of a secret: what is stored and looked up; the secret itself never is. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** The prefix and four characters: enough to recognise a secret in a list, never to use it. */
export function secretHint(secret: string, prefix: string): string {
  return secret.slice(0, prefix.length + 4);
}

export type CredentialState = 'active' | 'revoked' | 'expired';

/** Revocation first: a revoked credential says so even after its expiry. */
export function credentialState(
  credential: { readonly revokedAt: number | null; readonly expiresAt: number | null },
  now: number,
): CredentialState {
  if (credential.revokedAt !== null) return 'revoked';
  if (credential.expiresAt !== null && credential.expiresAt <= now) return 'expired';
  return 'active';
}
