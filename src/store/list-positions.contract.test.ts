import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { usersSortedBy, usersWhere } from '../../test/helpers/checked.js';
import { orgRecord, T0, teamRecord, userRecord } from '../../test/helpers/records.js';
import { testStores } from '../../test/helpers/stores.js';
import type { ResourceDoc } from '../scim/resource-doc.js';
import type { RowsQuery, Store, UserRecord } from './store.js';

/*
 * Deep pages read by keyset (sql/list-positions.ts) are the pages OFFSET reads: page after page,
 * the same page again, and after inserts, deletes, updates and rolled-back writes between pages.
 * The truth is one read of the whole list from offset 0, sliced.
 */

const PAGE = 7;

function user(orgId: string, n: number, extra: Partial<UserRecord> = {}): UserRecord {
  const userName = n % 4 === 0 ? `User${n}@Example.com` : `user${n}@example.com`;
  // Every third user has no displayName: absent values sort last in both directions.
  const doc: ResourceDoc = n % 3 === 0 ? { userName } : { userName, displayName: `Name ${(n * 7) % 10}` };
  return userRecord(orgId, `u-${String(n).padStart(3, '0')}`, userName, {
    doc,
    createdAt: T0 + (n % 5),
    updatedAt: T0 + n,
    ...extra,
  });
}

const orders: readonly (Pick<RowsQuery, 'sortBy' | 'sortOrder' | 'filter'> & { name: string })[] = [
  { name: 'id order', sortOrder: 'ascending' },
  { name: 'id order, descending', sortOrder: 'descending' },
  { name: 'displayName (some absent)', sortBy: usersSortedBy({ attr: 'displayName' }), sortOrder: 'ascending' },
  {
    name: 'displayName descending',
    sortBy: usersSortedBy({ attr: 'displayName' }),
    sortOrder: 'descending',
  },
  { name: 'userName', sortBy: usersSortedBy({ attr: 'userName' }), sortOrder: 'ascending' },
  { name: 'meta.created (ties)', sortBy: usersSortedBy({ attr: 'meta', sub: 'created' }), sortOrder: 'ascending' },
  { name: 'filtered', filter: usersWhere('userName sw "user"'), sortOrder: 'ascending' },
];

