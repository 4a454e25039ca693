import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { T0, TEST_OPERATOR, teamRecord, userRecord } from '../../test/helpers/records.js';
import { testStores } from '../../test/helpers/stores.js';
import { PATCH_OP_SCHEMA_ID as PATCH_SCHEMA } from '../scim/patch/normalize-ops.js';
import { GROUP_SCHEMA_ID as GROUP_SCHEMA } from '../scim/schema/group-schema.js';
import { USER_SCHEMA_ID as USER_SCHEMA } from '../scim/schema/user-schema.js';
import { wasReadInNoTeam } from '../store/membership-hint.js';
import type { Store } from '../store/store.js';
import type { Audit } from './audit.js';
import { createServices, type Services } from './index.js';
import { renderUser, renderUsers } from './user-render.js';

/*
 * The membership probe of the user reads (store/sql/in-team-probe.ts, store/membership-hint.ts) on every
 * backend: a user read in no team is marked so, a user in a team directly or through nesting never
 * is, and rendering skips the walk over teams exactly for the marked ones, with the same answer.
 */

const user = (orgId: string, id: string) =>
  userRecord(orgId, id, `${id}@example.com`, { doc: { userName: `${id}@example.com` } });
const page = { sortOrder: 'ascending', offset: 0, limit: 50 } as const;
const walks = (statements: readonly string[]) => statements.filter((s) => /with recursive up/i.test(s)).length;

