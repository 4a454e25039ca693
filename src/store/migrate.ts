import { type Kysely, type MigrationProvider, Migrator, sql } from 'kysely';
import { migrations } from './sql/migrations/index.js';
import type { MigrationLock } from './sql/sql-dialect.js';

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Brings the schema up to date; run on every start (idempotent). `lock` runs it under a lock
 * held on one connection, so instances that start together migrate one after the other: Kysely's
 * own lock only exists once its tables do, and creating those tables is itself a race.
 */
export async function migrateToLatest(
  // biome-ignore lint/suspicious/noExplicitAny: the migrator works below the typed schema
  db: Kysely<any>,
  lock?: MigrationLock,
): Promise<void> {
  if (!lock) return migrate(db, undefined);
  await db.connection().execute(async (conn) => {
    if (lock.sessionStart) await sql.raw(lock.sessionStart).execute(conn);
    await sql.raw(lock.acquire).execute(conn);
    try {
      // Kysely looks for its bookkeeping tables in every schema unless told which one; another
      // deployment's tables in the same database would otherwise be taken for ours.
      const { rows } = await sql.raw<{ schema: string }>(lock.currentSchema).execute(conn);
      await migrate(conn, rows[0]?.schema);
    } finally {
      await sql.raw(lock.release).execute(conn);
      if (lock.sessionEnd) await sql.raw(lock.sessionEnd).execute(conn);
    }
  });
}

// biome-ignore lint/suspicious/noExplicitAny: the migrator works below the typed schema
async function migrate(db: Kysely<any>, schema: string | undefined): Promise<void> {
  const migrator = new Migrator({ db, provider, ...(schema !== undefined ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(
      `database migration ${failed?.migrationName ?? ''} failed: ${String((error as Error)?.message ?? error)}`,
    );
  }
}
