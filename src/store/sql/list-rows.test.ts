import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { usersSortedBy } from '../../../test/helpers/checked.js';
import { coldKysely } from '../../../test/helpers/cold-kysely.js';
import { postgresHooks } from '../postgres/postgres-dialect.js';
import { sqliteHooks } from '../sqlite/sqlite-dialect.js';
import { userAttributeMap } from './attribute-map.js';
import { sortColumn } from './compile-filter.js';
import type { Database } from './db-schema.js';
import { listQueries } from './list-rows.js';

/*
 * The keyset page (list-positions.ts) pinned per dialect: the page after a remembered key is one
 * range read of the primary key in id order; with sortBy, absent values stay last and strings
 * compare in byte order, as the ORDER BY does. Rows are checked against OFFSET in
 * list-positions.contract.test.ts.
 */

const after = { value: 'Ann', id: 'u-7' };

function keysetPage(dialect: 'sqlite' | 'postgres', sorted: boolean) {
  const hooks = dialect === 'sqlite' ? sqliteHooks : postgresHooks;
  const target = sorted ? sortColumn(userAttributeMap, usersSortedBy({ attr: 'displayName' })) : undefined;
  const { page, order } = listQueries(
    coldKysely<Database>(dialect),
    hooks,
    'users',
    userAttributeMap,
    'org-1',
    sql<boolean>`1 = 1`,
    target,
    { sortOrder: 'ascending' },
    ['r.id'] as const,
    false,
  );
  return page.where(order.after(after)).limit(100).compile();
}

test('the page after a key in id order is a primary-key range read, on both dialects', () => {
  const tail =
    'where "r"."org_id" = ? and 1 = 1 and r.deleted_at is null and "r"."id" > ? order by "r"."id" asc limit ?';
  assert.equal(keysetPage('sqlite', false).sql, `select "r"."id", null as "list_key" from "users" as "r" ${tail}`);
  assert.deepEqual(keysetPage('sqlite', false).parameters, ['org-1', 'u-7', 100]);
  let n = 0;
  assert.equal(
    keysetPage('postgres', false).sql,
    `select "r"."id", null as "list_key" from "users" as "r" ${tail.replace(/\?/g, () => `$${++n}`)}`,
  );
});

test('the page after a key in a sortBy order keeps absent values last and byte order', () => {
  assert.equal(
    keysetPage('sqlite', true).sql,
    'select "r"."id", "r"."display_name_ci" as "list_key" from "users" as "r" where "r"."org_id" = ? and 1 = 1 and r.deleted_at is null and ("r"."display_name_ci" is null or "r"."display_name_ci" > ? or ("r"."display_name_ci" = ? and "r"."id" > ?)) order by case when "r"."display_name_ci" is null then 1 else 0 end, "r"."display_name_ci" asc, "r"."id" asc limit ?',
  );
  assert.equal(
    keysetPage('postgres', true).sql,
    'select "r"."id", "r"."display_name_ci" as "list_key" from "users" as "r" where "r"."org_id" = $1 and 1 = 1 and r.deleted_at is null and ("r"."display_name_ci" is null or "r"."display_name_ci" collate "C" > $2 or ("r"."display_name_ci" collate "C" = $3 and "r"."id" > $4)) order by case when "r"."display_name_ci" is null then 1 else 0 end, "r"."display_name_ci" collate "C" asc, "r"."id" asc limit $5',
  );
  assert.deepEqual(keysetPage('postgres', true).parameters, ['org-1', 'Ann', 'Ann', 'u-7', 100]);
});

test('a page with no remembered start is a deferred join: the OFFSET walks ids only', () => {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    const { page, ids } = listQueries(
      coldKysely<Database>(dialect),
      dialect === 'sqlite' ? sqliteHooks : postgresHooks,
      'users',
      userAttributeMap,
      'org-1',
      sql<boolean>`1 = 1`,
      undefined,
      { sortOrder: 'ascending' },
      ['r.id'] as const,
      false,
    );
    let n = 0;
    const p = () => (dialect === 'sqlite' ? '?' : `$${++n}`);
    // First the ids, over users_live_ix alone...
    const first = ids.offset(899_999).limit(101).compile();
    assert.equal(
      first.sql,
      `select "r"."id" from "users" as "r" where "r"."org_id" = ${p()} and 1 = 1 and r.deleted_at is null order by "r"."id" asc limit ${p()} offset ${p()}`,
    );
    assert.deepEqual(first.parameters, ['org-1', 101, 899_999]);
    // ...then the page's rows by key.
    n = 0;
    const second = page.where('r.id', 'in', ['u-1', 'u-2']).compile();
    assert.equal(
      second.sql,
      `select "r"."id", null as "list_key" from "users" as "r" where "r"."org_id" = ${p()} and 1 = 1 and r.deleted_at is null and "r"."id" in (${p()}, ${p()}) order by "r"."id" asc`,
    );
  }
});
