import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { memoryRateLimiter } from '../rate-limiter.js';
import type { Database as Schema } from '../sql/db-schema.js';
import { SqlStore } from '../sql/sql-store.js';
import { queryLog, type StoreOptions } from '../store-options.js';
import { sqliteHooks } from './sqlite-dialect.js';

/**
 * Opens (creating if needed) a SQLite file. WAL lets the CLI read and write while the server
 * runs; busy_timeout makes a second process wait for the write lock instead of failing.
 */
export function openSqlite(file: string, options: StoreOptions = {}): SqlStore {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const kysely = new Kysely<Schema>({ dialect: new SqliteDialect({ database }), ...queryLog(options) });
  return new SqlStore(kysely, sqliteHooks, { rateLimiter: memoryRateLimiter });
}
