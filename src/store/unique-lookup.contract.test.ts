import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { groupsWhere, usersSortedBy, usersWhere } from '../../test/helpers/checked.js';
import { coldKysely } from '../../test/helpers/cold-kysely.js';
import { orgRecord, teamRecord, userRecord } from '../../test/helpers/records.js';
import { testStores } from '../../test/helpers/stores.js';
import { postgresHooks } from './postgres/postgres-dialect.js';
import { groupAttributeMap, userAttributeMap } from './sql/attribute-map.js';
import { uniqueLookup } from './sql/compile-filter.js';
import type { Database } from './sql/db-schema.js';
import { uniqueLookupPage } from './sql/list-rows.js';
import { sqliteHooks } from './sqlite/sqlite-dialect.js';
import type { RowsQuery, Store } from './store.js';

/*
 * The IdP lookup (one eq on userName, externalId or id) is answered by a statement compiled once
 * (list-rows.ts uniqueLookupPage) instead of the general list path. Which filters take it, the
 * statement it runs, and that its rows and counts are the general path's: sortBy forces the
 * general path, and a unique lookup has one row or none in any order.
 */

test('only one eq of a non-empty string on a uniquely indexed column is a unique lookup', () => {
  assert.deepEqual(uniqueLookup(usersWhere('userName eq "Ann@Example.COM"'), userAttributeMap), {
    column: 'user_name_ci',
    value: 'ann@example.com',
  });
  assert.deepEqual(uniqueLookup(usersWhere('externalId eq "Ext-A"'), userAttributeMap), {
    column: 'external_id',
    value: 'Ext-A',
  });
  assert.deepEqual(uniqueLookup(usersWhere('id eq "U-1"'), userAttributeMap), { column: 'id', value: 'U-1' });
  assert.deepEqual(uniqueLookup(groupsWhere('externalId eq "G"'), groupAttributeMap), {
    column: 'external_id',
    value: 'G',
  });
  for (const filter of [
    'userName eq ""',
    'userName co "ann"',
    'userName ne "ann"',
    'displayName eq "Ann"',
    'emails.value eq "ann@example.com"',
    'emails[value eq "ann@example.com"]',
    'userName eq "ann" and active eq true',
    'userName eq "ann" or externalId eq "x"',
    'not (userName eq "ann")',
    'active eq true',
    'userName eq null',
  ]) {
    assert.equal(uniqueLookup(usersWhere(filter), userAttributeMap), undefined, filter);
  }
  assert.equal(uniqueLookup(groupsWhere('displayName eq "Sales"'), groupAttributeMap), undefined);
  assert.equal(uniqueLookup(undefined, userAttributeMap), undefined);
});

test('the lookup statement is the list page of the general path, with LIMIT 2, one text for every value', () => {
  const columns = ['r.id'] as const;
  const shape = { table: 'users', column: 'user_name_ci', order: 'ascending' } as const;
  const a = uniqueLookupPage(coldKysely<Database>('sqlite'), sqliteHooks, shape, userAttributeMap, columns, 'o', 'a');
  const b = uniqueLookupPage(coldKysely<Database>('sqlite'), sqliteHooks, shape, userAttributeMap, columns, 'p', 'b');
  assert.equal(
    a.sql,
    'select "r"."id", null as "list_key" from "users" as "r" where "r"."org_id" = ? and ("r"."user_name_ci" = ?) and r.deleted_at is null order by "r"."id" asc limit 2',
  );
  assert.equal(b.sql, a.sql);
  assert.deepEqual(a.parameters, ['o', 'a']);
  assert.deepEqual(b.parameters, ['p', 'b']);
  const pg = uniqueLookupPage(
    coldKysely<Database>('postgres'),
    postgresHooks,
    shape,
    userAttributeMap,
    columns,
    'o',
    'a',
  );
  assert.equal(pg.sql, a.sql.replace('= ?', '= $1').replace('= ?', '= $2'));
});

const firstPage = { sortOrder: 'ascending', offset: 0, limit: 100 } as const;

