import { type Kysely, type Migration, PostgresAdapter, SqliteAdapter, sql } from 'kysely';

/**
 * `user_values.primary_flag` becomes nullable: 1 is `primary: true`, 0 `primary: false`, NULL an
 * element sent without `primary`. RFC 7643 §2.4 keeps an unassigned value unassigned, and until
 * now an absent `primary` was stored as 0, so the SQL list filters `emails[primary pr]`,
 * `emails[primary eq false]` and `not (emails.primary pr)` took it for an explicit false, where
 * the PATCH evaluator (scim/filter/evaluate-filter.ts) took it for absent.
 *
 * The refill decides from the stored document, with the rule userToValueRows (user-row.ts) now
 * writes: 0 stays only where the element holds the JSON `false`. Stored documents hold JSON
 * booleans only (coerce-value.ts turns Entra's "True"/"False" into booleans before anything is
 * stored), and any other value there is absent to both. Rows at 1 were written from `true` and
 * stay.
 *
 * The whole pass is one transaction, as in 0005-full-case-folding.ts: PostgreSQL's migrator opens
 * it, and on SQLite, whose migrator runs without one, it is opened here. Each dialect does its
 * work in the database, so the service's memory stays flat however many users there are. The
 * JSON is addressed by the row's own `attr` and `idx`; attr is one of userValueAttributes (plain
 * names), and is quoted in the SQLite path anyway so that no name is read as path syntax.
 *
 * - PostgreSQL drops the constraint in place (a catalog change, no rewrite) and nulls the rows
 *   whose element is not `false` in one UPDATE joined with users on the key the tables share (and
 *   are distributed by, docs/scaling.md). The ALTER locks user_values until commit, so list
 *   filters on multi-valued attributes wait for the UPDATE: about 7 s per 200,000 users of three
 *   e-mails each, measured on the embedded test server.
 * - SQLite cannot drop NOT NULL from a column: the table is rebuilt as 0001-initial.ts defines it
 *   but with primary_flag nullable, and the refill happens in the copy, so the rows are read once.
 *   Nothing references user_values, so dropping it under foreign_keys = ON deletes no other rows.
 *
 * A rolling upgrade across it keeps working: the previous version reads a NULL the way this one
 * does (`primary pr` is `is not null`, `eq` compares with 1 or 0). The rows it writes meanwhile
 * hold 0 for an absent primary again, wrong in the old way until this version next writes the user.
 */
export const primaryTriState: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
  async up(db: Kysely<any>): Promise<void> {
    const dialect = dialectOf(db);
    // biome-ignore lint/suspicious/noExplicitAny: as above
    const run = (trx: Kysely<any>) => (dialect === 'sqlite' ? rebuildSqlite(trx) : alterPostgres(trx));
    if (db.isTransaction) await run(db);
    else await db.transaction().execute(run);
  },
};

/**
 * Which database the migration runs on, from the Kysely adapter: the object that stands for the
 * SQL dialect, and what Kysely's own Migrator reads (supportsTransactionalDdl) to decide whether
 * to wrap a migration in a transaction. The store's dialect wrapper (unavailable-dialect.ts)
 * passes the adapter through unchanged. getExecutor() is marked internal in Kysely's typings,
 * but the Migrator depends on it too. Probing with a statement only one dialect accepts instead
 * would abort the surrounding PostgreSQL transaction when it fails.
 */
// biome-ignore lint/suspicious/noExplicitAny: as above
function dialectOf(db: Kysely<any>): 'sqlite' | 'postgres' {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  if (adapter instanceof PostgresAdapter) return 'postgres';
  throw new Error(`migration 0006-primary-tri-state: unsupported database adapter ${adapter.constructor.name}`);
}

// biome-ignore lint/suspicious/noExplicitAny: the migration works below the typed schema
async function alterPostgres(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('user_values')
    .alterColumn('primary_flag', (c) => c.dropNotNull())
    .execute();
  // `is distinct from`: a missing key or element (NULL) must count as absent too.
  await sql`
    update user_values v set primary_flag = null
    from users u
    where u.org_id = v.org_id and u.id = v.user_id and v.primary_flag = 0
      and (u.doc::jsonb -> v.attr -> v.idx -> 'primary') is distinct from 'false'::jsonb
  `.execute(db);
}

/** The columns of user_values, as 0001-initial.ts creates them. */
const COLUMNS = [
  'org_id',
  'user_id',
  'attr',
  'idx',
  'value',
  'value_ci',
  'type',
  'type_ci',
  'display',
  'display_ci',
  'primary_flag',
] as const;

// biome-ignore lint/suspicious/noExplicitAny: the migration works below the typed schema
async function rebuildSqlite(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('user_values_new')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('attr', 'text', (c) => c.notNull())
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('value', 'text')
    .addColumn('value_ci', 'text')
    .addColumn('type', 'text')
    .addColumn('type_ci', 'text')
    .addColumn('display', 'text')
    .addColumn('display_ci', 'text')
    .addColumn('primary_flag', 'integer')
    .addPrimaryKeyConstraint('user_values_pk', ['org_id', 'user_id', 'attr', 'idx'])
    .addForeignKeyConstraint('user_values_user_fk', ['org_id', 'user_id'], 'users', ['org_id', 'id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .execute();
  const copied = sql.join(COLUMNS.filter((c) => c !== 'primary_flag').map((c) => sql.ref(`v.${c}`)));
  // The join drops rows whose user is gone, which no filter could reach and the new foreign key
  // would refuse; with foreign_keys = ON (open-sqlite.ts) there are none.
  await sql`
    insert into user_values_new (${sql.join(COLUMNS.map((c) => sql.ref(c)))})
    select ${copied},
      case
        when v.primary_flag = 0
          and json_type(u.doc, '$."' || v.attr || '"[' || v.idx || '].primary') is not 'false'
        then null
        else v.primary_flag
      end
    from user_values v
    join users u on u.org_id = v.org_id and u.id = v.user_id
  `.execute(db);
  await db.schema.dropTable('user_values').execute();
  // SQLite renames the primary key's automatic index along with the table.
  await db.schema.alterTable('user_values_new').renameTo('user_values').execute();
  await db.schema
    .createIndex('user_values_value_ix')
    .on('user_values')
    .columns(['org_id', 'attr', 'value_ci'])
    .execute();
}
