import type { CredentialsVersion, OrgRecord, Store, TokenRecord } from '../store/store.js';

export interface TokenWithOrg {
  readonly token: TokenRecord;
  readonly org: OrgRecord;
}

interface Entry {
  readonly found: TokenWithOrg;
  readonly stamp: string;
  /** performance.now(): the age of an entry is real elapsed time, whatever clock the services use. */
  readonly cachedAt: number;
}

/** Tokens kept: an IdP uses one or two per organization, so this covers thousands of organizations. */
const MAX_ENTRIES = 10_000;
/**
 * How long an entry is trusted where the store cannot see other instances' writes (PostgreSQL):
 * a token revoked, or SCIM switched off, through another instance stops working within this.
 */
export const UNSEEN_WRITES_MAX_AGE_MS = 1_000;
/** Where every write is seen (SQLite), entries still age out, so a forgotten token frees its slot. */
const SEEN_WRITES_MAX_AGE_MS = 60_000;

/**
 * Recently authenticated tokens by secret hash, so a SCIM request does not pay a database round
 * trip before its own work. An entry is used only while the store's credentials version is the
 * one read before the entry's row was, so a revocation, a rotation or an organization change made
 * through this process (or, on SQLite, any process) takes effect on the next request; expiry is
 * judged on every use from the cached row, not when it was cached. Unknown secrets are never kept:
 * a client guessing tokens cannot fill the cache.
 */
export class CredentialCache {
  private readonly entries = new Map<string, Entry>();

  get(tokenHash: string, version: CredentialsVersion): TokenWithOrg | undefined {
    const entry = this.entries.get(tokenHash);
    if (entry === undefined) return undefined;
    const maxAge = version.complete ? SEEN_WRITES_MAX_AGE_MS : UNSEEN_WRITES_MAX_AGE_MS;
    if (entry.stamp !== version.stamp || performance.now() - entry.cachedAt >= maxAge) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    return entry.found;
  }

  /** `version` is the one read before `found` was: a write in between must make it stale. */
  set(tokenHash: string, found: TokenWithOrg, version: CredentialsVersion): void {
    this.entries.delete(tokenHash);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(tokenHash, { found, stamp: version.stamp, cachedAt: performance.now() });
  }
}

/**
 * Called after a committed change to a token or an organization: once it returns, no instance
 * accepts what the change took away. Immediate where the store sees every write (SQLite); where
 * it cannot (PostgreSQL), it waits out UNSEEN_WRITES_MAX_AGE_MS, so `token revoke` in the CLI or
 * the console returns only when the token is refused everywhere.
 */
export async function credentialChangeSettled(store: Pick<Store, 'credentialsVersion'>): Promise<void> {
  if (store.credentialsVersion().complete) return;
  // Real time, as the caches measure age (performance.now), whatever clock the services were given.
  await new Promise((resolve) => setTimeout(resolve, UNSEEN_WRITES_MAX_AGE_MS + 10));
}
