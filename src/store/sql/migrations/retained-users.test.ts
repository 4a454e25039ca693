import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { migrationKinds, openDatabaseAt } from '../../../../test/helpers/database-at.js';
import { openStore } from '../../open-store.js';
import { UniqueViolation } from '../../store-errors.js';

/*
 * Migration 0007 on a database written by 0001-0006: the DELETE settings of before read under
 * their new names, and userName uniqueness holds among live users only.
 */

const T0 = 1_700_000_000_000;

// biome-ignore lint/suspicious/noExplicitAny: the test writes below the typed schema, as 0006 left it
async function insertOrg(db: Kysely<any>, id: string, deleteMode: string): Promise<void> {
  await db
    .insertInto('orgs')
    .values({ id, name: id, scim_enabled: 1, delete_mode: deleteMode, created_at: T0, updated_at: T0 })
    .execute();
}

for (const kind of migrationKinds()) {
  describe(`migration 0007-retained-users on ${kind}`, () => {
    test('deactivate becomes retain and remove becomes erase; userName is unique among live users only', async () => {
      const opened = await openDatabaseAt(kind, '0006-primary-tri-state');
      try {
        await insertOrg(opened.db, 'org-old-default', 'deactivate');
        await insertOrg(opened.db, 'org-old-remove', 'remove');
        await opened.db
          .insertInto('users')
          .values({
            org_id: 'org-old-default',
            id: 'u-1',
            user_name: 'Ada@x.test',
            user_name_ci: 'ada@x.test',
            external_id: 'e-1',
            active: 1,
            scim_managed: 1,
            doc: JSON.stringify({ userName: 'Ada@x.test', externalId: 'e-1', active: true }),
            version: 1,
            created_at: T0,
            updated_at: T0,
          })
          .execute();
        await opened.migrate();

        const store = await openStore(opened.databaseUrl);
        try {
          assert.equal((await store.getOrg('org-old-default'))?.deleteMode, 'retain');
          assert.equal((await store.getOrg('org-old-remove'))?.deleteMode, 'erase');
          const rows = await opened.db.selectFrom('orgs').select(['id', 'delete_mode']).orderBy('id').execute();
          assert.deepEqual(
            rows.map((r) => r.delete_mode),
            ['retain', 'erase'],
            'stored under the new names, not only read as them',
          );

          const ada = await store.getUser('org-old-default', 'u-1');
          assert.ok(ada, 'a user written before stays live');
          const retained = { ...ada, active: false, externalId: null, deletedAt: T0 + 1, version: 2 };
          await store.updateUser(retained, 1);
          assert.equal(await store.getUser('org-old-default', 'u-1'), undefined);
          // Its userName no longer holds the unique index: a new live user may take it...
          const next = { ...ada, id: 'u-2', externalId: 'e-2', version: 1 };
          await store.insertUser(next);
          // ...but only one live user may.
          await assert.rejects(
            store.insertUser({ ...ada, id: 'u-3', externalId: 'e-3', version: 1 }),
            (error: unknown) => error instanceof UniqueViolation && error.key === 'userName',
          );
          const found = await store.findUsersByUserNameOrWorkEmail('org-old-default', 'ADA@x.test', []);
          assert.deepEqual(
            found.map((u) => [u.id, u.deletedAt ?? null]),
            [
              ['u-1', T0 + 1],
              ['u-2', null],
            ],
            'the retained user is found for a link-back, beside the live one',
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
