import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { DatabaseMissing } from '../store-errors.js';

/**
 * For whoever must not create a database (the CLI): the file exists and is one this service
 * made, checked on a read-only connection so that nothing is written to a file that is not ours
 * (opening it for real would turn an empty file into a database in WAL mode). `why` says which
 * setting chose the path, for the message.
 */
export function assertExistingSqlite(file: string, why: string): void {
  if (!existsSync(file)) {
    throw new DatabaseMissing(
      `No database at ${file}: nothing was created. ${why} The CLI never creates a database: run it where the server runs, or set DATABASE_URL to the server's database.`,
    );
  }
  let tables: number;
  try {
    const database = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const row = database
        .prepare(
          "select count(*) as n from sqlite_master where type = 'table' and name in ('kysely_migration', 'orgs')",
        )
        .get() as { n: number };
      tables = row.n;
    } finally {
      database.close();
    }
  } catch (error) {
    const code = (error as { code?: unknown })?.code;
    if (code === 'SQLITE_NOTADB')
      throw new DatabaseMissing(`${file} is not a SQLite database; nothing was changed. ${why}`);
    throw error;
  }
  if (tables < 2) {
    throw new DatabaseMissing(
      `${file} is not a parallel-scim database (it has no parallel-scim tables); nothing was changed. ${why}`,
    );
  }
}
