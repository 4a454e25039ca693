import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import { migrations } from './sql/migrations/index.js';
import type { MigrationLock } from './sql/sql-dialect.js';

export interface MigrateOptions {
  /**
   * The migrations this code knows (default: migrations/index.ts). Tests pass the list without
   * its last entries to act as the previous version on a database a newer one migrated.
   */
  readonly migrations?: Readonly<Record<string, Migration>>;
  /** Told when the database is ahead of this code (default: a JSON warning line on stderr). */
  readonly onNewerSchema?: (newer: NewerSchema) => void;
}

/** A database migrated by a newer version: every migration this code knows is applied, and more. */
export interface NewerSchema {
  /** The newest migration this code knows. */
  readonly latestKnown: string;
  /** The applied migrations this code does not know, in name order. */
  readonly unknown: readonly string[];
}

/**
 * Brings the schema up to date; run on every start (idempotent). `lock` runs it under a lock
 * held on one connection, so instances that start together migrate one after the other: Kysely's
 * own lock only exists once its tables do, and creating those tables is itself a race. Returns the
 * names of the migrations this call applied (none when the schema was current).
 */
export async function migrateToLatest(
  // biome-ignore lint/suspicious/noExplicitAny: the migrator works below the typed schema
  db: Kysely<any>,
  lock?: MigrationLock,
  options: MigrateOptions = {},
): Promise<string[]> {
  if (!lock) return migrate(db, undefined, options);
  return db.connection().execute(async (conn) => {
    if (lock.sessionStart) await sql.raw(lock.sessionStart).execute(conn);
    await sql.raw(lock.acquire).execute(conn);
    try {
      // Kysely looks for its bookkeeping tables in every schema unless told which one; another
      // deployment's tables in the same database would otherwise be taken for ours.
      const { rows } = await sql.raw<{ schema: string }>(lock.currentSchema).execute(conn);
      return await migrate(conn, rows[0]?.schema, options);
    } finally {
      await sql.raw(lock.release).execute(conn);
      if (lock.sessionEnd) await sql.raw(lock.sessionEnd).execute(conn);
    }
  });
}

// biome-ignore lint/suspicious/noExplicitAny: the migrator works below the typed schema
async function migrate(db: Kysely<any>, schema: string | undefined, options: MigrateOptions): Promise<string[]> {
  const known = options.migrations ?? migrations;
  // Kysely's Migrator refuses a database holding a migration it does not know ("corrupted
  // migrations"), which is every older instance's start during a rolling upgrade: version N must
  // keep serving a database N+1 migrated, as the migrations are expand/contract
  // (migrations/index.ts). So the applied list is read first, and a database that is ahead is
  // left as it is: nothing is applied and nothing undone.
  const newer = await newerSchema(db, schema, known);
  if (newer) {
    (options.onNewerSchema ?? warnNewerSchema)(newer);
    return [];
  }
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...known }) },
    ...(schema !== undefined ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(
      `database migration ${failed?.migrationName ?? ''} failed: ${String((error as Error)?.message ?? error)}`,
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * The migrations the database records that `known` lacks, when it also holds every one of
 * `known`; undefined for a database that is current, behind, or new. A database holding unknown
 * migrations while lacking known ones came from another line of versions: no version can say
 * what its schema is, so that is an error.
 */
async function newerSchema(
  // biome-ignore lint/suspicious/noExplicitAny: the migration table is not part of the typed schema
  db: Kysely<any>,
  schema: string | undefined,
  known: Readonly<Record<string, Migration>>,
): Promise<NewerSchema | undefined> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((t) => t.name === MIGRATION_TABLE && (schema === undefined || t.schema === schema)))
    return undefined;
  const applied = new Set(await appliedMigrations(db, schema));
  const unknown = [...applied].filter((name) => !(name in known)).sort();
  if (unknown.length === 0) return undefined;
  const missing = Object.keys(known).filter((name) => !applied.has(name));
  if (missing.length > 0) {
    throw new Error(
      `the database records migrations this version does not know (${unknown.join(', ')}) and lacks ones it ` +
        `knows (${missing.join(', ')}): it was migrated by another line of versions; not starting on it`,
    );
  }
  return { latestKnown: Object.keys(known).sort().at(-1) ?? '', unknown };
}

function warnNewerSchema(newer: NewerSchema): void {
  console.warn(
    JSON.stringify({
      level: 'warn',
      time: Date.now(),
      msg: 'the database schema is newer than this version (a rolling upgrade, or a rollback); serving it without migrating',
      latestKnown: newer.latestKnown,
      newerMigrations: newer.unknown,
    }),
  );
}

/** Where a database's schema stands, against the migrations this code knows. */
export interface MigrationLevel {
  /** Names of the migrations the database records as applied, in the order they apply. */
  readonly applied: readonly string[];
  /** The newest migration this code knows: the level it brings a database to. */
  readonly latest: string;
  /**
   * Applied migrations this code does not know: a newer version migrated the database (a
   * rolling upgrade under way, or a rollback). Empty normally.
   */
  readonly unknown: readonly string[];
}

/** The newest migration this code knows. */
export const LATEST_MIGRATION: string = Object.keys(migrations).sort().at(-1) ?? '';

/** Kysely's bookkeeping table (its default name, which migrate() keeps). */
const MIGRATION_TABLE = 'kysely_migration';

/**
 * Reads the level from Kysely's migration table: one small read. Unqualified, so PostgreSQL finds
 * the table in the schema the connection's search_path names, which is where migrate() made it.
 */
// biome-ignore lint/suspicious/noExplicitAny: the migration table is not part of the typed schema
export async function readMigrationLevel(db: Kysely<any>): Promise<MigrationLevel> {
  const applied = await appliedMigrations(db, undefined);
  return { applied, latest: LATEST_MIGRATION, unknown: applied.filter((name) => !(name in migrations)) };
}

/** The names Kysely's migration table records, in the order they apply; `schema` qualifies the table. */
// biome-ignore lint/suspicious/noExplicitAny: the migration table is not part of the typed schema
async function appliedMigrations(db: Kysely<any>, schema: string | undefined): Promise<string[]> {
  const table = schema === undefined ? db : db.withSchema(schema);
  const rows: { name: string }[] = await table.selectFrom(MIGRATION_TABLE).select('name').orderBy('name').execute();
  return rows.map((r) => r.name);
}
