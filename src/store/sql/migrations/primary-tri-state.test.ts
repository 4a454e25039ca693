import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { usersWhere } from '../../../../test/helpers/checked.js';
import { type DatabaseAt, migrationKinds, openDatabaseAt } from '../../../../test/helpers/database-at.js';
import type { ResourceDoc, ScimObject } from '../../../scim/resource-doc.js';
import { openStore } from '../../open-store.js';
import { userToValueRows } from '../user-row.js';
import { primaryTriState } from './0006-primary-tri-state.js';

/*
 * Migration 0006 on a database written by 0001-0005, which stored 0 for an element sent without
 * primary as for one sent with `primary: false`: afterwards only the explicit false is 0, the
 * absent one is NULL, and the list filters tell the two apart.
 */

const T0 = 1_700_000_000_000;
const ORGS = ['org-a', 'org-b'] as const;

type Opened = DatabaseAt;

/**
 * The users of each organization. The same ids in both, so the refill must match a row to its
 * own organization's document. The string "False" cannot come through the API (coerce-value.ts
 * stores booleans), but a document holding one must still read as absent, as user-columns.ts reads it.
 */
function documents(org: string): Map<string, ResourceDoc> {
  const docs = new Map<string, ResourceDoc>();
  const flip = org === 'org-b';
  docs.set('u-absent', { userName: 'absent', emails: [{ value: 'a@x', type: 'work' }, { value: 'a2@x' }] });
  docs.set('u-false', { userName: 'false', emails: [{ value: 'f@x', primary: flip }] });
  docs.set('u-mixed', {
    userName: 'mixed',
    emails: [{ value: 'm1@x' }, { value: 'm2@x', primary: false }, { value: 'm3@x', primary: true }],
    phoneNumbers: [{ value: '+1 555 0100' }, { value: '+1 555 0101', primary: true }],
    roles: [{ value: 'admin', primary: false }],
  });
  docs.set('u-string', { userName: 'string', emails: [{ value: 's@x', primary: 'False' }] });
  docs.set('u-none', { userName: 'none' });
  // Enough users that the statement walks more than a trivial table.
  for (let i = 0; i < 300; i++) {
    const n = String(i).padStart(4, '0');
    const email: ScimObject = { value: `bulk${n}@x`, ...(i % 3 === 0 ? {} : { primary: i % 3 === 1 }) };
    docs.set(`u-${n}`, { userName: `bulk${n}`, emails: [email] });
  }
  return docs;
}

/** What 0001-0005 stored for a primary: 1 for true, 0 for anything else. */
const oldFlag = (e: ScimObject) => (e.primary === true ? 1 : 0);

// biome-ignore lint/suspicious/noExplicitAny: as above
async function insertOld(db: Kysely<any>): Promise<void> {
  for (const org of ORGS) {
    await db
      .insertInto('orgs')
      .values({ id: org, name: org, scim_enabled: 1, delete_mode: 'retain', created_at: T0, updated_at: T0 })
      .execute();
    const users: Record<string, unknown>[] = [];
    const values: Record<string, unknown>[] = [];
    for (const [id, doc] of documents(org)) {
      const userName = `${String(doc.userName)}@${org}`;
      users.push({
        org_id: org,
        id,
        user_name: userName,
        user_name_ci: userName,
        external_id: null,
        active: 1,
        scim_managed: 1,
        doc: JSON.stringify({ ...doc, userName, active: true }),
        version: 1,
        created_at: T0,
        updated_at: T0,
      });
      for (const attr of ['emails', 'phoneNumbers', 'roles']) {
        const list = (doc[attr] ?? []) as readonly ScimObject[];
        list.forEach((e, idx) => {
          const value = typeof e.value === 'string' ? e.value : null;
          values.push({
            org_id: org,
            user_id: id,
            attr,
            idx,
            value,
            value_ci: value,
            type: null,
            type_ci: null,
            display: null,
            display_ci: null,
            primary_flag: oldFlag(e),
          });
        });
      }
    }
    for (let i = 0; i < users.length; i += 200) {
      await db
        .insertInto('users')
        .values(users.slice(i, i + 200))
        .execute();
    }
    for (let i = 0; i < values.length; i += 200) {
      await db
        .insertInto('user_values')
        .values(values.slice(i, i + 200))
        .execute();
    }
  }
}

