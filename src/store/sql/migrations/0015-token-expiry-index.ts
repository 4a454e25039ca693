import { type Kysely, type Migration, sql } from 'kysely';

/**
 * `tokens_expiry_ix`: the unrevoked tokens that expire, by expiry, for the scim_tokens_expiring
 * gauge (sql/tokens-table.ts tokenExpiryCounts), which reads a 37-day range of it instead of
 * every token of every organization. Expand-only: one index, which the previous version ignores.
 * Partial, so tokens that never expire and revoked ones (most rows, in time) are not in it. On
 * PostgreSQL migrations run in a transaction, so this is a plain CREATE INDEX (not CONCURRENTLY):
 * it blocks writes to `tokens` (issue, revoke, last-use) while it builds, which on a table of one
 * or two rows per organization is milliseconds; reads, and with them authentication, go on.
 * `ifNotExists`, as 0014: an operator who would rather not block at all builds it first with
 * CREATE INDEX CONCURRENTLY IF NOT EXISTS and the same definition, and the migration finds it.
 */
export const tokenExpiryIndex: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createIndex('tokens_expiry_ix')
      .ifNotExists()
      .on('tokens')
      .column('expires_at')
      .where(sql<boolean>`revoked_at is null and expires_at is not null`)
      .execute();
  },
};
