import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { coldKysely } from '../../../test/helpers/cold-kysely.js';
import { migrationKinds, openDatabaseAt } from '../../../test/helpers/database-at.js';
import { userRecord } from '../../../test/helpers/records.js';
import type { ResourceDoc } from '../../scim/resource-doc.js';
import { ENTERPRISE_USER_SCHEMA_ID } from '../../scim/schema/enterprise-user-schema.js';
import { postgresHooks } from '../postgres/postgres-dialect.js';
import { sqliteHooks } from '../sqlite/sqlite-dialect.js';
import type { UserRecord } from '../store.js';
import type { Database } from './db-schema.js';
import { eventRowColumns } from './events-table.js';
import { insertPieces, MAX_PIECE_ROWS, MAX_PREPARED_ROWS, preparedInsert } from './prepared-insert.js';
import { logRowColumns } from './provisioning-log-table.js';
import { userRowColumns, userToRow, userToValueRows, userValueRowColumns } from './user-row.js';

/*
 * A prepared insert must be the very statement Kysely builds from the same rows: same text, same
 * parameters in the same order, for any row count, in both dialects. And each column list must
 * be what its row mapper writes, and every column of the table, or a column would silently be
 * bound NULL (or never written).
 */

/** What reaches the driver: the text and the parameters (the operation trees differ by design). */
const sent = (q: { sql: string; parameters: readonly unknown[] }) => ({ sql: q.sql, parameters: [...q.parameters] });

const dialects = [
  { db: coldKysely<Database>('sqlite'), hooks: sqliteHooks },
  { db: coldKysely<Database>('postgres'), hooks: postgresHooks },
];

/** A small deterministic generator (mulberry32): the same inputs on every run. */
function random(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  return { next, pick };
}

const TEXTS = ['a', 'Ä b', 'x@Example.COM', '', 'ß', 'Straße'];

function generatedUser(r: ReturnType<typeof random>, i: number): UserRecord {
  const maybe = (value: unknown) => (r.next() < 0.5 ? { v: value } : {});
  const doc: Record<string, unknown> = { userName: `${r.pick(TEXTS)}${i}` };
  for (const key of ['displayName', 'title', 'nickName', 'locale', 'timezone']) {
    const v = maybe(r.pick([...TEXTS, 3, true, null]));
    if ('v' in v) doc[key] = v.v;
  }
  if (r.next() < 0.6) doc.name = { givenName: r.pick(TEXTS), familyName: r.pick([...TEXTS, 7]) };
  if (r.next() < 0.5) doc[ENTERPRISE_USER_SCHEMA_ID] = { department: r.pick(TEXTS), manager: { value: 'm1' } };
  for (const attr of ['emails', 'phoneNumbers', 'roles']) {
    if (r.next() < 0.6) {
      doc[attr] = Array.from({ length: Math.floor(r.next() * 4) }, () => ({
        value: r.pick([...TEXTS, 5]),
        ...(r.next() < 0.5 ? { type: r.pick(['work', 'home']) } : {}),
        ...(r.next() < 0.5 ? { primary: r.next() < 0.5 } : {}),
      }));
    }
  }
  return userRecord('org', `u${i}`, doc.userName as string, {
    externalId: r.next() < 0.5 ? `ext-${i}` : null,
    active: r.next() < 0.5,
    scimManaged: r.next() < 0.5,
    doc: doc as ResourceDoc,
    ...(r.next() < 0.2 ? { deletedAt: 1_700_000_000_123 } : {}),
  });
}

test('a prepared users/user_values insert is the statement Kysely builds, for generated users and any row count', () => {
  const r = random(11);
  const users = preparedInsert('users', userRowColumns);
  const values = preparedInsert('user_values', userValueRowColumns);
  let valueStatements = 0;
  for (let i = 0; i < 300; i++) {
    const rows = Array.from({ length: 1 + (i % (MAX_PREPARED_ROWS + 3)) }, (_, k) =>
      userToRow(generatedUser(r, i * 100 + k)),
    );
    const valueRows = userToValueRows(generatedUser(r, i));
    for (const { db, hooks } of dialects) {
      assert.deepEqual(sent(users(db, hooks, rows)), sent(db.insertInto('users').values(rows).compile()));
      if (valueRows.length > 0) {
        assert.deepEqual(
          sent(values(db, hooks, valueRows)),
          sent(db.insertInto('user_values').values(valueRows).compile()),
        );
        valueStatements++;
      }
    }
  }
  assert.ok(valueStatements > 100, 'the generator gave users with e-mails, phone numbers or roles');
});

