import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { orgRecord, T0, teamRecord, userRecord } from '../../test/helpers/records.js';
import { testStores } from '../../test/helpers/stores.js';
import type { NewEvent } from './events-store.js';
import type { Store } from './store.js';

/*
 * The events sub-store on each backend: cursors given at commit, gapless per organization and
 * independent between organizations; a rollback takes none; retention records how far it cut.
 */

let serial = 0;
function event(orgId: string, at = T0, resourceId = 'r-1'): NewEvent {
  serial += 1;
  return {
    orgId,
    id: `evt-${String(serial).padStart(6, '0')}`,
    at,
    type: 'user.updated',
    version: 1,
    resourceId,
    actor: { kind: 'token', tokenId: 'tok' },
    requestId: `req-${serial}`,
    data: { n: serial },
  };
}

const cursors = async (store: Store, orgId: string) => (await store.events.list(orgId, 0, 10_000)).map((e) => e.cursor);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

for (const backend of testStores()) {
  describe(`events store on ${backend.name}`, () => {
    let db: Awaited<ReturnType<typeof backend.open>>;
    let store: Store;
    let n = 0;
    const newOrg = async () => {
      n += 1;
      const id = `org-${n}`;
      await store.insertOrg(orgRecord(id));
      return id;
    };
    before(async () => {
      db = await backend.open();
      store = db.store;
    });
    after(async () => {
      await db.close();
    });

    test('a transaction queues its events and numbers them at commit, after what committed before', async () => {
      const a = await newOrg();
      await store.events.append(event(a));
      await store.transaction(async (tx) => {
        for (let i = 0; i < 3; i++) await tx.events.append(event(a));
        assert.deepEqual(await tx.events.list(a, 0, 10).then((l) => l.length), 1, 'queued until the commit');
      });
      assert.deepEqual(await cursors(store, a), [1, 2, 3, 4]);
      assert.equal(await store.events.lastCursor(a), 4);
    });

    test('a rolled-back transaction leaves no event and no gap', async () => {
      const a = await newOrg();
      await store.events.append(event(a));
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.events.append(event(a));
          throw new Error('boom');
        }),
        /boom/,
      );
      await store.events.append(event(a));
      assert.deepEqual(await cursors(store, a), [1, 2]);
    });

    test('organizations count independently, also within one transaction', async () => {
      const a = await newOrg();
      const b = await newOrg();
      await store.transaction(async (tx) => {
        await tx.events.append(event(b));
        await tx.events.append(event(a));
        await tx.events.append(event(b));
      });
      await store.events.append(event(a));
      assert.deepEqual(await cursors(store, a), [1, 2]);
      assert.deepEqual(await cursors(store, b), [1, 2]);
      assert.deepEqual(
        (await store.events.list(b, 0, 10)).map((e) => e.requestId),
        [`req-${serial - 3}`, `req-${serial - 1}`],
        'in append order within the transaction',
      );
    });

    test('thousands of events in one transaction are written in chunks, all numbered', async () => {
      const a = await newOrg();
      await store.transaction(async (tx) => {
        for (let i = 0; i < 2500; i++) await tx.events.append(event(a));
      });
      assert.deepEqual(await cursors(store, a), range(1, 2500));
    });

    test('prune deletes old events and records how far the feed is cut, per organization', async () => {
      const a = await newOrg();
      const b = await newOrg();
      // Times need not follow cursors (they are taken before commit): the 3rd is older than the 2nd.
      for (const at of [T0, T0 + 5000, T0 + 10, T0 + 6000]) await store.events.append(event(a, at));
      await store.events.append(event(b, T0 + 7000));
      assert.equal(await store.events.firstCursor(a), 1);
      // Batches across every organization, as the retention loop runs them (earlier tests left some).
      let deleted = 0;
      for (let batch = 100; batch >= 100; ) {
        batch = await store.events.prune(T0 + 1000, 100);
        deleted += batch;
      }
      assert.ok(deleted >= 2, `deleted ${deleted}`);
      assert.equal(await store.events.firstCursor(a), 4, 'whole only above the highest cursor deleted');
      assert.equal(await store.events.firstCursor(b), 1);
      assert.equal(await store.events.lastCursor(a), 4, 'pruning never lowers the last cursor');
      assert.ok((await cursors(store, a)).includes(4));
      await store.events.append(event(a));
      assert.equal(await store.events.lastCursor(a), 5);
    });

    test('refs names the users and teams member events mention, in this organization only', async () => {
      const a = await newOrg();
      const b = await newOrg();
      await store.insertUser(userRecord(a, 'u-a', 'ada'));
      await store.insertUser(userRecord(b, 'u-b', 'bob'));
      await store.insertTeam(teamRecord(a, 't-a', 'Team A', { externalId: 'ext-t' }));
      const refs = await store.events.refs(a, ['u-a', 'u-b'], ['t-a']);
      assert.deepEqual([...refs.users], [['u-a', 'ada']]);
      assert.deepEqual([...refs.teams], [['t-a', { displayName: 'Team A', externalId: 'ext-t' }]]);
    });
  });
}
