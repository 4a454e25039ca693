import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { usersWhere } from '../../../test/helpers/checked.js';
import { orgRecord, T0, userRecord } from '../../../test/helpers/records.js';
import { testStores } from '../../../test/helpers/stores.js';
import type { ResourceDoc } from '../../scim/resource-doc.js';
import type { Store, UserRecord } from '../store.js';
import { indexedColumnGroups } from './user-writes.js';

/*
 * An update given the record it replaces leaves out the indexed columns that did not change and
 * the value rows when they are the same. What it leaves out must be exactly what is already
 * stored: every indexed column is in a group, and a narrow update stores what a full one stores.
 */

const ALWAYS_WRITTEN_OR_FIXED = new Set(['org_id', 'id', 'created_at', 'updated_at']);

test('every column an index of users reads, its partial predicate included, is in a group', async () => {
  const [backend] = testStores().filter((b) => b.name === 'sqlite');
  assert.ok(backend);
  const { databaseUrl, close } = await backend.open();
  try {
    const db = new Database(databaseUrl.slice('sqlite:'.length), { readonly: true });
    const columns = (db.prepare("select name from pragma_table_info('users')").pluck().all() as string[]).sort(
      (a, b) => b.length - a.length,
    );
    const indexes = db
      .prepare("select name, sql from sqlite_master where type = 'index' and tbl_name = 'users' and sql is not null")
      .all() as { name: string; sql: string }[];
    db.close();
    assert.ok(indexes.length >= 5, 'the indexes of users were read');
    const grouped = new Set<string>(Object.values(indexedColumnGroups).flat());
    for (const index of indexes) {
      const body = index.sql.slice(index.sql.indexOf('('));
      const read = columns.filter((c) => new RegExp(`(^|[^a-z_])${c}($|[^a-z_])`).test(body));
      const missing = read.filter((c) => !ALWAYS_WRITTEN_OR_FIXED.has(c) && !grouped.has(c));
      assert.deepEqual(missing, [], `${index.name} reads a column no group writes`);
    }
  } finally {
    await close();
  }
});

const base = (orgId: string, id: string): UserRecord =>
  userRecord(orgId, id, 'Pat@Example.com', {
    externalId: 'ext-pat',
    doc: {
      userName: 'Pat@Example.com',
      displayName: 'Pat Doe',
      active: true,
      emails: [{ value: 'pat@example.com', type: 'work', primary: true }],
    },
  });

/** Changes as services make them: each a new document (and the identity columns it implies). */
const changes: { name: string; edit: (u: UserRecord) => Partial<UserRecord> & { doc: ResourceDoc } }[] = [
  { name: 'active only', edit: (u) => ({ active: false, doc: { ...u.doc, active: false } }) },
  {
    name: 'userName',
    edit: (u) => ({ userName: 'pat.new@example.com', doc: { ...u.doc, userName: 'pat.new@example.com' } }),
  },
  {
    name: 'userName in case only',
    edit: (u) => ({ userName: 'PAT@example.com', doc: { ...u.doc, userName: 'PAT@example.com' } }),
  },
  { name: 'externalId', edit: (u) => ({ externalId: 'ext-other', doc: u.doc }) },
  { name: 'externalId removed', edit: (u) => ({ externalId: null, doc: u.doc }) },
  { name: 'displayName', edit: (u) => ({ doc: { ...u.doc, displayName: 'Patricia Doe' } }) },
  {
    name: 'displayName removed',
    edit: (u) => {
      const { displayName: _gone, ...doc } = u.doc;
      return { doc };
    },
  },
  { name: 'an e-mail', edit: (u) => ({ doc: { ...u.doc, emails: [{ value: 'p.doe@example.com', type: 'work' }] } }) },
  { name: 'retained', edit: (u) => ({ deletedAt: T0 + 5, active: false, doc: { ...u.doc, active: false } }) },
];

for (const backend of testStores()) {
  describe(`narrow user updates on ${backend.name}`, () => {
    let store: Store;
    let close: () => Promise<void>;
    let n = 0;
    before(async () => {
      ({ store, close } = await backend.open());
    });
    after(async () => {
      await close();
    });

    /** What the store holds for a user, by every path an index serves. */
    const stored = async (orgId: string, u: UserRecord) => {
      const read = await store.getUser(orgId, u.id, { withDeleted: true });
      const found = async (filter: string) =>
        (
          await store.listUsers(orgId, { filter: usersWhere(filter), sortOrder: 'ascending', offset: 0, limit: 10 })
        ).items.map((x) => x.id);
      const { id: _id, orgId: _org, ...record } = read as UserRecord;
      return {
        record,
        byUserName: await found(`userName eq "${u.userName}"`),
        byExternalId: u.externalId ? await found(`externalId eq "${u.externalId}"`) : [],
        byOldName: await found('userName eq "pat@example.com"'),
        byOldExternalId: await found('externalId eq "ext-pat"'),
        byDisplayName: await found('displayName eq "Pat Doe"'),
        byNewDisplayName: await found('displayName eq "Patricia Doe"'),
        byEmail: await found('emails.value eq "pat@example.com"'),
        byNewEmail: await found('emails.value eq "p.doe@example.com"'),
        support: (await store.findUsers(orgId, u.userName, 10)).map((x) => x.id),
      };
    };

    for (const change of changes) {
      test(`${change.name}: given the previous record, the store holds what a full update stores`, async () => {
        n += 1;
        const narrow = `org-narrow-${n}`;
        const full = `org-full-${n}`;
        const results = [];
        for (const [orgId, withPrevious] of [
          [narrow, true],
          [full, false],
        ] as const) {
          await store.insertOrg(orgRecord(orgId));
          const previous = base(orgId, 'u-pat');
          await store.insertUser(previous);
          const read = (await store.getUser(orgId, 'u-pat')) as UserRecord;
          const next: UserRecord = { ...read, ...change.edit(read), version: 2, updatedAt: T0 + 10 };
          await store.updateUser(next, 1, withPrevious ? read : undefined);
          const got = await stored(orgId, next);
          const ids = (list: string[]) => list.map((id) => (id === 'u-pat' ? 'pat' : id));
          results.push(Object.fromEntries(Object.entries(got).map(([k, v]) => [k, Array.isArray(v) ? ids(v) : v])));
        }
        assert.deepEqual(results[0], results[1]);
      });
    }

    test('a previous record at another version writes everything, and a stale version still fails', async () => {
      n += 1;
      const orgId = `org-narrow-${n}`;
      await store.insertOrg(orgRecord(orgId));
      await store.insertUser(base(orgId, 'u-pat'));
      const read = (await store.getUser(orgId, 'u-pat')) as UserRecord;
      const renamed: UserRecord = {
        ...read,
        userName: 'x@example.com',
        doc: { ...read.doc, userName: 'x@example.com' },
        version: 2,
      };
      // A previous record claiming the new userName: trusted only at the expected version.
      await store.updateUser(renamed, 1, { ...renamed, version: 7 });
      const byName = await store.listUsers(orgId, {
        filter: usersWhere('userName eq "x@example.com"'),
        sortOrder: 'ascending',
        offset: 0,
        limit: 10,
      });
      assert.deepEqual(
        byName.items.map((u) => u.id),
        ['u-pat'],
      );
      await assert.rejects(store.updateUser({ ...renamed, version: 3 }, 1, read), { name: 'ConcurrentUpdate' });
    });
  });
}
