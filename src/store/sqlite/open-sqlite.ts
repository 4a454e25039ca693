import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { memoryRateLimiter } from '../rate-limiter.js';
import type { Database as Schema } from '../sql/db-schema.js';
import { SqlStore } from '../sql/sql-store.js';
import { type RetryLater, withUnavailableErrors } from '../sql/unavailable-dialect.js';
import { StoreUnavailable } from '../store-errors.js';
import { queryLog, type StoreOptions } from '../store-options.js';
import { backupSqlite } from './sqlite-backup.js';
import { sqliteHooks } from './sqlite-dialect.js';

/**
 * Opens a SQLite file, creating it (and its folder) unless `create` is false (the CLI: then a
 * missing file fails here too). WAL lets the CLI read and write while the server runs; a
 * statement that finds the write lock taken by another process waits for it (see waitForLock).
 */
export function openSqlite(file: string, options: StoreOptions & { readonly create?: boolean } = {}): SqlStore {
  const create = options.create ?? true;
  if (create && file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new Database(file, { fileMustExist: !create });
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma(`busy_timeout = ${BUSY_SLICE_MS}`);
  // SQLite's default page cache is 2 MiB: at 10,000 users and more, most lookups then read their
  // pages from the OS with a system call each. 64 MiB holds the indexes and hot rows of a large
  // organization and stays well inside the memory budget (bench/README.md, peak RSS).
  database.pragma(`cache_size = -${SQLITE_CACHE_KIB}`);
  // Prepared once, before the cache below: it is read on every authenticated request.
  const dataVersion = database.prepare('pragma data_version').pluck();
  let version = 0;
  let versionReadAt = Number.NEGATIVE_INFINITY;
  cachePreparedStatements(database);
  const dialect = withUnavailableErrors(
    new SqliteDialect({ database }),
    sqliteHooks.unavailableReason,
    waitForLock(database),
  );
  const kysely = new Kysely<Schema>({ dialect, ...queryLog(options) });
  return new SqlStore(kysely, sqliteHooks, {
    rateLimiter: memoryRateLimiter,
    backup: (target, backupOptions) => backupSqlite(database, target, backupOptions),
    ...(options.migrator ? { migrator: options.migrator } : {}),
    // Another process's commit (the CLI revoking a token) changes it; our own commits do not.
    externalWrites: () => {
      // Read at most once per millisecond: authentication and the list memory each ask on
      // every request, and a commit elsewhere is seen within that millisecond all the same.
      const now = performance.now();
      if (now - versionReadAt >= 1) {
        version = unavailableIfSo(() => dataVersion.get() as number);
        versionReadAt = now;
      }
      return version;
    },
  });
}

/**
 * Runs a statement outside Kysely (so outside withUnavailableErrors) with the same mapping: the
 * data_version read on every authenticated request must not turn an I/O error into a 500.
 */
function unavailableIfSo<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    const reason = sqliteHooks.unavailableReason(error);
    throw reason === undefined ? error : new StoreUnavailable(reason, error);
  }
}

/**
 * How long SQLite itself waits for a lock another process holds. Its busy handler sleeps inside
 * the statement, so the event loop, and with it every other organization, stops while it waits:
 * this stays short, and longer waits happen in waitForLock, between statements.
 */
const BUSY_SLICE_MS = 10;
/** Longest a statement waits for another process's write lock before it fails `db.busy`. */
export const BUSY_BUDGET_MS = 5000;
const BUSY_PAUSE_MAX_MS = 50;

/**
 * A statement refused SQLITE_BUSY outside a transaction did nothing (an autocommit write, or the
 * BEGIN IMMEDIATE of a transaction): it runs again after a pause in which the event loop serves
 * everybody else, pauses growing to BUSY_PAUSE_MAX_MS, for up to BUSY_BUDGET_MS in all. Inside a
 * transaction it fails at once: what the transaction did before would not be repeated.
 */
function waitForLock(database: Database.Database): RetryLater {
  return (error, waitedMs) => {
    if (database.inTransaction || sqliteHooks.unavailableReason(error) !== 'busy') return undefined;
    if (waitedMs >= BUSY_BUDGET_MS) return undefined;
    return Math.min(BUSY_PAUSE_MAX_MS, Math.max(2, waitedMs / 4));
  };
}

/** The page cache of the connection, in KiB. */
const SQLITE_CACHE_KIB = 64 * 1024;

/** How many distinct statements stay prepared; the service issues a few dozen shapes. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every statement anew, and preparing costs as much as running a simple indexed
 * query (measured: 12% of a filtered GET). Statements are reusable in better-sqlite3, so the
 * connection keeps the most recent ones by SQL text.
 */
function cachePreparedStatements(database: Database.Database): void {
  const prepare = database.prepare.bind(database);
  const cache = new Map<string, Database.Statement>();
  database.prepare = ((source: string) => {
    let statement = cache.get(source);
    if (statement) {
      cache.delete(source);
    } else {
      statement = prepare(source);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    }
    cache.set(source, statement);
    return statement;
  }) as typeof database.prepare;
}
