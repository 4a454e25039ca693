import { sql } from 'kysely';
import type { SqlDialectHooks } from '../sql/sql-dialect.js';

/** Unique index or primary key name → the SCIM key it protects. */
const uniqueConstraints: Record<string, string> = {
  users_user_name_uq: 'userName',
  users_external_id_uq: 'externalId',
  teams_external_id_uq: 'externalId',
  tokens_hash_uq: 'tokenHash',
  orgs_pkey: 'orgId',
  users_pk: 'id',
  teams_pk: 'id',
};

export const postgresHooks: SqlDialectHooks = {
  name: 'postgres',
  // READ COMMITTED plus row locks on the resource being changed (see lockRows): concurrent
  // member adds to one team queue on the team row instead of failing serialization.
  beginSql: 'begin isolation level read committed',
  lockRows: true,
  // Keyed by schema, so deployments sharing a database in different schemas do not wait on
  // each other.
  migrationLock: {
    acquire: "select pg_advisory_lock(hashtext('parallel-scim:migrate:' || current_schema()))",
    release: "select pg_advisory_unlock(hashtext('parallel-scim:migrate:' || current_schema()))",
    currentSchema: 'select current_schema() as schema',
  },
  containsExact: (column, value) => sql<boolean>`strpos(${column}, ${value}) > 0`,
  startsWithExact: (column, value) => sql<boolean>`starts_with(${column}, ${value})`,
  endsWithExact: (column, value) => sql<boolean>`right(${column}, length(${value})) = ${value}`,
  // The database collation may order "B" before "a" or ignore punctuation; "C" is byte order,
  // which is SQLite's, so gt/lt and sortBy answer the same on both.
  byteOrder: (column) => sql`${column} collate "C"`,
  uniqueViolationKey(error) {
    const e = error as { code?: unknown; constraint?: unknown };
    if (e?.code !== '23505') return undefined;
    return uniqueConstraints[String(e.constraint)] ?? 'unknown';
  },
  isRetryable(error) {
    const code = (error as { code?: unknown })?.code;
    // serialization_failure, deadlock_detected: the transaction is safe to run again whole.
    return code === '40001' || code === '40P01';
  },
};
