import { type DatabaseLocation, databaseLocation } from './database-location.js';
import type { PostgresOptions } from './postgres/open-postgres.js';
import type { Store } from './store.js';
import { DatabaseMissing, StoreUnavailable } from './store-errors.js';

/** config.ts's default, named in messages: "the default" explains a path nobody set. */
const DEFAULT_DATABASE_URL = 'sqlite:./data/parallel-scim.db';

export interface OpenStoreOptions extends PostgresOptions {
  /**
   * Whether a database that does not exist yet may be created (default true: the server). The
   * CLI passes false: a mistyped DATABASE_URL or another working directory must not silently
   * give support a new empty database to look in (issue 12).
   */
  readonly create?: boolean;
}

/** What was opened, for the start-up log and for messages that must name the database. */
export interface OpenedDatabase {
  readonly location: DatabaseLocation;
  /** True when this open created the database (SQLite file) or its tables (PostgreSQL schema). */
  readonly created: boolean;
}

/**
 * Opens the store a DATABASE_URL names and brings its schema up to date:
 * `sqlite:<path>` (relative to the working directory), `sqlite::memory:`, or
 * `postgres://user:password@host:port/database[?schema=name]`.
 */
export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<Store> {
  return (await openDatabase(databaseUrl, options)).store;
}

/** {@link openStore}, also saying which database it opened and whether it created it. */
export async function openDatabase(
  databaseUrl: string,
  options: OpenStoreOptions = {},
): Promise<{ store: Store; database: OpenedDatabase }> {
  const location = databaseLocation(databaseUrl);
  const create = options.create ?? true;
  const why =
    location.kind === 'sqlite' && !/^sqlite:(\/|:memory:)/.test(databaseUrl)
      ? `DATABASE_URL=${databaseUrl}${databaseUrl === DEFAULT_DATABASE_URL ? ' (the default when unset)' : ''} chose it, relative to the working directory ${process.cwd()}.`
      : `DATABASE_URL=${location.kind === 'sqlite' ? databaseUrl : 'postgres://...'} chose it.`;
  let store: Store;
  let existed = true;
  // Each driver is loaded only when its URL is used: the CLI starts on SQLite without pg.
  if (location.kind === 'sqlite') {
    const { assertExistingSqlite } = await import('./sqlite/existing-sqlite.js');
    if (!create && location.file !== ':memory:') assertExistingSqlite(location.file, why);
    const { existsSync } = await import('node:fs');
    existed = location.file !== ':memory:' && existsSync(location.file);
    const { openSqlite } = await import('./sqlite/open-sqlite.js');
    store = openSqlite(location.file, { ...options, create });
  } else {
    const { openPostgres } = await import('./postgres/open-postgres.js');
    store = openPostgres(location.url, options);
  }
  try {
    if (!create && location.kind === 'postgres') await assertOurSchema(store, location, why);
    const applied = await store.migrate();
    // PostgreSQL: the database exists already; "created" means this start made our tables.
    const created = location.kind === 'sqlite' ? !existed : applied.includes('0001-initial');
    return { store, database: { location, created } };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** PostgreSQL without `create`: the schema must hold our tables already (migrations may still run). */
async function assertOurSchema(store: Store, location: DatabaseLocation, why: string): Promise<void> {
  try {
    const level = await store.migrationLevel();
    if (level.applied.length > 0) return;
  } catch (error) {
    if (error instanceof StoreUnavailable) throw error;
  }
  throw new DatabaseMissing(
    `No parallel-scim tables in ${location.description}: nothing was created. ${why} The CLI never creates a database: set DATABASE_URL to the server's database (and its ?schema=).`,
  );
}
