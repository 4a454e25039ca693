import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coldKysely } from '../../../test/helpers/cold-kysely.js';
import { postgresHooks } from '../postgres/postgres-dialect.js';
import { sqliteHooks } from '../sqlite/sqlite-dialect.js';
import type { Database } from './db-schema.js';
import { preparedQuery, preparedStatementName } from './prepared-query.js';

const sqlite = coldKysely<Database>('sqlite');
const postgres = coldKysely<Database>('postgres');

test('a prepared query compiles once per dialect and variant, and each call carries its own arguments', () => {
  let builds = 0;
  const byId = preparedQuery(['orgId', 'id'], (db, _hooks, variant: 'live' | 'any', a) => {
    builds++;
    let q = db.selectFrom('users').select('id').where('org_id', '=', a.orgId).where('id', '=', a.id);
    if (variant === 'live') q = q.where('deleted_at', 'is', null);
    return q.limit(1);
  });
  const first = byId(sqlite, sqliteHooks, 'live', { orgId: 'o1', id: 'u1' });
  const second = byId(sqlite, sqliteHooks, 'live', { orgId: 'o2', id: 'u2' });
  assert.equal(builds, 1);
  assert.equal(first.sql, 'select "id" from "users" where "org_id" = ? and "id" = ? and "deleted_at" is null limit ?');
  assert.deepEqual(first.parameters, ['o1', 'u1', 1], 'constants the builder put in (limit 1) stay');
  assert.deepEqual(second.parameters, ['o2', 'u2', 1]);
  const pg = byId(postgres, postgresHooks, 'live', { orgId: 'o3', id: 'u3' });
  assert.equal(pg.sql, 'select "id" from "users" where "org_id" = $1 and "id" = $2 and "deleted_at" is null limit $3');
  assert.deepEqual(pg.parameters, ['o3', 'u3', 1]);
  const any = byId(sqlite, sqliteHooks, 'any', { orgId: 'o1', id: 'u1' });
  assert.doesNotMatch(any.sql, /deleted_at/);
  assert.equal(builds, 3);
  // PostgreSQL keeps exactly these texts as named statements, each under a name of its own.
  const names = [first.sql, pg.sql, any.sql].map(preparedStatementName);
  assert.ok(names.every((n) => n !== undefined));
  assert.equal(new Set(names).size, 3);
  assert.equal(preparedStatementName('select 1'), undefined, 'any other text is not named');
});

test('an argument that would shape the SQL text instead of binding is refused at the first call', () => {
  // The builder computes with the argument (a count from a list), so no call could reuse the text.
  const shaped = preparedQuery(['ids'], (db, _hooks, _variant: '', a) =>
    db
      .selectFrom('users')
      .select('id')
      .limit((a.ids as unknown as string).split(',').length),
  );
  assert.throws(() => shaped(sqlite, sqliteHooks, '', { ids: ['a', 'b'] }), /not a plain parameter/);
});
