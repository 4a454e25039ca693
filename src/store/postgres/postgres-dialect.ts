import { sql } from 'kysely';
import type { SqlDialectHooks } from '../sql/sql-dialect.js';

/** Unique index or primary key name → the SCIM key it protects. */
const uniqueConstraints: Record<string, string> = {
  users_user_name_uq: 'userName',
  users_external_id_uq: 'externalId',
  teams_external_id_uq: 'externalId',
  tokens_hash_uq: 'tokenHash',
  orgs_pkey: 'orgId',
  orgs_external_ref_uq: 'externalRef',
  users_pk: 'id',
  teams_pk: 'id',
};

export const postgresHooks: SqlDialectHooks = {
  name: 'postgres',
  // READ COMMITTED plus row locks on the resource being changed (see lockRows): concurrent
  // member adds to one team queue on the team row instead of failing serialization.
  beginSql: 'begin isolation level read committed',
  groupCommit: false,
  analyzeSql: 'analyze users, user_values, teams, team_members',
  lockRows: true,
  claimRows: (query) => query.forUpdate().skipLocked(),
  // Keyed by schema, so deployments sharing a database in different schemas do not wait on
  // each other.
  migrationLock: {
    acquire: "select pg_advisory_lock(hashtext('parallel-scim:migrate:' || current_schema()))",
    release: "select pg_advisory_unlock(hashtext('parallel-scim:migrate:' || current_schema()))",
    currentSchema: 'select current_schema() as schema',
    // Requests get a short statement_timeout; a migration building an index on a large table
    // must not be cut by it, so its one connection lifts the limit and restores it after.
    sessionStart: 'set statement_timeout = 0',
    sessionEnd: 'reset statement_timeout',
  },
  containsExact: (column, value) => sql<boolean>`strpos(${column}, ${value}) > 0`,
  startsWithExact: (column, value) => sql<boolean>`starts_with(${column}, ${value})`,
  endsWithExact: (column, value) => sql<boolean>`right(${column}, length(${value})) = ${value}`,
  // The database collation may order "B" before "a" or ignore punctuation; "C" is byte order,
  // which is SQLite's, so gt/lt and sortBy answer the same on both.
  byteOrder: (column) => sql`${column} collate "C"`,
  // Statements run on the server and statement_timeout ends them; the budget keeps the worst
  // near 250 ms a statement, so a filter past it costs a 400 rather than a pooled connection for
  // the length of the timeout, and the rule's own counting (~0.35 µs a row) stays below that. A
  // unit is ~0.5 µs. strpos() compares from the end: "baaa..." (256 characters) in runs of "a"
  // costs 90 µs a KiB, "ab" 5 µs; right() for ew 6 µs. sw is starts_with(), whose b-tree use needs
  // a "C" database collation, which we do not assume.
  filterCost: {
    budget: 500_000,
    substringPerKiB: 180,
    shortSubstringPerKiB: 12,
    longValuePerKiB: 2,
    rowPerKiB: 0,
    rowFetch: 8,
    measurePerRow: 1,
    rangesUseIndex: false,
  },
  uniqueViolationKey(error) {
    const e = error as { code?: unknown; constraint?: unknown };
    if (e?.code !== '23505') return undefined;
    return uniqueConstraints[String(e.constraint)] ?? 'unknown';
  },
  isSetupRace(error) {
    // Instances starting together race on "create schema if not exists": the check and the
    // insert into pg_namespace are not atomic, so the loser sees a unique violation, or
    // duplicate_schema, for a schema that now exists.
    const code = (error as { code?: unknown })?.code;
    return code === '23505' || code === '42P06';
  },
  isRetryable(error) {
    const code = (error as { code?: unknown })?.code;
    // serialization_failure, deadlock_detected: the transaction is safe to run again whole.
    return code === '40001' || code === '40P01';
  },
  unavailableReason(error) {
    const e = error as { code?: unknown; message?: unknown };
    const code = typeof e?.code === 'string' ? e.code : '';
    const message = typeof e?.message === 'string' ? e.message : '';
    // query_canceled: statement_timeout fired (a cancel by an operator reads the same).
    // lock_not_available: lock_timeout fired.
    if (code === '57014' || code === '55P03') return 'statementTimeout';
    // pg-pool's own error when no connection was free within connectionTimeoutMillis.
    if (message.includes('timeout exceeded when trying to connect')) return 'poolTimeout';
    // Class 08 (connection exception), 57P01-57P03 (shutdown, crash, starting up), 53300 (too
    // many connections), and the socket-level failures of a server that went away.
    if (code.startsWith('08') || /^57P0[1-3]$/.test(code) || code === '53300') return 'connection';
    // disk_full; read_only_sql_transaction: a failover left us on a standby (or the database was
    // set default_transaction_read_only) until the connection string points at the primary again.
    if (code === '53100') return 'diskFull';
    if (code === '25006') return 'readOnly';
    // Class 28 (a rotated password, a pg_hba change) refuses every new connection: the
    // service cannot serve until it is fixed, and says so with 503, not 500.
    if (code.startsWith('28')) return 'connection';
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'].includes(code)) {
      return 'connection';
    }
    if (/Query read timeout/.test(message)) return 'statementTimeout';
    if (/Connection terminated|not queryable|connection timeout/i.test(message)) return 'connection';
    return undefined;
  },
};