// biome-ignore lint/suspicious/noExplicitAny: as above
async function flags(db: Kysely<any>): Promise<Map<string, number | null>> {
  const rows = await db
    .selectFrom('user_values')
    .select(['org_id', 'user_id', 'attr', 'idx', 'primary_flag'])
    .execute();
  return new Map(
    rows.map((r) => [
      `${r.org_id}/${r.user_id}/${r.attr}/${r.idx}`,
      r.primary_flag === null ? null : Number(r.primary_flag),
    ]),
  );
}

/** What the service writes for the same documents now (user-row.ts). */
function written(): Map<string, number | null> {
  const expected = new Map<string, number | null>();
  for (const org of ORGS) {
    for (const [id, doc] of documents(org)) {
      const record = {
        orgId: org,
        id,
        userName: id,
        externalId: null,
        active: true,
        scimManaged: true,
        doc,
        version: 1,
        createdAt: T0,
        updatedAt: T0,
      };
      for (const row of userToValueRows(record)) {
        if (row.attr === 'emails' || row.attr === 'phoneNumbers' || row.attr === 'roles') {
          expected.set(`${org}/${id}/${row.attr}/${row.idx}`, row.primary_flag);
        }
      }
    }
  }
  return expected;
}

const everything = { sortOrder: 'ascending', offset: 0, limit: 1000 } as const;

