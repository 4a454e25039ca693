import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { migrationKinds, openDatabaseAt } from '../../../../test/helpers/database-at.js';
import { openStore } from '../../open-store.js';

/*
 * Migration 0010 on a database written by 0001-0009 with events in it: the old rows get cursors
 * 1..n per organization in id order, the product type names, version 0 and no actor; the counter
 * continues after them, so the next event of each organization takes the next cursor.
 */

const T0 = 1_700_000_000_000;

const old = (orgId: string, id: string, type: string, payload: object) => ({
  org_id: orgId,
  id,
  at: T0,
  type,
  resource_id: 'r-1',
  payload: JSON.stringify(payload),
});

for (const kind of migrationKinds()) {
  describe(`migration 0010-directory-events on ${kind}`, () => {
    test('old events get gapless cursors per organization in id order, product types and version 0', async () => {
      const opened = await openDatabaseAt(kind, '0009-log-identifiers');
      try {
        for (const id of ['a', 'b']) {
          await opened.db
            .insertInto('orgs')
            .values({ id, name: id, scim_enabled: 1, delete_mode: 'retain', created_at: T0, updated_at: T0 })
            .execute();
        }
        // Inserted out of id order: the cursor follows the id (time) order, not the insert order.
        await opened.db
          .insertInto('events')
          .values([
            old('a', 'evt-3', 'member.added', { id: 't-1', teamId: 't-1', userId: 'u-1' }),
            old('a', 'evt-1', 'user.created', { id: 'u-1', userName: 'ada' }),
            old('b', 'evt-2', 'user.linked', { id: 'u-9', previouslyDeletedAt: T0 }),
            old('a', 'evt-4', 'member.removed', { id: 't-1', teamId: 't-1', userId: 'u-1' }),
            old('a', 'evt-5', 'user.linked', { id: 'u-1', userName: 'ada' }),
            old('a', 'evt-2', 'team.created', { id: 't-1', displayName: 'T' }),
          ])
          .execute();
        await opened.migrate();
        const store = await openStore(opened.databaseUrl);
        try {
          const a = await store.events.list('a', 0, 10);
          assert.deepEqual(
            a.map((e) => [e.cursor, e.id, e.type, e.version]),
            [
              [1, 'evt-1', 'user.created', 0],
              [2, 'evt-2', 'team.created', 0],
              [3, 'evt-3', 'team.member_added', 0],
              [4, 'evt-4', 'team.member_removed', 0],
              [5, 'evt-5', 'user.updated', 0],
            ],
          );
          assert.deepEqual(a[2]?.data, { id: 't-1', teamId: 't-1', userId: 'u-1' }, 'old data is kept as it was');
          assert.equal(a[0]?.actor, null);
          assert.equal(a[0]?.requestId, null);
          const b = await store.events.list('b', 0, 10);
          assert.deepEqual(
            b.map((e) => [e.cursor, e.type]),
            [[1, 'user.reactivated']],
            'a link that brought back a retained account is a reactivation',
          );
          assert.equal(await store.events.lastCursor('a'), 5);
          assert.equal(await store.events.lastCursor('b'), 1);
          assert.equal(await store.events.firstCursor('a'), 1);

          await store.transaction(async (tx) => {
            await tx.events.append({
              orgId: 'a',
              id: 'evt-6',
              at: T0 + 1,
              type: 'user.updated',
              version: 1,
              resourceId: 'u-1',
              actor: { kind: 'cli' },
              requestId: 'req-6',
              data: { user: { id: 'u-1' } },
            });
          });
          const next = await store.events.list('a', 5, 10);
          assert.deepEqual(
            next.map((e) => [e.cursor, e.id, e.version]),
            [[6, 'evt-6', 1]],
          );
          assert.deepEqual(
            (await store.events.forResource('a', 'r-1', 2)).map((e) => e.cursor),
            [5, 4],
            "a resource's own events, newest first",
          );
        } finally {
          await store.close();
        }
      } finally {
        await opened.close();
      }
    });
  });
}