test('a prepared insert of any column list lays each row out as Kysely does, NULLs included', () => {
  const r = random(5);
  const insert = preparedInsert('events', eventRowColumns);
  for (let n = 1; n <= MAX_PREPARED_ROWS + 2; n++) {
    const rows = Array.from({ length: n }, (_, i) =>
      Object.fromEntries(eventRowColumns.map((c) => [c, r.pick([`${c}-${i}`, i, null])])),
    );
    for (const { db, hooks } of dialects) {
      assert.deepEqual(
        sent(insert(db, hooks, rows)),
        sent(
          db
            .insertInto('events')
            .values(rows as never)
            .compile(),
        ),
      );
    }
  }
  assert.throws(() => insert(coldKysely<Database>('sqlite'), sqliteHooks, []), /no rows/);
});

test("a batch of any size goes in pieces that keep its order, each a prepared statement equal to Kysely's", () => {
  const insert = preparedInsert('provisioning_log', logRowColumns);
  const sizes = new Set<number>();
  for (let n = 1; n <= 3 * MAX_PIECE_ROWS + 5; n++) {
    const rows = Array.from({ length: n }, (_, i) =>
      Object.fromEntries(logRowColumns.map((c) => [c, `${c}-${n}-${i}`])),
    );
    const pieces = insertPieces(rows);
    assert.deepEqual(pieces.flat(), rows, `${n} rows: every row once, in order`);
    for (const piece of pieces) {
      sizes.add(piece.length);
      for (const { db, hooks } of dialects) {
        const compiled = insert(db, hooks, piece);
        assert.deepEqual(
          sent(compiled),
          sent(
            db
              .insertInto('provisioning_log')
              .values(piece as never)
              .compile(),
          ),
        );
        // A prepared statement's query node is the one compiled once, not this piece's rows.
        assert.notDeepEqual(
          compiled.query,
          db
            .insertInto('provisioning_log')
            .values(piece as never)
            .toOperationNode(),
        );
      }
    }
  }
  // So a flush of any size runs through a handful of statement texts, each compiled once.
  assert.deepEqual(
    [...sizes].sort((a, b) => a - b),
    [1, 2, 4, 8, 16, 32, 64],
  );
  assert.deepEqual(insertPieces([]), []);
});

test('the column lists are what the row mappers write', () => {
  const r = random(3);
  for (let i = 0; i < 200; i++) {
    const user = generatedUser(r, i);
    assert.deepEqual(Object.keys(userToRow(user)), userRowColumns);
    for (const row of userToValueRows(user)) assert.deepEqual(Object.keys(row), userValueRowColumns);
  }
});

test('each prepared insert writes every column of its table', async () => {
  for (const kind of migrationKinds()) {
    const opened = await openDatabaseAt(kind, '0015-token-expiry-index');
    try {
      const columnsOf = async (table: string) => {
        const { rows } =
          kind === 'sqlite'
            ? await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(opened.db)
            : await sql<{
                name: string;
              }>`select column_name as name from information_schema.columns where table_schema = current_schema() and table_name = ${table}`.execute(
                opened.db,
              );
        return rows.map((row) => row.name).sort();
      };
      assert.deepEqual(await columnsOf('users'), [...userRowColumns].sort(), kind);
      assert.deepEqual(await columnsOf('user_values'), [...userValueRowColumns].sort(), kind);
      assert.deepEqual(await columnsOf('events'), [...eventRowColumns].sort(), kind);
      assert.deepEqual(await columnsOf('provisioning_log'), [...logRowColumns].sort(), kind);
    } finally {
      await opened.close();
    }
  }
});