for (const backend of testStores()) {
  describe(`membership hint in the ${backend.name} store`, () => {
    let store: Store;
    let close: () => Promise<void>;
    let statements: string[] = [];
    let orgCount = 0;
    let A = '';
    before(async () => {
      ({ store, close } = await backend.open({ onQuery: (sql) => statements.push(sql) }));
    });
    after(async () => {
      await close();
    });
    beforeEach(async () => {
      orgCount += 1;
      A = `org-hint-${orgCount}`;
      await store.insertOrg({ id: A, name: A, scimEnabled: true, deleteMode: 'retain', createdAt: T0, updatedAt: T0 });
      // lone: in no team; direct: in t-inner; nested: in t-inner, which t-outer holds.
      for (const id of ['u-lone', 'u-direct', 'u-other']) await store.insertUser(user(A, id));
      for (const id of ['t-outer', 't-inner']) await store.insertTeam(teamRecord(A, id, `Team ${id}`));
      await store.addTeamMembers(A, 't-outer', ['t-inner'], T0);
      await store.addMembers(A, 't-inner', ['u-direct'], T0);
      // A team of another organization holding a user id that also exists in A must not count.
      const B = `${A}-b`;
      await store.insertOrg({ id: B, name: B, scimEnabled: true, deleteMode: 'retain', createdAt: T0, updatedAt: T0 });
      await store.insertUser(user(B, 'u-other'));
      await store.insertTeam(teamRecord(B, 't-b', 'Team B'));
      await store.addMembers(B, 't-b', ['u-other'], T0);
      statements = [];
    });

    test('a read by id marks a user in no team, and only such a user', async () => {
      const lone = await store.getUser(A, 'u-lone');
      const direct = await store.getUser(A, 'u-direct');
      const other = await store.getUser(A, 'u-other');
      assert.ok(lone && direct && other);
      assert.equal(wasReadInNoTeam(lone), true);
      assert.equal(wasReadInNoTeam(direct), false);
      assert.equal(wasReadInNoTeam(other), true, "another organization's team is not this user's");
      assert.ok(statements.some((s) => /exists \(select 1 from team_members m/.test(s)));
      // A write's locked read is probed too: what the write renders is in the teams the read found.
      const [locked, lockedDirect] = await store.transaction(async (tx) => [
        await tx.getUser(A, 'u-lone', { lock: true }),
        await tx.getUser(A, 'u-direct', { lock: true }),
      ]);
      assert.equal(locked && wasReadInNoTeam(locked), true);
      assert.equal(lockedDirect && wasReadInNoTeam(lockedDirect), false);
      const copy = { ...lone };
      assert.equal(wasReadInNoTeam(copy), false, 'a copy does not inherit the hint');
    });

    test('a list marks each user as its own memberships say', async () => {
      const { items } = await store.listUsers(A, page);
      const marked = Object.fromEntries(items.map((u) => [u.id, wasReadInNoTeam(u)]));
      assert.deepEqual(marked, { 'u-direct': false, 'u-lone': true, 'u-other': true });
      for (const u of items) {
        const teams = (await store.teamsOfUsers(A, [u.id])).get(u.id) ?? [];
        assert.equal(teams.length === 0, wasReadInNoTeam(u), `${u.id}: the hint agrees with the walk`);
      }
    });

    test('a read after the user joins a team is not marked', async () => {
      const before = await store.getUser(A, 'u-lone');
      await store.addMembers(A, 't-outer', ['u-lone'], T0);
      const after = await store.getUser(A, 'u-lone');
      assert.ok(before && after);
      assert.equal(wasReadInNoTeam(before), true, 'the hint is about the read that returned it');
      assert.equal(wasReadInNoTeam(after), false);
    });

    test('rendering walks the teams only of users not marked, with the same groups as without the hint', async () => {
      const audit = { org: { id: A }, baseUrl: 'https://scim.example/scim/v2' } as unknown as Audit;
      const lone = await store.getUser(A, 'u-lone');
      const direct = await store.getUser(A, 'u-direct');
      assert.ok(lone && direct);
      statements = [];
      const loneJson = await renderUser(audit, lone, store);
      assert.equal(walks(statements), 0, 'a user read in no team costs no query');
      assert.deepEqual(loneJson, await renderUser(audit, { ...lone }, store), 'the same as the walk finds');
      statements = [];
      const directJson = await renderUser(audit, direct, store);
      assert.equal(walks(statements), 1);
      assert.deepEqual(
        (directJson.groups as { value: string; type: string }[]).map((g) => `${g.value}:${g.type}`),
        ['t-inner:direct', 't-outer:indirect'],
      );
      const { items } = await store.listUsers(A, page);
      statements = [];
      const rendered = await renderUsers(audit, items, store);
      assert.equal(walks(statements), 1, 'one walk, for the one user in a team');
      const unhinted = await renderUsers(
        audit,
        items.map((u) => ({ ...u })),
        store,
      );
      assert.deepEqual(rendered, unhinted);
    });
  });
}

for (const backend of testStores()) {
  describe(`a change of a user on ${backend.name} renders the teams its locked read found`, () => {
    let db: Awaited<ReturnType<typeof backend.open>>;
    let services: Services;
    let statements: string[] = [];
    before(async () => {
      db = await backend.open({ onQuery: (sql) => statements.push(sql) });
      services = createServices(db.store, () => T0);
    });
    after(async () => {
      await db.close();
    });

    test('PATCH and PUT of a member answer its groups; of a user in no team, none, without the walk', async () => {
      const org = await services.organizations.create(TEST_OPERATOR, 'Hint Co');
      const audit = {
        org,
        actor: { kind: 'token', tokenId: 'tok-1' },
        requestId: 'r-1',
        userAgent: null,
        origin: { method: 'PATCH', path: '/scim/v2/Users', startedAt: T0 },
        baseUrl: 'https://scim.example/scim/v2',
      } as Audit;
      const create = async (userName: string) =>
        (await services.users.create(audit, { schemas: [USER_SCHEMA], userName })).result.id as string;
      const member = await create('member@hint.test');
      const lone = await create('lone@hint.test');
      const team = (await services.teams.create(audit, { schemas: [GROUP_SCHEMA], displayName: 'Hinted' })).result.team
        .id;
      await services.teams.patch(audit, team, {
        schemas: [PATCH_SCHEMA],
        Operations: [{ op: 'add', path: 'members', value: [{ value: member }] }],
      });
      const deactivate = { schemas: [PATCH_SCHEMA], Operations: [{ op: 'replace', path: 'active', value: false }] };
      statements = [];
      const patched = await services.users.patch(audit, member, deactivate);
      assert.deepEqual(
        (patched.result.groups as { value: string }[]).map((g) => g.value),
        [team],
      );
      assert.equal(walks(statements), 1);
      statements = [];
      const loneDone = await services.users.patch(audit, lone, deactivate);
      assert.equal(loneDone.result.active, false);
      assert.equal(loneDone.result.groups, undefined);
      assert.equal(walks(statements), 0, 'a user found in no team is rendered without the walk');
      const put = await services.users.replace(audit, member, { schemas: [USER_SCHEMA], userName: 'member@hint.test' });
      assert.deepEqual(
        (put.result.groups as { value: string }[]).map((g) => g.value),
        [team],
      );
    });
  });
}
