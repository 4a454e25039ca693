import { sql } from 'kysely';
import type { SqlDialectHooks } from '../sql/sql-dialect.js';

/** Index name → the SCIM key it protects, for SQLITE_CONSTRAINT_UNIQUE messages. */
const uniqueColumns: Record<string, string> = {
  'users.user_name_ci': 'userName',
  'users.external_id': 'externalId',
  'tokens.token_hash': 'tokenHash',
  'orgs.id': 'orgId',
  'users.id': 'id',
  'teams.external_id': 'externalId',
  'teams.id': 'id',
};

export const sqliteHooks: SqlDialectHooks = {
  name: 'sqlite',
  // Deferred transactions upgrade to a write lock mid-way and fail with SQLITE_BUSY when another
  // process (the CLI, say) writes; IMMEDIATE waits on busy_timeout instead.
  beginSql: 'begin immediate',
  lockRows: false,
  containsExact: (column, value) => sql<boolean>`instr(${column}, ${value}) > 0`,
  // Lengths are measured by SQLite in characters, never by JS in UTF-16 units. Callers handle the
  // empty value (always true), for which substr(x, -0) would not work.
  startsWithExact: (column, value) => sql<boolean>`substr(${column}, 1, length(${value})) = ${value}`,
  endsWithExact: (column, value) => sql<boolean>`substr(${column}, -length(${value})) = ${value}`,
  byteOrder: (column) => column,
  uniqueViolationKey(error) {
    const e = error as { code?: unknown; message?: unknown };
    if (e?.code !== 'SQLITE_CONSTRAINT_UNIQUE' && e?.code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') return undefined;
    const message = String(e.message ?? '');
    for (const [columns, key] of Object.entries(uniqueColumns)) {
      if (message.includes(columns)) return key;
    }
    return 'unknown';
  },
  // With BEGIN IMMEDIATE and busy_timeout, writers queue; a SQLITE_BUSY that still escapes
  // (another process held the lock past the timeout) is worth one more try.
  isRetryable: (error) => (error as { code?: unknown })?.code === 'SQLITE_BUSY',
};
