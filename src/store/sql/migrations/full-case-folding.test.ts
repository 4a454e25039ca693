import assert from 'node:assert/strict';
import { after, before, describe, mock, test } from 'node:test';
import type { Kysely } from 'kysely';
import { groupsWhere, usersWhere } from '../../../../test/helpers/checked.js';
import { type DatabaseAt, migrationKinds, openDatabaseAt } from '../../../../test/helpers/database-at.js';
import { foldCase } from '../../../scim/fold-case.js';
import { openStore } from '../../open-store.js';
import type { Store } from '../../store.js';
import { UniqueViolation } from '../../store-errors.js';
import { collisionValue, fullCaseFolding, REFOLD_BATCH_SIZE } from './0005-full-case-folding.js';

/*
 * Migration 0005 on a database written by 0001-0004: rows carry the `_ci` values the lower-casing
 * of before stored, the migration runs as the service runs it on start (migrateToLatest, under the
 * PostgreSQL lock), and the store then finds what full case folding says it should.
 */

/** What foldCase was when 0001-0004 shipped: the values every existing `_ci` column holds. */
const lowerCased = (value: string) => value.normalize('NFC').toLowerCase().replaceAll('ς', 'σ');
const ci = (value: string | null) => (value === null ? null : lowerCased(value));

const T0 = 1_700_000_000_000;

type Opened = DatabaseAt;

// biome-ignore lint/suspicious/noExplicitAny: as above
async function insertOrg(db: Kysely<any>, id: string): Promise<void> {
  await db
    .insertInto('orgs')
    .values({ id, name: id, scim_enabled: 1, delete_mode: 'retain', created_at: T0, updated_at: T0 })
    .execute();
}

interface OldUser {
  readonly org: string;
  readonly id: string;
  readonly userName: string;
  readonly createdAt?: number;
  readonly displayName?: string;
  readonly familyName?: string;
  readonly department?: string;
  readonly emails?: { value: string; type?: string; display?: string }[];
}

/** Rows as 0001-0004 wrote them: every `_ci` column lower-cased. */
// biome-ignore lint/suspicious/noExplicitAny: as above
async function insertOldUsers(db: Kysely<any>, list: readonly OldUser[]): Promise<void> {
  const rows = list.map((u) => ({
    org_id: u.org,
    id: u.id,
    user_name: u.userName,
    user_name_ci: lowerCased(u.userName),
    external_id: null,
    active: 1,
    scim_managed: 1,
    display_name: u.displayName ?? null,
    display_name_ci: ci(u.displayName ?? null),
    family_name: u.familyName ?? null,
    family_name_ci: ci(u.familyName ?? null),
    department: u.department ?? null,
    department_ci: ci(u.department ?? null),
    doc: JSON.stringify({
      userName: u.userName,
      active: true,
      ...(u.displayName !== undefined ? { displayName: u.displayName } : {}),
      ...(u.familyName !== undefined ? { name: { familyName: u.familyName } } : {}),
      ...(u.emails ? { emails: u.emails } : {}),
    }),
    version: 1,
    created_at: u.createdAt ?? T0,
    updated_at: u.createdAt ?? T0,
  }));
  for (let i = 0; i < rows.length; i += 200)
    await db
      .insertInto('users')
      .values(rows.slice(i, i + 200))
      .execute();
  const values = list.flatMap((u) =>
    (u.emails ?? []).map((e, idx) => ({
      org_id: u.org,
      user_id: u.id,
      attr: 'emails',
      idx,
      value: e.value,
      value_ci: ci(e.value),
      type: e.type ?? null,
      type_ci: ci(e.type ?? null),
      display: e.display ?? null,
      display_ci: ci(e.display ?? null),
      primary_flag: 0,
    })),
  );
  for (let i = 0; i < values.length; i += 200) {
    await db
      .insertInto('user_values')
      .values(values.slice(i, i + 200))
      .execute();
  }
}

