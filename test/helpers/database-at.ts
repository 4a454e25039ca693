import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from '../../src/store/migrate.js';
import { postgresHooks } from '../../src/store/postgres/postgres-dialect.js';
import { migrations } from '../../src/store/sql/migrations/index.js';

/** A database stopped at an earlier migration, for a test of the migrations after it. */
export interface DatabaseAt {
  // biome-ignore lint/suspicious/noExplicitAny: tests write below the typed schema, as the earlier level left it
  readonly db: Kysely<any>;
  /** What openStore takes to serve this database once migrated. */
  readonly databaseUrl: string;
  /** Runs every migration not applied yet, as SqlStore.migrate does on start; the names it applied. */
  migrate(): Promise<readonly string[]>;
  close(): Promise<void>;
}

/** The kinds a migration test runs on: SQLite always, PostgreSQL when the runner started one. */
export function migrationKinds(): ('sqlite' | 'postgres')[] {
  const kinds: ('sqlite' | 'postgres')[] = ['sqlite'];
  if (process.env.TEST_POSTGRES_URL) kinds.push('postgres');
  const only = process.env.TEST_STORES?.split(',').map((s) => s.trim());
  return kinds.filter((k) => !only || only.includes(k));
}

/** An empty database of `kind`, migrated up to `last` (a key of migrations/index.ts) only. */
export async function openDatabaseAt(kind: 'sqlite' | 'postgres', last: string): Promise<DatabaseAt> {
  if (!(last in migrations)) throw new Error(`no migration named ${last}`);
  const opened = kind === 'sqlite' ? openSqlite() : await openPostgres();
  const migrator = new Migrator({
    db: opened.db,
    provider: { getMigrations: async () => migrations },
    ...(opened.schema !== undefined ? { migrationTableSchema: opened.schema } : {}),
  });
  const { error } = await migrator.migrateTo(last);
  if (error) throw error;
  return opened;
}

function openSqlite(): DatabaseAt & { schema?: string } {
  const dir = mkdtempSync(join(tmpdir(), 'parallel-scim-migration-'));
  const file = join(dir, 'test.db');
  const database = new Database(file);
  // As open-sqlite.ts runs it: a rebuilt table's foreign keys are enforced while rows are copied.
  database.pragma('foreign_keys = ON');
  const db = new Kysely({ dialect: new SqliteDialect({ database }) });
  return {
    db,
    databaseUrl: `sqlite:${file}`,
    migrate: () => migrateToLatest(db),
    async close() {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function openPostgres(): Promise<DatabaseAt & { schema: string }> {
  const serverUrl = process.env.TEST_POSTGRES_URL as string;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: serverUrl, max: 2, options: `-c search_path=${schema}` });
  const db = new Kysely({ dialect: new PostgresDialect({ pool }) });
  const url = new URL(serverUrl);
  url.searchParams.set('schema', schema);
  return {
    db,
    schema,
    databaseUrl: url.toString(),
    migrate: () => migrateToLatest(db, postgresHooks.migrationLock),
    async close() {
      await db.destroy();
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      await dropper.query(`drop schema if exists ${schema} cascade`);
      await dropper.end();
    },
  };
}