for (const backend of testStores()) {
  describe(`deep list pages on ${backend.name}`, () => {
    let store: Store;
    let close: () => Promise<void>;
    let orgCount = 0;
    let A: string;

    before(async () => {
      ({ store, close } = await backend.open());
    });
    after(async () => {
      await close();
    });
    beforeEach(async () => {
      orgCount += 1;
      A = `org-pos-${orgCount}`;
      await store.insertOrg(orgRecord(A));
      // Inserted out of id order, so id order is not insertion order.
      for (const n of [...Array(40).keys()].map((i) => (i * 17) % 40)) await store.insertUser(user(A, n + 10));
    });

    const page = async (order: (typeof orders)[number], offset: number) => {
      const { name: _, ...query } = order;
      const got = await store.listUsers(A, { ...query, offset, limit: PAGE });
      return { total: got.total, ids: got.items.map((u) => u.id) };
    };
    const truth = async (order: (typeof orders)[number], offset: number) => {
      const { name: _, ...query } = order;
      const all = await store.listUsers(A, { ...query, offset: 0, limit: 1000 });
      return { total: all.items.length, ids: all.items.slice(offset, offset + PAGE).map((u) => u.id) };
    };

    for (const order of orders) {
      test(`${order.name}: every page, and every page again, is what OFFSET reads`, async () => {
        for (let pass = 0; pass < 2; pass++) {
          for (let offset = 0; offset < 45; offset += PAGE) {
            assert.deepEqual(await page(order, offset), await truth(order, offset), `offset ${offset}`);
          }
        }
      });

      test(`${order.name}: writes between pages move the pages as they move OFFSET`, async () => {
        const writes: ((offset: number) => Promise<void>)[] = [
          // A user sorting before every other, by id, name and date.
          async () => store.insertUser(user(A, 0, { createdAt: T0 - 1 })),
          async () => {
            await store.deleteUser(A, 'u-020');
          },
          // Moves a user from one end of the displayName order to the other.
          async () => {
            const u = (await store.getUser(A, 'u-031')) as UserRecord;
            await store.updateUser({ ...u, doc: { ...u.doc, displayName: 'AAA' }, version: 2 }, 1);
          },
          async () => {
            await store.transaction(async (tx) => {
              await tx.insertUser(user(A, 1));
              await tx.deleteUser(A, 'u-011');
            });
          },
          async () => {
            await store
              .transaction(async (tx) => {
                await tx.insertUser(user(A, 2));
                throw new Error('rolled back');
              })
              .catch(() => undefined);
          },
          async () => {
            const u = (await store.getUser(A, 'u-040')) as UserRecord;
            await store.updateUser(
              { ...u, userName: 'zz@example.com', doc: { userName: 'zz@example.com' }, version: 2 },
              1,
            );
          },
        ];
        let offset = PAGE;
        for (const write of writes) {
          // The page, its repeat (remembered now), a write, then the repeat and the next page.
          assert.deepEqual(await page(order, offset), await truth(order, offset));
          assert.deepEqual(await page(order, offset), await truth(order, offset));
          await write(offset);
          assert.deepEqual(await page(order, offset), await truth(order, offset), `after a write, offset ${offset}`);
          offset += PAGE;
          assert.deepEqual(await page(order, offset), await truth(order, offset), `next page, offset ${offset}`);
        }
      });
    }

    test('a page past a deleted end is empty, and the count follows deletes at once', async () => {
      const order = orders[0] as (typeof orders)[number];
      assert.equal((await page(order, 35)).ids.length, 5);
      for (const n of [45, 46, 47, 48, 49]) await store.deleteUser(A, `u-0${n}`);
      assert.deepEqual(await page(order, 35), { total: 35, ids: [] });
      assert.deepEqual(await page(order, 28), await truth(order, 28));
    });

    test("the console's newestUsers pages by id, newest first, retained users included, unmoved by inserts", async () => {
      const retained = (await store.getUser(A, 'u-030')) as UserRecord;
      await store.updateUser({ ...retained, deletedAt: T0 + 99, version: 2 }, 1);
      const everyone = (await store.listUsers(A, { sortOrder: 'descending', offset: 0, limit: 100, withDeleted: true }))
        .items;
      const seen: string[] = [];
      for (let afterId: string | undefined; ; ) {
        const page = await store.newestUsers(A, { ...(afterId !== undefined ? { afterId } : {}), limit: PAGE });
        if (page.length === 0) break;
        seen.push(...page.map((u) => u.id));
        afterId = page.at(-1)?.id;
        // A user created meanwhile is newer than every page still to come: it moves none of them.
        await store.insertUser(user(A, 100 + seen.length));
      }
      assert.deepEqual(
        seen,
        everyone.map((u) => u.id),
      );
      assert.ok(seen.includes('u-030'));
    });

    test('team pages follow team inserts and membership changes between pages', async () => {
      for (let n = 0; n < 20; n++)
        await store.insertTeam(teamRecord(A, `t-${String(n * 3).padStart(3, '0')}`, `Team ${n}`));
      const teams = async (offset: number) => {
        const got = await store.listTeams(A, { sortOrder: 'ascending', offset, limit: 5 });
        return got.items.map((t) => t.id);
      };
      const all = async () => (await store.listTeams(A, { sortOrder: 'ascending', offset: 0, limit: 100 })).items;
      assert.deepEqual(
        await teams(10),
        (await all()).slice(10, 15).map((t) => t.id),
      );
      await store.insertTeam(teamRecord(A, 't-001', 'First'));
      assert.deepEqual(
        await teams(10),
        (await all()).slice(10, 15).map((t) => t.id),
      );
      const withMembers = { filter: usersWhere('userName pr'), sortOrder: 'ascending' as const, offset: 0, limit: 5 };
      assert.equal((await store.listUsers(A, withMembers)).total, 40);
      await store.addMembers(A, 't-000', ['u-010'], T0);
      assert.deepEqual(
        await teams(15),
        (await all()).slice(15, 20).map((t) => t.id),
      );
    });
  });
}
