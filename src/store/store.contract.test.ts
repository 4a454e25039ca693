import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { usersSortedBy, usersWhere } from '../../test/helpers/checked.js';
import { orgRecord, T0, teamRecord, userRecord } from '../../test/helpers/records.js';
import { testStores } from '../../test/helpers/stores.js';
import type { ResourceDoc } from '../scim/resource-doc.js';
import { ENTERPRISE_USER_SCHEMA_ID } from '../scim/schema/enterprise-user-schema.js';
import type { NewEvent } from './events-store.js';
import type { LogQuery, LogRecord, RowsQuery, Store, TokenRecord, UserRecord } from './store.js';
import { ConcurrentUpdate, NotSortable, UniqueViolation } from './store-errors.js';

/*
 * The Store contract, one suite per backend: whatever SQLite answers, PostgreSQL answers too.
 * One database per backend; every test gets two fresh organizations (`A` and `B`), so tests never
 * see each other's rows, and every read also runs next to other tenants' data.
 */

/** A user whose doc carries `displayName` (absent when undefined) and e-mails. */
function namedUser(
  orgId: string,
  id: string,
  userName: string,
  displayName: string | undefined,
  extra: Partial<UserRecord> = {},
): UserRecord {
  const doc: ResourceDoc = displayName === undefined ? { userName } : { userName, displayName };
  return userRecord(orgId, id, userName, { doc, ...extra });
}

function tokenRecord(orgId: string, id: string, overrides: Partial<TokenRecord> = {}): TokenRecord {
  return {
    orgId,
    id,
    tokenHash: `hash-${orgId}-${id}`,
    hint: 'scim_ab',
    label: null,
    createdAt: T0,
    expiresAt: null,
    revokedAt: null,
    lastUsedAt: null,
    ...overrides,
  };
}

function logRecord(orgId: string, n: number, overrides: Partial<LogRecord> = {}): LogRecord {
  return {
    orgId,
    id: `log-${n}`,
    at: T0 + n * 1000,
    requestId: `req-${n}`,
    tokenId: 'tok-1',
    userAgent: 'Azure AD SCIM Provisioning',
    method: 'GET',
    path: '/scim/v2/Users',
    status: 200,
    resourceType: 'User',
    resourceId: null,
    summary: null,
    errorCode: null,
    errorDetail: null,
    durationMs: 3,
    subjectName: null,
    subjectExternalId: null,
    ...overrides,
  };
}

function eventRecord(orgId: string, n: number): NewEvent {
  return {
    orgId,
    id: `evt-${n}`,
    at: T0 + n,
    type: 'user.created',
    version: 1,
    resourceId: `u-${n}`,
    actor: { kind: 'token', tokenId: 'tok-1' },
    requestId: `req-${n}`,
    data: { userName: `user${n}`, tags: ['ä', n], nested: { ok: true } },
  };
}

const everything: RowsQuery = { sortOrder: 'ascending', offset: 0, limit: 1000 };

const uniqueViolation = (key: string) => (error: unknown) => {
  assert.ok(error instanceof UniqueViolation, `expected UniqueViolation, got ${String(error)}`);
  assert.equal(error.key, key);
  return true;
};

const concurrentUpdate = (error: unknown) => {
  assert.ok(error instanceof ConcurrentUpdate, `expected ConcurrentUpdate, got ${String(error)}`);
  return true;
};

const ids = (items: readonly { id: string }[]) => items.map((item) => item.id);