for (const kind of migrationKinds()) {
  describe(`migration 0006-primary-tri-state on ${kind}`, () => {
    let opened: Opened;
    let before0006: Map<string, number | null>;
    before(async () => {
      opened = await openDatabaseAt(kind, '0005-full-case-folding');
      await insertOld(opened.db);
      before0006 = await flags(opened.db);
      await opened.migrate();
    });
    after(async () => {
      await opened.close();
    });

    test('absent becomes NULL, an explicit false stays 0, true stays 1', async () => {
      const after0006 = await flags(opened.db);
      assert.equal(after0006.size, before0006.size, 'no row lost or added');
      const pick = (key: string) => [before0006.get(key), after0006.get(key)];
      assert.deepEqual(pick('org-a/u-absent/emails/0'), [0, null]);
      assert.deepEqual(pick('org-a/u-absent/emails/1'), [0, null]);
      assert.deepEqual(pick('org-a/u-false/emails/0'), [0, 0]);
      assert.deepEqual(pick('org-b/u-false/emails/0'), [1, 1], 'the same id in another organization');
      assert.deepEqual(pick('org-a/u-mixed/emails/0'), [0, null]);
      assert.deepEqual(pick('org-a/u-mixed/emails/1'), [0, 0]);
      assert.deepEqual(pick('org-a/u-mixed/emails/2'), [1, 1]);
      assert.deepEqual(pick('org-a/u-mixed/phoneNumbers/0'), [0, null]);
      assert.deepEqual(pick('org-a/u-mixed/phoneNumbers/1'), [1, 1]);
      assert.deepEqual(pick('org-a/u-mixed/roles/0'), [0, 0]);
      assert.deepEqual(pick('org-a/u-string/emails/0'), [0, null]);
      // Every row holds what the service would write for its document today.
      assert.deepEqual(after0006, written());
    });

    test('the table keeps its key, foreign key and index, and takes NULL', async () => {
      const { db } = opened;
      if (kind === 'sqlite') {
        const columns = await sql<{ name: string; notnull: number }>`pragma table_info(user_values)`.execute(db);
        assert.deepEqual(
          columns.rows.map((c) => [c.name, c.notnull]),
          [
            ['org_id', 1],
            ['user_id', 1],
            ['attr', 1],
            ['idx', 1],
            ['value', 0],
            ['value_ci', 0],
            ['type', 0],
            ['type_ci', 0],
            ['display', 0],
            ['display_ci', 0],
            ['primary_flag', 0],
          ],
        );
        const indexes = await sql<{ name: string; origin: string }>`pragma index_list(user_values)`.execute(db);
        assert.deepEqual(indexes.rows.map((i) => [i.name, i.origin]).sort(), [
          ['sqlite_autoindex_user_values_1', 'pk'],
          ['user_values_value_ix', 'c'],
        ]);
        const ix = await sql<{ name: string }>`pragma index_info(user_values_value_ix)`.execute(db);
        assert.deepEqual(
          ix.rows.map((c) => c.name),
          ['org_id', 'attr', 'value_ci'],
        );
        const fks = await sql<{
          table: string;
          from: string;
          to: string;
          on_delete: string;
        }>`pragma foreign_key_list(user_values)`.execute(db);
        assert.deepEqual(
          fks.rows.map((f) => [f.table, f.from, f.to, f.on_delete]),
          [
            ['users', 'org_id', 'org_id', 'CASCADE'],
            ['users', 'user_id', 'id', 'CASCADE'],
          ],
        );
        const leftovers = await sql<{ name: string }>`
          select name from sqlite_master where name like 'user_values_new%'
        `.execute(db);
        assert.deepEqual(leftovers.rows, []);
      } else {
        const column = await sql<{ is_nullable: string }>`
          select is_nullable from information_schema.columns
          where table_schema = current_schema() and table_name = 'user_values' and column_name = 'primary_flag'
        `.execute(db);
        assert.deepEqual(column.rows, [{ is_nullable: 'YES' }]);
        const indexes = await sql<{ indexname: string }>`
          select indexname from pg_indexes where schemaname = current_schema() and tablename = 'user_values'
          order by indexname
        `.execute(db);
        assert.deepEqual(
          indexes.rows.map((i) => i.indexname),
          ['user_values_pk', 'user_values_value_ix'],
        );
      }
      // The key still refuses a second row for one element; the foreign key still cascades.
      await db
        .insertInto('users')
        .values({
          org_id: 'org-a',
          id: 'u-extra',
          user_name: 'extra@org-a',
          user_name_ci: 'extra@org-a',
          active: 1,
          scim_managed: 1,
          doc: JSON.stringify({ userName: 'extra@org-a', emails: [{ value: 'n@x' }] }),
          version: 1,
          created_at: T0,
          updated_at: T0,
        })
        .execute();
      const row = {
        org_id: 'org-a',
        user_id: 'u-extra',
        attr: 'emails',
        idx: 0,
        value: 'n@x',
        value_ci: 'n@x',
        primary_flag: null,
      };
      await db.insertInto('user_values').values(row).execute();
      await assert.rejects(db.insertInto('user_values').values(row).execute());
      await db.deleteFrom('users').where('org_id', '=', 'org-a').where('id', '=', 'u-extra').execute();
      const orphans = await db
        .selectFrom('user_values')
        .select('idx')
        .where('org_id', '=', 'org-a')
        .where('user_id', '=', 'u-extra')
        .execute();
      assert.deepEqual(orphans, []);
    });

    test('the list filters tell an absent primary from a false one', async () => {
      const store = await openStore(opened.databaseUrl);
      try {
        const named = async (filter: string) =>
          (await store.listUsers('org-a', { ...everything, filter: usersWhere(filter) })).items
            .map((u) => u.id)
            .filter((id) => !/^u-\d/.test(id));
        assert.deepEqual(await named('emails[primary pr]'), ['u-false', 'u-mixed']);
        assert.deepEqual(await named('not (emails.primary pr)'), ['u-absent', 'u-none', 'u-string']);
        assert.deepEqual(await named('emails[primary eq false]'), ['u-false', 'u-mixed']);
        assert.deepEqual(await named('phoneNumbers[not (primary pr)]'), ['u-mixed']);
        assert.deepEqual(await named('emails[primary eq true]'), ['u-mixed']);
        // The bulk users: one in three sent no primary.
        const bulk = await store.listUsers('org-a', {
          ...everything,
          filter: usersWhere('userName sw "bulk" and not (emails[primary pr])'),
        });
        assert.equal(bulk.total, 100);
      } finally {
        await store.close();
      }
    });

    test('running it again changes nothing', async () => {
      const { db } = opened;
      const once = await flags(db);
      await primaryTriState.up(db);
      assert.deepEqual(await flags(db), once);
    });
  });
}