// biome-ignore lint/suspicious/noExplicitAny: as above
async function insertOldTeam(db: Kysely<any>, org: string, id: string, displayName: string): Promise<void> {
  await db
    .insertInto('teams')
    .values({
      org_id: org,
      id,
      display_name: displayName,
      display_name_ci: lowerCased(displayName),
      external_id: null,
      doc: JSON.stringify({ displayName }),
      version: 1,
      created_at: T0,
      updated_at: T0,
    })
    .execute();
}

const everything = { sortOrder: 'ascending', offset: 0, limit: 100 } as const;

for (const kind of migrationKinds()) {
  describe(`migration 0005-full-case-folding on ${kind}`, () => {
    test('recomputes every _ci column of users, user_values and teams, across batches', async () => {
      const opened = await openDatabaseAt(kind, '0004-log-retention');
      try {
        const { db } = opened;
        await insertOrg(db, 'org-a');
        await insertOrg(db, 'org-b');
        // More rows than a batch, in two organizations, so the keyset crosses batches and orgs.
        const many: OldUser[] = [];
        for (let i = 0; i < REFOLD_BATCH_SIZE + 234; i++) {
          const org = i % 3 === 0 ? 'org-b' : 'org-a';
          const n = String(i).padStart(5, '0');
          many.push({
            org,
            id: `u-${n}`,
            userName: i % 2 === 0 ? `User${n}@Example.com` : `Weiß${n}@Example.com`,
            familyName: i % 5 === 0 ? 'Strauß' : 'Smith',
            emails: [{ value: `Weiß${n}@Example.com`, type: 'Work', display: 'ﬁnance' }],
          });
        }
        many.push({
          org: 'org-a',
          id: 'u-greek',
          userName: 'ΟΔΟΣ@example.com',
          displayName: 'ᾼ\u0342 Ꭰ ſ',
          department: 'ﬃ',
        });
        await insertOldUsers(db, many);
        await insertOldTeam(db, 'org-a', 't-1', 'Straße Team');
        await insertOldTeam(db, 'org-b', 't-2', 'Plain team');

        await opened.migrate();

        const users = await db.selectFrom('users').selectAll().execute();
        assert.equal(users.length, many.length);
        for (const row of users) {
          for (const col of ['user_name', 'display_name', 'family_name', 'department', 'given_name']) {
            assert.equal(row[`${col}_ci`], row[col] === null ? null : foldCase(row[col]), `${row.id} ${col}`);
          }
        }
        const greek = users.find((u) => u.id === 'u-greek');
        assert.ok(greek);
        assert.equal(greek.display_name_ci, 'ᾶι Ꭰ s');
        assert.equal(greek.department_ci, 'ffi');
        const values = await db.selectFrom('user_values').selectAll().execute();
        assert.equal(values.length, REFOLD_BATCH_SIZE + 234);
        for (const row of values) {
          assert.equal(row.value_ci, foldCase(row.value));
          assert.equal(row.type_ci, 'work');
          assert.equal(row.display_ci, 'finance');
        }
        const teams = await db.selectFrom('teams').select(['id', 'display_name_ci']).orderBy('id').execute();
        assert.deepEqual(teams, [
          { id: 't-1', display_name_ci: 'strasse team' },
          { id: 't-2', display_name_ci: 'plain team' },
        ]);

        // The service sees it: the lookups and filters that compare _ci columns find the new folds.
        const store = await openStore(opened.databaseUrl);
        try {
          const found = await store.findUsersByUserNameOrWorkEmail('org-a', 'WEISS00001@example.COM', []);
          assert.deepEqual(
            found.map((u) => u.id),
            ['u-00001'],
          );
          const byEmail = await store.findUsersByUserNameOrWorkEmail('org-a', 'nobody@x', ['weiss00005@EXAMPLE.com']);
          assert.deepEqual(
            byEmail.map((u) => u.id),
            ['u-00005'],
          );
          const teamPage = await store.listTeams('org-a', {
            ...everything,
            filter: groupsWhere('displayName eq "STRASSE TEAM"'),
          });
          assert.deepEqual(
            teamPage.items.map((t) => t.id),
            ['t-1'],
          );
          const strauss = await store.listUsers('org-b', {
            ...everything,
            filter: usersWhere('name.familyName eq "STRAUSS"'),
          });
          assert.equal(strauss.total, many.filter((u, i) => u.org === 'org-b' && i % 5 === 0).length);
        } finally {
          await store.close();
        }
      } finally {
        await opened.close();
      }
    });

    describe('userNames that fold alike now', () => {
      let opened: Opened;
      let warnings: string[];
      before(async () => {
        opened = await openDatabaseAt(kind, '0004-log-retention');
        const { db } = opened;
        for (const org of ['org-a', 'org-b']) await insertOrg(db, org);
        await insertOldUsers(db, [
          // The ASCII name came first: it keeps "strasse@x.com"; both later ones lose.
          { org: 'org-a', id: 'a-1', userName: 'strasse@x.com', createdAt: T0 + 1 },
          { org: 'org-a', id: 'a-0', userName: 'Straße@x.com', createdAt: T0 + 2 },
          { org: 'org-a', id: 'a-2', userName: 'ſtrasse@X.com', createdAt: T0 + 3 },
          // The non-ASCII name came first: it takes the fold from the ASCII one, processed earlier.
          { org: 'org-a', id: 'b-9', userName: 'Groß@x.com', createdAt: T0 + 1 },
          { org: 'org-a', id: 'b-1', userName: 'GROSS@x.com', createdAt: T0 + 5 },
          // Another organization: the same names never collide across tenants.
          { org: 'org-b', id: 'c-1', userName: 'straße@x.com', createdAt: T0 + 9 },
          { org: 'org-a', id: 'd-1', userName: 'unrelated@x.com', createdAt: T0 },
        ]);
        const warn = mock.method(console, 'warn', () => undefined);
        try {
          await opened.migrate();
          warnings = warn.mock.calls.map((call) => String(call.arguments[0]));
        } finally {
          warn.mock.restore();
        }
      });
      after(async () => {
        await opened.close();
      });

      test('the user created first keeps the fold; the others get a value no fold equals', async () => {
        const rows = await opened.db
          .selectFrom('users')
          .select(['id', 'user_name', 'user_name_ci'])
          .orderBy('org_id')
          .orderBy('id')
          .execute();
        assert.deepEqual(rows, [
          { id: 'a-0', user_name: 'Straße@x.com', user_name_ci: collisionValue('strasse@x.com', 'a-0') },
          { id: 'a-1', user_name: 'strasse@x.com', user_name_ci: 'strasse@x.com' },
          { id: 'a-2', user_name: 'ſtrasse@X.com', user_name_ci: collisionValue('strasse@x.com', 'a-2') },
          { id: 'b-1', user_name: 'GROSS@x.com', user_name_ci: collisionValue('gross@x.com', 'b-1') },
          { id: 'b-9', user_name: 'Groß@x.com', user_name_ci: 'gross@x.com' },
          { id: 'd-1', user_name: 'unrelated@x.com', user_name_ci: 'unrelated@x.com' },
          { id: 'c-1', user_name: 'straße@x.com', user_name_ci: 'strasse@x.com' },
        ]);
        assert.equal(collisionValue('strasse@x.com', 'a-0'), 'strasse@x.comZGBCNDA');
        // foldCase changes it (the capitals), so it is the fold of no userName.
        for (const row of rows.filter((r) => r.user_name_ci !== foldCase(r.user_name))) {
          assert.notEqual(foldCase(row.user_name_ci), row.user_name_ci);
        }
      });

      test('each affected user is printed and logged in its organization for support', async () => {
        const printed = warnings.map((w) => JSON.parse(w));
        assert.deepEqual(printed.map((p) => [p.orgId, p.userId, p.keptBy.userId]).sort(), [
          ['org-a', 'a-0', 'a-1'],
          ['org-a', 'a-2', 'a-1'],
          ['org-a', 'b-1', 'b-9'],
        ]);
        const store = await openStore(opened.databaseUrl);
        try {
          const log = await store.queryLog('org-a', { limit: 10 });
          assert.deepEqual(log.map((e) => e.resourceId).sort(), ['a-0', 'a-2', 'b-1']);
          for (const entry of log) {
            assert.equal(entry.status, 409);
            assert.equal(entry.errorCode, 'user.userNameFoldCollision');
            assert.equal(entry.path, `/Users/${entry.resourceId}`);
            assert.match(entry.errorDetail ?? '', /created earlier, which keeps it/);
          }
          assert.match(log.find((e) => e.resourceId === 'a-0')?.errorDetail ?? '', /"Straße@x.com".*"strasse@x.com"/);
          assert.deepEqual(await store.queryLog('org-b', { limit: 10 }), []);
        } finally {
          await store.close();
        }
      });

      test('the service finds the keeper by userName, the others by id, and refuses a third', async () => {
        const store: Store = await openStore(opened.databaseUrl);
        try {
          const ids = async (org: string, filter: string) =>
            (await store.listUsers(org, { ...everything, filter: usersWhere(filter) })).items.map((u) => u.id);
          assert.deepEqual(await ids('org-a', 'userName eq "STRASSE@X.COM"'), ['a-1']);
          assert.deepEqual(await ids('org-a', 'userName eq "straße@x.com"'), ['a-1']);
          assert.deepEqual(await ids('org-a', 'userName eq "gross@x.com"'), ['b-9']);
          assert.deepEqual(await ids('org-a', 'userName sw "strasse@"'), ['a-0', 'a-1', 'a-2']);
          assert.deepEqual(await ids('org-a', 'userName co "Z"'), []);
          assert.deepEqual(await ids('org-b', 'userName eq "STRASSE@x.com"'), ['c-1']);
          assert.equal((await store.getUser('org-a', 'a-0'))?.userName, 'Straße@x.com');
          await assert.rejects(
            store.insertUser({
              orgId: 'org-a',
              id: 'a-3',
              userName: 'STRAẞE@x.com',
              externalId: null,
              active: true,
              scimManaged: true,
              doc: { userName: 'STRAẞE@x.com', active: true },
              version: 1,
              createdAt: T0 + 10,
              updatedAt: T0 + 10,
            }),
            (error) => error instanceof UniqueViolation && error.key === 'userName',
          );
        } finally {
          await store.close();
        }
      });

      test('a user that lost the name can still be updated and deactivated, and renamed out of it', async () => {
        const store: Store = await openStore(opened.databaseUrl);
        try {
          const loser = await store.getUser('org-a', 'a-0');
          assert.ok(loser);
          await store.updateUser({ ...loser, active: false, version: loser.version + 1 }, loser.version);
          const deactivated = await store.getUser('org-a', 'a-0');
          assert.equal(deactivated?.active, false);
          const ci = async () =>
            (
              await opened.db
                .selectFrom('users')
                .select('user_name_ci')
                .where('org_id', '=', 'org-a')
                .where('id', '=', 'a-0')
                .executeTakeFirstOrThrow()
            ).user_name_ci;
          assert.equal(await ci(), collisionValue('strasse@x.com', 'a-0'), 'still marked, still no clash');
          const renamed = { ...(deactivated as NonNullable<typeof deactivated>), userName: 'Renamed@x.com' };
          await store.updateUser({ ...renamed, version: renamed.version + 1 }, renamed.version);
          assert.equal(await ci(), 'renamed@x.com', 'a new userName is folded as usual');
        } finally {
          await store.close();
        }
      });

      test('running it again changes nothing and reports nobody twice', async () => {
        const { db } = opened;
        const before = await db.selectFrom('users').selectAll().orderBy('id').execute();
        const warn = mock.method(console, 'warn', () => undefined);
        try {
          await fullCaseFolding.up(db);
          assert.equal(warn.mock.callCount(), 0);
        } finally {
          warn.mock.restore();
        }
        assert.deepEqual(await db.selectFrom('users').selectAll().orderBy('id').execute(), before);
        const logged = await db.selectFrom('provisioning_log').select('id').execute();
        assert.equal(logged.length, 3);
      });
    });
  });
}