for (const backend of testStores()) {
  describe(`unique lookups on ${backend.name}`, () => {
    let store: Store;
    let close: () => Promise<void>;
    const A = 'org-lookup-a';
    const B = 'org-lookup-b';

    before(async () => {
      ({ store, close } = await backend.open());
      for (const org of [A, B]) await store.insertOrg(orgRecord(org));
      await store.insertUser(userRecord(A, 'u-1', 'Ann@Example.com', { externalId: 'Ext-1' }));
      await store.insertUser(userRecord(A, 'u-2', 'bob@example.com', { externalId: 'ext-2' }));
      // Retained after the IdP deleted it: invisible to SCIM, its userName free for a new user.
      await store.insertUser(userRecord(A, 'u-3', 'cy@example.com', { externalId: 'ext-3', deletedAt: 5 }));
      await store.insertUser(userRecord(A, 'u-4', 'CY@example.com', { externalId: 'ext-4' }));
      await store.insertUser(userRecord(B, 'u-5', 'ann@example.com', { externalId: 'Ext-1' }));
      await store.insertTeam(teamRecord(A, 't-1', 'Sales', { externalId: 'G-1' }));
      await store.insertTeam(teamRecord(B, 't-2', 'Sales', { externalId: 'G-1' }));
    });
    after(async () => {
      await close();
    });

    const both = async (
      list: (query: RowsQuery) => Promise<{ total: number; items: readonly { id: string }[] }>,
      query: RowsQuery,
    ) => {
      const fast = await list(query);
      const general = await list({ ...query, sortBy: usersSortedBy({ attr: 'meta', sub: 'created' }) });
      return {
        fast: { total: fast.total, ids: fast.items.map((r) => r.id) },
        general: { total: general.total, ids: general.items.map((r) => r.id) },
      };
    };

    const userFilters: [string, string[]][] = [
      ['userName eq "ann@example.com"', ['u-1']],
      ['userName eq "ANN@EXAMPLE.COM"', ['u-1']],
      ['userName eq "cy@example.com"', ['u-4']],
      ['userName eq "nobody@example.com"', []],
      ['externalId eq "Ext-1"', ['u-1']],
      ['externalId eq "ext-1"', []],
      ['externalId eq "ext-3"', []],
      ['id eq "u-2"', ['u-2']],
      ['id eq "u-3"', []],
      ['id eq "u-5"', []],
    ];
    for (const [filter, ids] of userFilters) {
      test(`users ${filter}: ${ids.length} found, as the general path finds`, async () => {
        for (const sortOrder of ['ascending', 'descending'] as const) {
          for (const limit of [2, 100, 1000]) {
            const query = { filter: usersWhere(filter), sortOrder, offset: 0, limit };
            const { fast, general } = await both((q) => store.listUsers(A, q), query);
            assert.deepEqual(fast, { total: ids.length, ids }, `${sortOrder} ${limit}`);
            assert.deepEqual(general, fast);
          }
        }
      });
    }

    test('a page of one, a later page and the count alone take the general path and agree', async () => {
      const filter = usersWhere('userName eq "Ann@example.com"');
      const one = await store.listUsers(A, { filter, sortOrder: 'ascending', offset: 0, limit: 1 });
      assert.deepEqual([one.total, one.items.map((u) => u.id)], [1, ['u-1']]);
      const later = await store.listUsers(A, { filter, sortOrder: 'ascending', offset: 1, limit: 10 });
      assert.deepEqual([later.total, later.items.length], [1, 0]);
      const none = await store.listUsers(A, { filter, sortOrder: 'ascending', offset: 0, limit: 0 });
      assert.deepEqual([none.total, none.items.length], [1, 0]);
    });

    test("support's view with retained users is not a unique lookup and still finds both", async () => {
      const filter = usersWhere('userName eq "cy@example.com"');
      const got = await store.listUsers(A, { filter, sortOrder: 'ascending', offset: 0, limit: 10, withDeleted: true });
      assert.deepEqual(got.items.map((u) => u.id).sort(), ['u-3', 'u-4']);
      assert.equal(got.total, 2);
    });

    test('teams by externalId, in the organization only', async () => {
      const teams = async (filter: string) => {
        const got = await store.listTeams(A, { filter: groupsWhere(filter), ...firstPage });
        return [got.total, got.items.map((t) => t.id)];
      };
      assert.deepEqual(await teams('externalId eq "G-1"'), [1, ['t-1']]);
      assert.deepEqual(await teams('externalId eq "g-1"'), [0, []]);
    });
  });
}
