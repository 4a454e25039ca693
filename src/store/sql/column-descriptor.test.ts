import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { migrationKinds, openDatabaseAt } from '../../../test/helpers/database-at.js';
import { teamRecord, userRecord } from '../../../test/helpers/records.js';
import type { ColumnDescriptor } from './column-descriptor.js';
import { migrations } from './migrations/index.js';
import { teamColumns } from './team-columns.js';
import { teamToRow } from './team-row.js';
import { userColumns, userValueColumns } from './user-columns.js';
import { userToRow, userToValueRows } from './user-row.js';

/*
 * The column descriptors against the schema the migrations build: a descriptor added without its
 * migration, or a column added without its descriptor, fails here by name rather than as a
 * driver error on the first insert or as a filter the cost rule prices wrongly.
 */

const latest = Object.keys(migrations).at(-1) as string;

interface Index {
  readonly columns: readonly string[];
  readonly unique: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: introspection runs below the typed schema
async function indexesOf(db: Kysely<any>, kind: 'sqlite' | 'postgres', table: string): Promise<Index[]> {
  if (kind === 'postgres') {
    const { rows } = await sql<{ columns: string[]; unique: boolean }>`
      select i.indisunique as unique,
        array(select a.attname::text
              from unnest(i.indkey) with ordinality k(attnum, n)
              join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
              order by k.n) as columns
      from pg_index i
      join pg_class t on t.oid = i.indrelid
      where t.relname = ${table} and t.relnamespace = current_schema()::regnamespace
    `.execute(db);
    return rows;
  }
  const { rows: list } = await sql<{ name: string; unique: number }>`
    select name, "unique" from pragma_index_list(${table})
  `.execute(db);
  const indexes: Index[] = [];
  for (const { name, unique } of list) {
    const { rows } = await sql<{ name: string }>`select name from pragma_index_info(${name}) order by seqno`.execute(
      db,
    );
    indexes.push({ columns: rows.map((r) => r.name), unique: unique === 1 });
  }
  return indexes;
}

const described = (descriptors: readonly ColumnDescriptor<unknown>[]) =>
  descriptors.flatMap(({ target }) => [target.column, ...(target.ciColumn ? [target.ciColumn] : [])]);

const sample = userRecord('org-1', 'u-1', 'ada@x.test', {
  doc: { userName: 'ada@x.test', emails: [{ value: 'ada@x.test', type: 'work', primary: true }] },
});

for (const kind of migrationKinds()) {
  describe(`column descriptors against the migrated schema on ${kind}`, () => {
    test('the row mappers write exactly the columns the migrations create', async () => {
      const opened = await openDatabaseAt(kind, latest);
      try {
        const tables = await opened.db.introspection.getTables();
        const columns = (name: string) =>
          tables
            .find((t) => t.name === name)
            ?.columns.map((c) => c.name)
            .sort();
        assert.deepEqual(Object.keys(userToRow(sample)).sort(), columns('users'));
        assert.deepEqual(Object.keys(userToValueRows(sample)[0] ?? {}).sort(), columns('user_values'));
        assert.deepEqual(Object.keys(teamToRow(teamRecord('org-1', 't-1', 'Team'))).sort(), columns('teams'));
        for (const [table, descriptors] of [
          ['users', userColumns],
          ['user_values', userValueColumns],
          ['teams', teamColumns],
        ] as const) {
          for (const column of described(descriptors)) {
            assert.ok(columns(table)?.includes(column), `${table}.${column} is described but no migration creates it`);
          }
        }
      } finally {
        await opened.close();
      }
    });

    test('every index a descriptor names exists, after org_id (and attr for child rows)', async () => {
      const opened = await openDatabaseAt(kind, latest);
      try {
        for (const [table, lead, descriptors] of [
          ['users', ['org_id'], userColumns],
          ['user_values', ['org_id', 'attr'], userValueColumns],
          ['teams', ['org_id'], teamColumns],
        ] as const) {
          const indexes = await indexesOf(opened.db, kind, table);
          for (const { path, target } of descriptors) {
            if (!target.index) continue;
            const wanted = [...lead, target.index.column];
            // A unique index answers an eq with one row only when it holds nothing else.
            const found = indexes.some((index) =>
              target.index?.unique
                ? index.unique && index.columns.join() === wanted.join()
                : index.columns.slice(0, wanted.length).join() === wanted.join(),
            );
            assert.ok(
              found,
              `${path}: no ${target.index.unique ? 'unique ' : ''}index on ${table} (${wanted.join(', ')})`,
            );
          }
        }
      } finally {
        await opened.close();
      }
    });
  });
}
