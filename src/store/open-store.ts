import { resolve } from 'node:path';
import type { PostgresOptions } from './postgres/open-postgres.js';
import type { Store } from './store.js';
import { DatabaseUrlError } from './store-errors.js';

/**
 * Opens the store a DATABASE_URL names and brings its schema up to date:
 * `sqlite:<path>` (relative to the working directory), `sqlite::memory:`, or
 * `postgres://user:password@host:port/database[?schema=name]`.
 */
export async function openStore(databaseUrl: string, options: PostgresOptions = {}): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) {
    const rest = databaseUrl.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    const file = rest === ':memory:' ? rest : resolve(rest);
    if (file === '')
      throw new DatabaseUrlError('DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/parallel-scim.db');
    // Each driver is loaded only when its URL is used: the CLI starts on SQLite without pg.
    const { openSqlite } = await import('./sqlite/open-sqlite.js');
    const store = openSqlite(file, options);
    await store.migrate();
    return store;
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const { openPostgres } = await import('./postgres/open-postgres.js');
    const store = openPostgres(databaseUrl, options);
    try {
      await store.migrate();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }
  throw new DatabaseUrlError(
    `DATABASE_URL must be sqlite:<file> (e.g. sqlite:./data/parallel-scim.db) or postgres://user:password@host:5432/db; got "${databaseUrl.split(':')[0]}:..."`,
  );
}