for (const backend of testStores()) {
  describe(`store contract on ${backend.name}`, () => {
    let store: Store;
    let close: () => Promise<void>;
    let orgCount = 0;
    /** This test's organization, and another one that must never see A's rows. */
    let A: string;
    let B: string;

    before(async () => {
      ({ store, close } = await backend.open());
    });
    after(async () => {
      await close();
    });
    beforeEach(async () => {
      orgCount += 1;
      A = `org-${orgCount}-a`;
      B = `org-${orgCount}-b`;
      await store.insertOrg(orgRecord(A, { createdAt: T0 + orgCount * 10 }));
      await store.insertOrg(orgRecord(B, { createdAt: T0 + orgCount * 10 + 1 }));
    });

    describe('orgs', () => {
      test('getOrg returns what insertOrg stored, undefined for an unknown id', async () => {
        assert.deepEqual(await store.getOrg(A), orgRecord(A, { createdAt: T0 + orgCount * 10 }));
        assert.equal(await store.getOrg('no-such-org'), undefined);
      });

      test('listOrgs pages in id order after afterId', async () => {
        const c = `${A}-c`;
        const d = `${A}-d`;
        await store.insertOrg(orgRecord(d, { createdAt: T0 - 2 }));
        await store.insertOrg(orgRecord(c, { createdAt: T0 - 1 }));
        const all: string[] = [];
        for (let afterId: string | undefined; ; ) {
          const page = await store.listOrgs({ ...(afterId !== undefined ? { afterId } : {}), limit: 2 });
          assert.ok(page.length <= 2);
          if (page.length === 0) break;
          all.push(...ids(page));
          afterId = page.at(-1)?.id;
        }
        // Every organization once; the order is the database's own order of ids, which the
        // keyset compares in too (PostgreSQL's collation may differ from a JavaScript sort).
        assert.deepEqual(all.filter((id) => [A, B, c, d].includes(id)).sort(), [A, B, c, d].sort());
        assert.equal(new Set(all).size, all.length, 'no organization on two pages');
      });

      test('updateOrg replaces every field but the id', async () => {
        const changed = orgRecord(A, {
          name: 'Renamed',
          scimEnabled: false,
          deleteMode: 'erase',
          createdAt: 5,
          updatedAt: T0 + 99,
        });
        await store.updateOrg(changed);
        assert.deepEqual(await store.getOrg(A), changed);
      });

      test('insertOrg with a taken id throws UniqueViolation("orgId")', async () => {
        await assert.rejects(store.insertOrg(orgRecord(A)), uniqueViolation('orgId'));
      });
    });

    describe('tokens', () => {
      test('findTokenWithOrg and findTokenById return the stored token (and its organization)', async () => {
        const token = tokenRecord(A, `${A}-t1`, { label: 'Entra', expiresAt: T0 + 86_400_000 });
        await store.insertToken(token);
        assert.deepEqual(await store.findTokenWithOrg(token.tokenHash), { token, org: await store.getOrg(A) });
        assert.deepEqual(await store.findTokenById(token.id), token);
        assert.equal(await store.findTokenWithOrg('hash-unknown'), undefined);
        assert.equal(await store.findTokenById('unknown'), undefined);
      });

      test('a token hash is unique across organizations', async () => {
        await store.insertToken(tokenRecord(A, `${A}-t1`, { tokenHash: `same-${A}` }));
        await assert.rejects(
          store.insertToken(tokenRecord(B, `${B}-t1`, { tokenHash: `same-${A}` })),
          uniqueViolation('tokenHash'),
        );
      });

      test('listTokens orders by createdAt, then id, and lists only the organization', async () => {
        const t1 = tokenRecord(A, `${A}-t1`, { createdAt: T0 + 2 });
        const t2 = tokenRecord(A, `${A}-t2`, { createdAt: T0 + 1 });
        const t3 = tokenRecord(A, `${A}-t3`, { createdAt: T0 + 2 });
        for (const t of [t3, t1, t2, tokenRecord(B, `${B}-t1`)]) await store.insertToken(t);
        assert.deepEqual(await store.listTokens(A), [t2, t1, t3]);
      });

      test('revokeToken sets revokedAt once; a second revocation keeps the first time', async () => {
        const token = tokenRecord(A, `${A}-t1`);
        await store.insertToken(token);
        await store.revokeToken(A, token.id, T0 + 10);
        await store.revokeToken(A, token.id, T0 + 20);
        assert.deepEqual(await store.findTokenById(token.id), { ...token, revokedAt: T0 + 10 });
      });

      test('touchToken records the latest use', async () => {
        const token = tokenRecord(A, `${A}-t1`);
        await store.insertToken(token);
        await store.touchToken(A, token.id, T0 + 10);
        assert.deepEqual(await store.findTokenById(token.id), { ...token, lastUsedAt: T0 + 10 });
        await store.touchToken(A, token.id, T0 + 20);
        assert.deepEqual(await store.findTokenById(token.id), { ...token, lastUsedAt: T0 + 20 });
      });
    });

    describe('users', () => {
      test('getUser returns the stored record, non-ASCII text, e-mails and the enterprise extension intact', async () => {
        const doc: ResourceDoc = {
          userName: 'Zoë.Ångström@例え.jp',
          externalId: 'ext-Ω',
          name: { givenName: 'Zoë', familyName: 'Ångström', formatted: 'Zoë Ångström' },
          displayName: 'Zoë Å. 🚀',
          title: 'Größte "Chefin" \\ 100%',
          active: true,
          emails: [
            { value: 'Zoe@Example.com', type: 'work', primary: true },
            { value: 'zoë@home.example', type: 'home' },
          ],
          [ENTERPRISE_USER_SCHEMA_ID]: { employeeNumber: '0042', department: 'F&E', manager: { value: 'u-boss' } },
        };
        const user = userRecord(A, 'u-1', 'Zoë.Ångström@例え.jp', {
          externalId: 'ext-Ω',
          scimManaged: false,
          doc,
          version: 7,
          createdAt: T0 + 1,
          updatedAt: T0 + 2,
        });
        await store.insertUser(user);
        assert.deepEqual(await store.getUser(A, 'u-1'), user);
        assert.deepEqual(await store.getUser(A, 'u-1', { lock: true }), user);
        assert.equal(await store.getUser(A, 'u-2'), undefined);
      });

      const userNameClashes: [string, string, string][] = [
        ['ASCII case', 'bjensen@example.com', 'BJensen@Example.COM'],
        ['non-ASCII case', 'Änne', 'änne'],
        ['decomposed vs precomposed é (NFC)', 'Ren\u00e9', 'Rene\u0301'],
        ['decomposed upper vs precomposed lower', 'RENE\u0301', 'ren\u00e9'],
      ];
      for (const [name, first, second] of userNameClashes) {
        test(`insertUser throws UniqueViolation("userName") on a clash: ${name}`, async () => {
          await store.insertUser(userRecord(A, 'u-1', first));
          await assert.rejects(store.insertUser(userRecord(A, 'u-2', second)), uniqueViolation('userName'));
          assert.equal(await store.getUser(A, 'u-2'), undefined);
          // userName is unique per organization only.
          await store.insertUser(userRecord(B, 'u-2', second));
        });
      }

      test('insertUser throws UniqueViolation("externalId") on an exact externalId clash only', async () => {
        await store.insertUser(userRecord(A, 'u-1', 'one', { externalId: 'Ext-1' }));
        await assert.rejects(
          store.insertUser(userRecord(A, 'u-2', 'two', { externalId: 'Ext-1' })),
          uniqueViolation('externalId'),
        );
        // externalId is caseExact (RFC 7643 §3.1): another case is another value.
        await store.insertUser(userRecord(A, 'u-3', 'three', { externalId: 'ext-1' }));
        await store.insertUser(userRecord(B, 'u-4', 'four', { externalId: 'Ext-1' }));
      });

      test('any number of users may have no externalId', async () => {
        await store.insertUser(userRecord(A, 'u-1', 'one'));
        await store.insertUser(userRecord(A, 'u-2', 'two'));
        assert.deepEqual(ids((await store.listUsers(A, everything)).items), ['u-1', 'u-2']);
      });

      test('updateUser writes the new record and its e-mails when the version matches', async () => {
        const old = userRecord(A, 'u-1', 'one', {
          doc: { userName: 'one', emails: [{ value: 'old@x.com', type: 'work' }] },
        });
        await store.insertUser(old);
        const next = userRecord(A, 'u-1', 'One.Renamed', {
          externalId: 'e1',
          active: false,
          doc: { userName: 'One.Renamed', emails: [{ value: 'new@x.com', type: 'work' }] },
          version: 2,
          updatedAt: T0 + 5,
        });
        await store.updateUser(next, 1);
        assert.deepEqual(await store.getUser(A, 'u-1'), next);
        assert.deepEqual(await store.findUsersByUserNameOrWorkEmail(A, 'nobody', ['old@x.com']), []);
        assert.deepEqual(await store.findUsersByUserNameOrWorkEmail(A, 'nobody', ['new@x.com']), [next]);
      });

      test('updateUser with a stale expectedVersion throws ConcurrentUpdate and changes nothing', async () => {
        const user = userRecord(A, 'u-1', 'one', {
          version: 3,
          doc: { userName: 'one', emails: [{ value: 'a@x.com' }] },
        });
        await store.insertUser(user);
        const next = userRecord(A, 'u-1', 'changed', { version: 4, doc: { userName: 'changed' } });
        await assert.rejects(store.updateUser(next, 2), concurrentUpdate);
        assert.deepEqual(await store.getUser(A, 'u-1'), user);
        assert.deepEqual(await store.findUsersByUserNameOrWorkEmail(A, 'nobody', ['a@x.com']), [user]);
      });

      test('updateUser onto a taken userName throws UniqueViolation("userName") and changes nothing', async () => {
        const one = userRecord(A, 'u-1', 'one');
        await store.insertUser(one);
        await store.insertUser(userRecord(A, 'u-2', 'two'));
        await assert.rejects(
          store.updateUser(userRecord(A, 'u-1', 'TWO', { version: 2 }), 1),
          uniqueViolation('userName'),
        );
        assert.deepEqual(await store.getUser(A, 'u-1'), one);
      });

      test('deleteUser removes the user once', async () => {
        await store.insertUser(
          userRecord(A, 'u-1', 'one', { doc: { userName: 'one', emails: [{ value: 'a@x.com' }] } }),
        );
        assert.equal(await store.deleteUser(A, 'u-1'), true);
        assert.equal(await store.getUser(A, 'u-1'), undefined);
        assert.equal(await store.deleteUser(A, 'u-1'), false);
        // The name is free again.
        await store.insertUser(userRecord(A, 'u-2', 'one'));
      });

      test('findUsersByUserNameOrWorkEmail matches userName or an e-mail value, ignoring case, oldest first', async () => {
        const bjensen = userRecord(A, 'u-1', 'bjensen@example.com', { createdAt: T0 + 1 });
        const babs = userRecord(A, 'u-2', 'babs', {
          createdAt: T0 + 2,
          doc: { userName: 'babs', emails: [{ value: 'Babs@Example.COM', type: 'work' }] },
        });
        // An invited user's address may sit in an e-mail of any type (users-table.ts).
        const home = userRecord(A, 'u-3', 'home', {
          createdAt: T0 + 3,
          doc: { userName: 'home', emails: [{ value: 'Ä@Home.example', type: 'home' }] },
        });
        for (const u of [home, babs, bjensen]) await store.insertUser(u);
        const cases: [string, readonly string[], UserRecord[]][] = [
          ['BJENSEN@EXAMPLE.COM', [], [bjensen]],
          ['nobody', ['babs@example.com'], [babs]],
          ['nobody', ['BJensen@example.com'], [bjensen]],
          ['nobody', ['ä@home.EXAMPLE'], [home]],
          ['BABS', ['bjensen@example.com', 'ä@home.example'], [bjensen, babs, home]],
          ['nobody', ['nobody@example.com'], []],
        ];
        for (const [userName, emails, expected] of cases) {
          assert.deepEqual(
            await store.findUsersByUserNameOrWorkEmail(A, userName, emails),
            expected,
            `${userName} ${emails}`,
          );
        }
      });
    });

    describe('org isolation', () => {
      test("another organization reads nothing of A's and changes nothing of A's", async () => {
        const user = userRecord(A, 'u-1', 'shared@example.com', {
          externalId: 'ext-1',
          doc: { userName: 'shared@example.com', emails: [{ value: 'shared@example.com', type: 'work' }] },
        });
        const team = teamRecord(A, 't-1', 'Team');
        const token = tokenRecord(A, `${A}-t1`);
        await store.insertUser(user);
        await store.insertTeam(team);
        await store.addMembers(A, 't-1', ['u-1'], T0);
        await store.insertToken(token);
        await store.appendLogs([logRecord(A, 1, { resourceId: 'u-1' })]);
        await store.events.append(eventRecord(A, 1));

        assert.equal(await store.getUser(B, 'u-1'), undefined);
        assert.deepEqual(await store.listUsers(B, everything), { items: [], total: 0, docChars: 0 });
        assert.deepEqual(
          await store.listUsers(B, { ...everything, filter: usersWhere('userName eq "shared@example.com"') }),
          {
            items: [],
            total: 0,
            docChars: 0,
          },
        );
        assert.deepEqual(
          await store.findUsersByUserNameOrWorkEmail(B, 'shared@example.com', ['shared@example.com']),
          [],
        );
        assert.equal(await store.getTeam(B, 't-1'), undefined);
        assert.deepEqual(await store.listTeams(B, everything), { items: [], total: 0, docChars: 0 });
        assert.deepEqual(await store.existingUserIds(B, ['u-1']), new Set());
        assert.deepEqual(await store.memberIds(B, 't-1'), []);
        assert.deepEqual(await store.pageMembers(B, 't-1', undefined, 10), []);
        assert.deepEqual(await store.teamsOfUsers(B, ['u-1']), new Map());
        assert.deepEqual(await store.listTokens(B), []);
        assert.deepEqual(await store.queryLog(B, { limit: 10 }), []);
        assert.deepEqual(await store.queryLog(B, { limit: 10, resourceId: 'u-1' }), []);
        assert.deepEqual(await store.events.list(B, 0, 10), []);
        assert.equal(await store.events.lastCursor(B), 0);

        assert.equal(await store.deleteUser(B, 'u-1'), false);
        assert.equal(await store.deleteTeam(B, 't-1'), false);
        assert.deepEqual(await store.removeMembers(B, 't-1', ['u-1']), []);
        assert.deepEqual(await store.removeAllMembers(B, 't-1'), []);
        await store.revokeToken(B, token.id, T0 + 1);
        await store.touchToken(B, token.id, T0 + 1);
        await assert.rejects(store.updateUser({ ...user, orgId: B, version: 2 }, 1), concurrentUpdate);
        await assert.rejects(store.updateTeam({ ...team, orgId: B, version: 2 }, 1), concurrentUpdate);

        assert.deepEqual(await store.getUser(A, 'u-1'), user);
        assert.deepEqual(await store.getTeam(A, 't-1'), team);
        assert.deepEqual(await store.memberIds(A, 't-1'), ['u-1']);
        assert.deepEqual(await store.findTokenById(token.id), token);
      });
    });

    describe('listUsers', () => {
      // displayName values chosen so that case folding, byte order and ties all matter:
      // folded byte order is "a" < "b" = "B" < "z" < "ä" (0xC3 0xA4), absent ones go last.
      const names: [string, string | undefined][] = [
        ['u-1', 'b'],
        ['u-2', undefined],
        ['u-3', 'Ä'],
        ['u-4', 'z'],
        ['u-5', 'B'],
        ['u-6', 'a'],
        ['u-7', undefined],
      ];
      beforeEach(async () => {
        for (const [id, displayName] of names) {
          await store.insertUser(namedUser(A, id, `user-${id}`, displayName, { createdAt: T0 + Number(id.slice(2)) }));
        }
        await store.insertUser(namedUser(B, 'u-0', 'other', 'a'));
      });

      const cases: [string, Omit<RowsQuery, 'filter'>, string[], number][] = [
        [
          'no sortBy: id order',
          { sortOrder: 'ascending', offset: 0, limit: 100 },
          ['u-1', 'u-2', 'u-3', 'u-4', 'u-5', 'u-6', 'u-7'],
          7,
        ],
        ['offset and limit', { sortOrder: 'ascending', offset: 2, limit: 3 }, ['u-3', 'u-4', 'u-5'], 7],
        ['offset past the end', { sortOrder: 'ascending', offset: 7, limit: 3 }, [], 7],
        ['limit 0 still counts', { sortOrder: 'ascending', offset: 0, limit: 0 }, [], 7],
        [
          'sortBy displayName ascending: folded byte order, ties by id, absent last',
          { sortBy: usersSortedBy({ attr: 'displayName' }), sortOrder: 'ascending', offset: 0, limit: 100 },
          ['u-6', 'u-1', 'u-5', 'u-4', 'u-3', 'u-2', 'u-7'],
          7,
        ],
        [
          'sortBy displayName descending: ties by id descending, absent still last',
          { sortBy: usersSortedBy({ attr: 'displayName' }), sortOrder: 'descending', offset: 0, limit: 100 },
          ['u-3', 'u-4', 'u-5', 'u-1', 'u-6', 'u-7', 'u-2'],
          7,
        ],
        [
          'sortBy pages continue the same order',
          { sortBy: usersSortedBy({ attr: 'DISPLAYNAME' }), sortOrder: 'ascending', offset: 3, limit: 3 },
          ['u-4', 'u-3', 'u-2'],
          7,
        ],
      ];
      for (const [name, query, expected, total] of cases) {
        test(name, async () => {
          const page = await store.listUsers(A, query);
          assert.deepEqual({ ids: ids(page.items), total: page.total }, { ids: expected, total });
        });
      }

      // Regression: sorting wrapped every column in collate "C", which PostgreSQL rejects on bigint.
      test('sortBy meta.created descending', async () => {
        const page = await store.listUsers(A, {
          sortBy: usersSortedBy({ attr: 'meta', sub: 'created' }),
          sortOrder: 'descending',
          offset: 0,
          limit: 3,
        });
        assert.deepEqual({ ids: ids(page.items), total: page.total }, { ids: ['u-7', 'u-6', 'u-5'], total: 7 });
      });

      test('total counts the filter matches, not the page', async () => {
        const page = await store.listUsers(A, {
          filter: usersWhere('displayName pr'),
          sortOrder: 'ascending',
          offset: 1,
          limit: 2,
        });
        assert.deepEqual({ ids: ids(page.items), total: page.total }, { ids: ['u-3', 'u-4'], total: 5 });
      });

      test('a checked sortBy the store keeps no column for is NotSortable, whether or not rows match', async () => {
        // emails.value resolves (the core accepts it) but users are sorted by columns only.
        const sortBy = usersSortedBy({ attr: 'emails', sub: 'value' });
        for (const query of [
          { ...everything, sortBy },
          { ...everything, sortBy, filter: usersWhere('userName eq "nobody@example.com"') },
          { ...everything, sortBy, limit: 0 },
        ]) {
          await assert.rejects(store.listUsers(B, query), (error: unknown) => {
            assert.ok(error instanceof NotSortable, String(error));
            assert.deepEqual([error.resourceType, error.path], ['User', 'emails.value']);
            return true;
          });
        }
      });
    });

    describe('LIKE wildcards in filter values', () => {
      const userNames = ['a%b', 'axb', 'a_b', 'a\\b', 'ab', '%', '_', '\\', 'a%'];
      beforeEach(async () => {
        for (const [i, userName] of userNames.entries()) {
          await store.insertUser(userRecord(A, `u-${i}`, userName, { externalId: `X${userName}` }));
        }
      });
      // Filter texts are SCIM JSON strings: "\\" is one backslash.
      const cases: [string, string[]][] = [
        ['userName co "%"', ['a%b', '%', 'a%']],
        ['userName co "_"', ['a_b', '_']],
        ['userName co "\\\\"', ['a\\b', '\\']],
        ['userName co "a\\\\b"', ['a\\b']],
        ['userName sw "a%"', ['a%b', 'a%']],
        ['userName ew "%b"', ['a%b']],
        ['userName ew "_b"', ['a_b']],
        ['userName sw "\\\\"', ['\\']],
        ['userName ew "%"', ['%', 'a%']],
        ['externalId co "%"', ['a%b', '%', 'a%']],
        ['externalId sw "X_"', ['_']],
        ['externalId ew "\\\\b"', ['a\\b']],
        ['emails.value co "%"', []],
      ];
      for (const [filter, expected] of cases) {
        test(filter, async () => {
          const page = await store.listUsers(A, { ...everything, filter: usersWhere(filter) });
          assert.deepEqual(page.items.map((u) => u.userName).sort(), [...expected].sort());
        });
      }
    });

    describe('teams', () => {
      test('insertTeam, getTeam, updateTeam and deleteTeam', async () => {
        const team = teamRecord(A, 't-1', 'Ünits & Co', {
          externalId: 'g-1',
          doc: { displayName: 'Ünits & Co', externalId: 'g-1' },
        });
        await store.insertTeam(team);
        assert.deepEqual(await store.getTeam(A, 't-1'), team);
        assert.deepEqual(await store.getTeam(A, 't-1', { lock: true }), team);

        const renamed = {
          ...team,
          displayName: 'Renamed',
          doc: { displayName: 'Renamed' },
          version: 2,
          updatedAt: T0 + 1,
        };
        await assert.rejects(store.updateTeam(renamed, 5), concurrentUpdate);
        assert.deepEqual(await store.getTeam(A, 't-1'), team);
        await store.updateTeam(renamed, 1);
        assert.deepEqual(await store.getTeam(A, 't-1'), renamed);
        // docChars: the stored document's JSON length, which list readers size their chunks by.
        assert.deepEqual(await store.listTeams(A, everything), {
          items: [renamed],
          total: 1,
          docChars: JSON.stringify(renamed.doc).length,
        });

        assert.equal(await store.deleteTeam(A, 't-1'), true);
        assert.equal(await store.getTeam(A, 't-1'), undefined);
        assert.equal(await store.deleteTeam(A, 't-1'), false);
      });

      test('insertTeam throws UniqueViolation("externalId") on a clash; teams without one are fine', async () => {
        await store.insertTeam(teamRecord(A, 't-1', 'One', { externalId: 'g-1' }));
        await assert.rejects(
          store.insertTeam(teamRecord(A, 't-2', 'Two', { externalId: 'g-1' })),
          uniqueViolation('externalId'),
        );
        await store.insertTeam(teamRecord(A, 't-3', 'Three'));
        await store.insertTeam(teamRecord(A, 't-4', 'Four'));
        await store.insertTeam(teamRecord(B, 't-5', 'Five', { externalId: 'g-1' }));
        assert.deepEqual(ids((await store.listTeams(A, everything)).items), ['t-1', 't-3', 't-4']);
      });
    });

    describe('members', () => {
      const userIds = ['u-1', 'u-2', 'u-3', 'u-4', 'u-5', 'u-6', 'u-7'];
      beforeEach(async () => {
        for (const id of userIds) {
          // Odd users have a displayName, even ones have none.
          await store.insertUser(
            namedUser(A, id, `name-${id}`, Number(id.slice(2)) % 2 === 1 ? `Display ${id}` : undefined),
          );
        }
        await store.insertTeam(teamRecord(A, 't-1', 'First'));
        await store.insertTeam(teamRecord(A, 't-2', 'Second'));
      });

      const sorted = (list: readonly string[]) => [...list].sort();

      test('addMembers returns only the newly added ids and is idempotent', async () => {
        assert.deepEqual(sorted(await store.addMembers(A, 't-1', ['u-3', 'u-1', 'u-1'], T0)), ['u-1', 'u-3']);
        assert.deepEqual(sorted(await store.addMembers(A, 't-1', ['u-1', 'u-2'], T0)), ['u-2']);
        assert.deepEqual(await store.addMembers(A, 't-1', ['u-2', 'u-3', 'u-1'], T0), []);
        assert.deepEqual(sorted(await store.memberIds(A, 't-1')), ['u-1', 'u-2', 'u-3']);
        assert.deepEqual(await store.memberIds(A, 't-2'), []);
      });

      test('removeMembers returns only the ids that were members', async () => {
        await store.addMembers(A, 't-1', ['u-1', 'u-2', 'u-3'], T0);
        assert.deepEqual(await store.removeMembers(A, 't-1', ['u-2', 'u-5', 'nobody']), ['u-2']);
        assert.deepEqual(await store.removeMembers(A, 't-1', ['u-2']), []);
        assert.deepEqual(sorted(await store.memberIds(A, 't-1')), ['u-1', 'u-3']);
      });

      test('removeAllMembers empties the team and returns who was in it', async () => {
        await store.addMembers(A, 't-1', ['u-1', 'u-3'], T0);
        await store.addMembers(A, 't-2', ['u-1'], T0);
        assert.deepEqual(sorted(await store.removeAllMembers(A, 't-1')), ['u-1', 'u-3']);
        assert.deepEqual(await store.memberIds(A, 't-1'), []);
        assert.deepEqual(await store.memberIds(A, 't-2'), ['u-1']);
        assert.deepEqual(await store.removeAllMembers(A, 't-1'), []);
      });

      test('pageMembers pages in user-id order after the last id seen', async () => {
        await store.addMembers(A, 't-1', ['u-5', 'u-2', 'u-7', 'u-1', 'u-4', 'u-6', 'u-3'], T0);
        const member = (id: string) => ({
          kind: 'user',
          userId: id,
          userName: `name-${id}`,
          displayName: Number(id.slice(2)) % 2 === 1 ? `Display ${id}` : null,
        });
        const pages = [];
        let after: string | undefined;
        for (;;) {
          const page = await store.pageMembers(A, 't-1', after, 3);
          pages.push(page);
          if (page.length < 3) break;
          const last = page[page.length - 1];
          after = last?.kind === 'user' ? last.userId : undefined;
        }
        assert.deepEqual(pages, [
          ['u-1', 'u-2', 'u-3'].map(member),
          ['u-4', 'u-5', 'u-6'].map(member),
          ['u-7'].map(member),
        ]);
        assert.deepEqual(await store.pageMembers(A, 't-1', 'u-7', 3), []);
      });

      test('teamsOfUsers answers for several users at once, in team-id order', async () => {
        await store.addMembers(A, 't-2', ['u-1', 'u-2'], T0);
        await store.addMembers(A, 't-1', ['u-1'], T0);
        assert.deepEqual(
          await store.teamsOfUsers(A, ['u-1', 'u-2', 'u-3', 'u-1']),
          new Map([
            [
              'u-1',
              [
                { teamId: 't-1', displayName: 'First', type: 'direct' },
                { teamId: 't-2', displayName: 'Second', type: 'direct' },
              ],
            ],
            ['u-2', [{ teamId: 't-2', displayName: 'Second', type: 'direct' }]],
          ]),
        );
      });

      test('existingUserIds returns the ids that are users of the organization', async () => {
        assert.deepEqual(await store.existingUserIds(A, ['u-1', 'nobody', 'u-1', 'u-7']), new Set(['u-1', 'u-7']));
        assert.deepEqual(await store.existingUserIds(A, []), new Set());
      });

      test('deleting a user removes its memberships', async () => {
        await store.addMembers(A, 't-1', ['u-1', 'u-2'], T0);
        await store.addMembers(A, 't-2', ['u-1'], T0);
        assert.equal(await store.deleteUser(A, 'u-1'), true);
        assert.deepEqual(await store.memberIds(A, 't-1'), ['u-2']);
        assert.deepEqual(await store.memberIds(A, 't-2'), []);
        assert.deepEqual(await store.teamsOfUsers(A, ['u-1']), new Map());
      });

      test('deleting a team removes its memberships and keeps its users', async () => {
        await store.addMembers(A, 't-1', ['u-1', 'u-2'], T0);
        await store.addMembers(A, 't-2', ['u-2'], T0);
        assert.equal(await store.deleteTeam(A, 't-1'), true);
        assert.deepEqual(await store.memberIds(A, 't-1'), []);
        assert.deepEqual(await store.existingUserIds(A, ['u-1', 'u-2']), new Set(['u-1', 'u-2']));
        assert.deepEqual(
          await store.teamsOfUsers(A, ['u-1', 'u-2']),
          new Map([['u-2', [{ teamId: 't-2', displayName: 'Second', type: 'direct' }]]]),
        );
      });
    });

    describe('transaction', () => {
      test('commits every write and returns the callback result', async () => {
        const result = await store.transaction(async (tx) => {
          await tx.insertUser(userRecord(A, 'u-1', 'one'));
          await tx.insertTeam(teamRecord(A, 't-1', 'Team'));
          await tx.addMembers(A, 't-1', ['u-1'], T0);
          return 'done';
        });
        assert.equal(result, 'done');
        assert.deepEqual(await store.memberIds(A, 't-1'), ['u-1']);
      });

      test('a throw inside rolls back every write made in it', async () => {
        const token = tokenRecord(A, `${A}-t1`);
        await store.insertToken(token);
        await store.insertUser(userRecord(A, 'u-0', 'zero'));
        const boom = new Error('boom');
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.insertUser(
              userRecord(A, 'u-1', 'one', { doc: { userName: 'one', emails: [{ value: 'one@x.com' }] } }),
            );
            await tx.updateUser(userRecord(A, 'u-0', 'zero-renamed', { version: 2 }), 1);
            await tx.insertTeam(teamRecord(A, 't-1', 'Team'));
            await tx.addMembers(A, 't-1', ['u-0', 'u-1'], T0);
            await tx.updateOrg(orgRecord(A, { name: 'Renamed' }));
            await tx.revokeToken(A, token.id, T0 + 1);
            await tx.appendLogs([logRecord(A, 1)]);
            await tx.events.append(eventRecord(A, 1));
            // Reads inside see the transaction's own writes.
            assert.deepEqual(await tx.memberIds(A, 't-1').then((m) => m.sort()), ['u-0', 'u-1']);
            throw boom;
          }),
          (error) => error === boom,
        );
        assert.deepEqual(ids((await store.listUsers(A, everything)).items), ['u-0']);
        assert.deepEqual(await store.getUser(A, 'u-0'), userRecord(A, 'u-0', 'zero'));
        assert.deepEqual(await store.findUsersByUserNameOrWorkEmail(A, 'one', ['one@x.com']), []);
        assert.equal(await store.getTeam(A, 't-1'), undefined);
        assert.equal((await store.getOrg(A))?.name, `Org ${A}`);
        assert.deepEqual(await store.findTokenById(token.id), token);
        assert.deepEqual(await store.queryLog(A, { limit: 10 }), []);
        assert.deepEqual(await store.events.list(A, 0, 10), []);
        assert.equal(await store.events.lastCursor(A), 0, 'a rollback takes no cursor');
      });

      test('a unique violation inside rolls back and surfaces as UniqueViolation', async () => {
        await store.insertUser(userRecord(A, 'u-0', 'taken'));
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.insertTeam(teamRecord(A, 't-1', 'Team'));
            await tx.insertUser(userRecord(A, 'u-1', 'TAKEN'));
          }),
          uniqueViolation('userName'),
        );
        assert.equal(await store.getTeam(A, 't-1'), undefined);
      });
    });

    describe('provisioning log', () => {
      const entries = (orgId: string): LogRecord[] => [
        logRecord(orgId, 1),
        logRecord(orgId, 2, { method: 'POST', status: 201, resourceId: 'u-1' }),
        logRecord(orgId, 3, {
          method: 'PATCH',
          path: '/scim/v2/Users/u-1',
          status: 400,
          resourceId: 'u-1',
          errorCode: 'invalidValue',
          errorDetail: 'Ä bad value',
        }),
        logRecord(orgId, 4, {
          path: '/scim/v2/Users/u-2',
          status: 404,
          resourceId: 'u-2',
          tokenId: null,
          userAgent: null,
        }),
        logRecord(orgId, 5, { method: 'DELETE', path: '/scim/v2/Users/u-1', status: 204, resourceId: 'u-1' }),
        logRecord(orgId, 6, {
          method: 'POST',
          path: '/scim/v2/Groups',
          status: 409,
          resourceType: 'Group',
          summary: 'dup',
        }),
      ];
      beforeEach(async () => {
        // Appended out of order: the result order comes from the ids, not from insertion.
        for (const e of [...entries(A)].reverse()) await store.appendLogs([e]);
        await store.appendLogs([logRecord(B, 7, { status: 404, resourceId: 'u-1' })]);
      });

      const cases: [string, LogQuery, number[]][] = [
        ['everything, newest first', { limit: 10 }, [6, 5, 4, 3, 2, 1]],
        ['limit', { limit: 2 }, [6, 5]],
        ['since is inclusive', { since: T0 + 4000, limit: 10 }, [6, 5, 4]],
        ['until is exclusive', { until: T0 + 3000, limit: 10 }, [2, 1]],
        ['exact status', { status: 404, limit: 10 }, [4]],
        ['status class 4xx', { status: 400, statusClass: true, limit: 10 }, [6, 4, 3]],
        ['status class 2xx and a resource', { status: 200, statusClass: true, resourceId: 'u-1', limit: 10 }, [5, 2]],
        ['resourceId', { resourceId: 'u-1', limit: 10 }, [5, 3, 2]],
        ['method, any case', { method: 'post', limit: 10 }, [6, 2]],
        ['before a log id pages backwards', { before: 'log-3', limit: 10 }, [2, 1]],
      ];
      test('pruneLog deletes entries older than the cutoff, across organizations, in bounded batches', async () => {
        // Entries 1-3 of A are older than T0 + 4000; B's one entry (7) is newer. Earlier tests'
        // organizations share the database, so only the batch bound and the result are exact.
        let calls = 0;
        for (let deleted = 2; deleted === 2; calls++) {
          deleted = await store.pruneLog(T0 + 4000, 2);
          assert.ok(deleted <= 2, `a batch deletes at most 2, deleted ${deleted}`);
        }
        assert.ok(calls >= 2, 'three old entries of A take at least two batches of 2');
        assert.equal(await store.pruneLog(T0 + 4000, 2), 0);
        const all = entries(A);
        assert.deepEqual(await store.queryLog(A, { limit: 10 }), [all[5], all[4], all[3]]);
        assert.equal((await store.queryLog(B, { limit: 10 })).length, 1);
      });

      test('a batch of any size is written whole and in order, or, when one entry is refused, not at all', async () => {
        // 150 entries go in pieces of 64, 64, 16, 4 and 2 rows (prepared-insert.ts insertPieces).
        const batch = (from: number) => Array.from({ length: 150 }, (_, i) => logRecord(A, from + i));
        await store.appendLogs(batch(100));
        const written = await store.queryLog(A, { limit: 1000 });
        // Newest first is by id, and these ids sort as text.
        const ids = [...batch(100), ...entries(A)].map((e) => e.id).sort((a, b) => (a < b ? 1 : -1));
        assert.deepEqual(
          written.map((e) => e.id),
          ids,
        );
        assert.deepEqual(
          written.find((e) => e.id === 'log-249'),
          batch(100)[149],
        );
        // Entry 120 of the next batch reuses an id already written, in its second piece: the first
        // piece must not stay behind (the batch's retry, entry by entry, would write it twice).
        const refused = batch(300);
        refused[120] = logRecord(A, 3);
        await assert.rejects(store.appendLogs(refused));
        assert.equal((await store.queryLog(A, { limit: 1000 })).length, written.length);
      });

      for (const [name, query, expected] of cases) {
        test(name, async () => {
          const all = entries(A);
          assert.deepEqual(
            await store.queryLog(A, query),
            expected.map((n) => all[n - 1]),
          );
        });
      }
    });

    describe('events', () => {
      test('events.list returns events in cursor (append) order after the cursor, up to the limit', async () => {
        const appended = [3, 1, 5, 2, 4].map((n) => eventRecord(A, n));
        for (const e of appended) await store.events.append(e);
        await store.events.append(eventRecord(B, 9));
        const events = appended.map((e, i) => ({ ...e, cursor: i + 1 }));
        assert.deepEqual(await store.events.list(A, 0, 10), events);
        assert.deepEqual(await store.events.list(A, 0, 2), events.slice(0, 2));
        assert.deepEqual(await store.events.list(A, 2, 2), events.slice(2, 4));
        assert.deepEqual(await store.events.list(A, 5, 10), []);
        assert.deepEqual(await store.events.list(B, 0, 10), [{ ...eventRecord(B, 9), cursor: 1 }]);
      });
    });
  });
}
