import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { postgresRateLimiter } from '../rate-limiter.js';
import type { Database } from '../sql/db-schema.js';
import { SqlStore } from '../sql/sql-store.js';
import { queryLog, type StoreOptions } from '../store-options.js';
import { postgresHooks } from './postgres-dialect.js';

// int8 (count(*), bigint epoch milliseconds) as numbers: epoch ms fit a double exactly.
pg.types.setTypeParser(20, (value) => Number(value));

export interface PostgresOptions extends StoreOptions {
  /** Pool size per service instance (see docs/scaling.md). */
  readonly poolSize?: number;
}

/**
 * Opens a pool on a `postgres://` URL. `?schema=NAME` in the URL puts every table in that schema
 * (search_path), so one database can hold several deployments, or one per test.
 */
export function openPostgres(url: string, options: PostgresOptions = {}): SqlStore {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`DATABASE_URL schema must be a lower-case SQL identifier, got "${schema}"`);
  }
  const pool = new pg.Pool({
    connectionString: parsed.toString(),
    max: options.poolSize ?? 10,
    // A statement that runs this long is a bug or a lock pile-up; fail it rather than hang Entra.
    statement_timeout: 30_000,
    idle_in_transaction_session_timeout: 60_000,
    ...(schema !== null ? { options: `-c search_path=${schema}` } : {}),
  });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), ...queryLog(options) });
  return new SqlStore(kysely, postgresHooks, {
    setupSql: schema !== null ? [`create schema if not exists ${schema}`] : [],
    rateLimiter: (limits) => postgresRateLimiter(pool, limits),
  });
}
