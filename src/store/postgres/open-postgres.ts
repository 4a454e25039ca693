import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { postgresRateLimiter } from '../rate-limiter.js';
import type { Database } from '../sql/db-schema.js';
import { preparedStatementName } from '../sql/prepared-query.js';
import { SqlStore } from '../sql/sql-store.js';
import { withUnavailableErrors } from '../sql/unavailable-dialect.js';
import { DatabaseUrlError } from '../store-errors.js';
import { queryLog, type StoreOptions } from '../store-options.js';
import { postgresHooks } from './postgres-dialect.js';

// int8 (count(*), bigint epoch milliseconds) as numbers: epoch ms fit a double exactly.
pg.types.setTypeParser(20, (value) => Number(value));

export interface PostgresOptions extends StoreOptions {
  /** Pool size per service instance (see docs/scaling.md). */
  readonly poolSize?: number;
  /** Longest one statement may run before PostgreSQL cancels it (answered 503). */
  readonly statementTimeoutMs?: number;
  /** Longest a request waits for a free pooled connection (answered 503). */
  readonly acquireTimeoutMs?: number;
}

/** Defaults of {@link PostgresOptions}: no SCIM request needs seconds of database time. */
export const POSTGRES_DEFAULTS = { poolSize: 10, statementTimeoutMs: 5_000, acquireTimeoutMs: 5_000 } as const;

/**
 * Opens a pool on a `postgres://` URL. `?schema=NAME` in the URL puts every table in that schema
 * (search_path), so one database can hold several deployments, or one per test.
 */
export function openPostgres(url: string, options: PostgresOptions = {}): SqlStore {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new DatabaseUrlError(
      `DATABASE_URL ?schema= must be a lower-case SQL identifier (letters a-z, digits, _; at most 63), got "${schema}"`,
    );
  }
  const statementTimeout = options.statementTimeoutMs ?? POSTGRES_DEFAULTS.statementTimeoutMs;
  const pool = new pg.Pool({
    connectionString: parsed.toString(),
    max: options.poolSize ?? POSTGRES_DEFAULTS.poolSize,
    // One tenant's expensive statement is cancelled by the server rather than holding a pooled
    // connection (and the other tenants queued behind it) for as long as it likes.
    statement_timeout: statementTimeout,
    lock_timeout: statementTimeout,
    // The client-side bound for a server that stops answering altogether (a network partition):
    // the server's own timeout would never reach us then.
    query_timeout: statementTimeout + 2_000,
    // Waiting for a free connection is bounded too, so a saturated pool answers 503 quickly.
    connectionTimeoutMillis: options.acquireTimeoutMs ?? POSTGRES_DEFAULTS.acquireTimeoutMs,
    idle_in_transaction_session_timeout: 60_000,
    options: sessionOptions(schema),
  });
  // An idle client whose server went away emits 'error' on the pool; without a listener that
  // would end the process. The next checkout reconnects.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    // pg-pool listens for a client's errors only while it is idle. A client checked out (inside
    // a transaction, between two statements) whose server goes away (a restart, a failover, the
    // network) emits 'error' with nobody listening, which ended the process. The error needs no
    // handling here: the statement in progress, or the next one ("not queryable"), fails and is
    // answered 503, and pg-pool discards the broken client when it is released.
    client.on('error', () => undefined);
    preparePreparedQueries(client);
  });
  const dialect = withUnavailableErrors(new PostgresDialect({ pool }), postgresHooks.unavailableReason);
  const kysely = new Kysely<Database>({ dialect, ...queryLog(options) });
  return new SqlStore(kysely, postgresHooks, {
    setupSql: schema !== null ? [`create schema if not exists ${schema}`] : [],
    rateLimiter: (limits) => postgresRateLimiter(pool, limits, postgresHooks.unavailableReason),
    ...(options.migrator ? { migrator: options.migrator } : {}),
  });
}

/**
 * The settings of every pooled session. `plan_cache_mode`: a named statement (below) is planned
 * for the values of each execution, never once for all. A generic plan made while a table was
 * nearly empty (an organization's first sync) is a sequential scan, and PostgreSQL keeps it
 * until the next analyze: measured on the bench's Entra cycle, the create's link lookup took up
 * to a second per run by its 4,000th user (66 users/s, against 165 before it was a named
 * statement). Parsing is still saved; planning these index lookups costs far less than that.
 */
export function sessionOptions(schema: string | null): string {
  return [...(schema !== null ? [`-c search_path=${schema}`] : []), '-c plan_cache_mode=force_custom_plan'].join(' ');
}

/**
 * The hot queries (prepared-query.ts) run as named statements on each connection: PostgreSQL
 * parses and plans them once per connection instead of on every call. Kysely calls
 * `client.query(text, values)`; that one form is rerouted, every other call passes unchanged.
 */
function preparePreparedQueries(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const [text, values] = args;
    const name =
      args.length === 2 && typeof text === 'string' && Array.isArray(values) ? preparedStatementName(text) : undefined;
    return name === undefined ? query(...args) : query({ name, text, values });
  };
}
