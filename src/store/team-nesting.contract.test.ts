import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { T0, teamRecord, userRecord } from '../../test/helpers/records.js';
import { testStores } from '../../test/helpers/stores.js';
import { MAX_TEAM_NESTING_DEPTH } from '../scim/limits.js';
import type { Store } from './store.js';

/*
 * The store half of nested teams, on every backend: the team_subteams rows, the one-id-order
 * member pages, a user's direct and indirect teams, and the bounded walks behind the cycle and
 * depth checks (services/team-nesting.ts makes the decisions; these are the facts it reads).
 */

const team = (orgId: string, id: string, displayName = `Team ${id}`) => teamRecord(orgId, id, displayName);
const user = (orgId: string, id: string) =>
  userRecord(orgId, id, `${id}@example.com`, { doc: { userName: `${id}@example.com` } });

for (const backend of testStores()) {
  describe(`nested teams in the ${backend.name} store`, () => {
    let store: Store;
    let close: () => Promise<void>;
    let statements: string[] = [];
    let orgCount = 0;
    let A = '';
    let B = '';
    before(async () => {
      ({ store, close } = await backend.open({ onQuery: (sql) => statements.push(sql) }));
    });
    after(async () => {
      await close();
    });
    beforeEach(async () => {
      orgCount += 1;
      A = `org-${orgCount}-a`;
      B = `org-${orgCount}-b`;
      for (const id of [A, B]) {
        await store.insertOrg({ id, name: id, scimEnabled: true, deleteMode: 'retain', createdAt: T0, updatedAt: T0 });
      }
    });

    /** Teams `ids` of org A, each holding the next: a chain ids[0] ⊃ ids[1] ⊃ …, written as rows. */
    async function chain(ids: readonly string[]): Promise<void> {
      for (const id of ids) await store.insertTeam(team(A, id));
      for (let i = 0; i + 1 < ids.length; i++)
        await store.addTeamMembers(A, ids[i] as string, [ids[i + 1] as string], T0);
    }

    test('team members are rows: added once, removed by id, listed, and invisible to another org', async () => {
      await chain(['t-1']);
      for (const id of ['t-2', 't-3']) await store.insertTeam(team(A, id));
      assert.deepEqual((await store.addTeamMembers(A, 't-1', ['t-3', 't-2', 't-2'], T0)).sort(), ['t-2', 't-3']);
      assert.deepEqual(await store.addTeamMembers(A, 't-1', ['t-2'], T0), []);
      assert.deepEqual((await store.teamMemberIds(A, 't-1')).sort(), ['t-2', 't-3']);
      assert.deepEqual(await store.existingTeamIds(A, ['t-1', 'nobody', 't-3']), new Set(['t-1', 't-3']));
      assert.deepEqual(await store.existingTeamIds(B, ['t-1']), new Set());
      assert.deepEqual(await store.teamMemberIds(B, 't-1'), []);
      assert.deepEqual(await store.removeTeamMembers(B, 't-1', ['t-2']), []);
      assert.deepEqual(await store.removeTeamMembers(A, 't-1', ['t-2', 'nobody']), ['t-2']);
      assert.deepEqual(await store.removeAllTeamMembers(A, 't-1'), ['t-3']);
      assert.deepEqual(await store.teamMemberIds(A, 't-1'), []);
    });

    test('pageMembers pages users and teams together in one id order', async () => {
      for (const id of ['m-2', 'm-4', 'm-5']) await store.insertUser(user(A, id));
      await chain(['t-0']);
      for (const id of ['m-1', 'm-3', 'm-6']) await store.insertTeam(team(A, id, `Name ${id}`));
      await store.addMembers(A, 't-0', ['m-2', 'm-4', 'm-5'], T0);
      await store.addTeamMembers(A, 't-0', ['m-1', 'm-3', 'm-6'], T0);
      const pages: string[][] = [];
      let afterId: string | undefined;
      for (;;) {
        const page = await store.pageMembers(A, 't-0', afterId, 4);
        pages.push(page.map((m) => (m.kind === 'user' ? `user ${m.userId}` : `team ${m.teamId}`)));
        if (page.length < 4) break;
        const last = page[page.length - 1];
        afterId = last?.kind === 'user' ? last.userId : last?.teamId;
      }
      assert.deepEqual(pages, [
        ['team m-1', 'user m-2', 'team m-3', 'user m-4'],
        ['user m-5', 'team m-6'],
      ]);
      assert.deepEqual((await store.pageMembers(A, 't-0', 'm-5', 10))[0], {
        kind: 'team',
        teamId: 'm-6',
        displayName: 'Name m-6',
      });
      assert.deepEqual(await store.pageMembers(B, 't-0', undefined, 10), []);
    });

    test("a user's teams: direct, then every team above through nesting, once each, direct first", async () => {
      // top ⊃ mid ⊃ low; top ⊃ low too (a diamond); the user is in low and, directly, in top.
      await chain(['top', 'mid', 'low']);
      await store.addTeamMembers(A, 'top', ['low'], T0);
      await store.insertTeam(team(A, 'aside'));
      for (const id of ['u-1', 'u-2']) await store.insertUser(user(A, id));
      await store.addMembers(A, 'low', ['u-1'], T0);
      await store.addMembers(A, 'top', ['u-1'], T0);
      await store.addMembers(A, 'mid', ['u-2'], T0);
      statements = [];
      const teams = await store.teamsOfUsers(A, ['u-1', 'u-2', 'u-3']);
      assert.equal(statements.length, 1, `one query for the users together: ${statements.join('\n')}`);
      assert.match(statements[0] ?? '', /with recursive/i);
      assert.deepEqual(
        teams,
        new Map([
          [
            'u-1',
            [
              { teamId: 'low', displayName: 'Team low', type: 'direct' },
              { teamId: 'mid', displayName: 'Team mid', type: 'indirect' },
              { teamId: 'top', displayName: 'Team top', type: 'direct' },
            ],
          ],
          [
            'u-2',
            [
              { teamId: 'mid', displayName: 'Team mid', type: 'direct' },
              { teamId: 'top', displayName: 'Team top', type: 'indirect' },
            ],
          ],
        ]),
      );
      assert.deepEqual(await store.teamsOfUsers(B, ['u-1']), new Map());
    });

    test('checkTeamNesting reports the chains above and below, and the candidates that would close a cycle', async () => {
      // a ⊃ b ⊃ c ⊃ d; x ⊃ y (apart).
      await chain(['a', 'b', 'c', 'd']);
      await chain(['x', 'y']);
      assert.deepEqual(await store.checkTeamNesting(A, 'c', ['x']), { above: 2, below: 1, containing: new Map() });
      assert.deepEqual(await store.checkTeamNesting(A, 'y', ['d']), { above: 1, below: 0, containing: new Map() });
      assert.deepEqual(await store.checkTeamNesting(A, 'c', ['a', 'c', 'x']), {
        above: 2,
        below: 3,
        containing: new Map([
          ['a', 2],
          ['c', 0],
        ]),
      });
      assert.deepEqual(await store.teamNestingPath(A, 'a', 'c', 2), [
        { teamId: 'a', displayName: 'Team a' },
        { teamId: 'b', displayName: 'Team b' },
        { teamId: 'c', displayName: 'Team c' },
      ]);
      assert.deepEqual(await store.teamNestingPath(A, 'c', 'c', 0), [{ teamId: 'c', displayName: 'Team c' }]);
      assert.deepEqual(await store.teamNestingPath(A, 'x', 'c', 2), []);
      // Another organization's view of the same ids: nothing holds anything.
      assert.deepEqual(await store.checkTeamNesting(B, 'c', ['a']), { above: 0, below: 0, containing: new Map() });
    });

    test('every walk stops at the depth cap, even on rows no check has vetted', async () => {
      // Written straight to the store: a chain past the cap, and a cycle under it.
      const ids = Array.from({ length: MAX_TEAM_NESTING_DEPTH + 5 }, (_, i) => `c-${String(i).padStart(2, '0')}`);
      await chain(ids);
      await chain(['p', 'q']);
      await store.addTeamMembers(A, 'q', ['p'], T0);
      await store.addTeamMembers(A, 'q', [ids[0] as string], T0);
      const bottom = ids[ids.length - 1] as string;
      const check = await store.checkTeamNesting(A, bottom, ['p']);
      assert.equal(check.above, MAX_TEAM_NESTING_DEPTH);
      assert.equal(check.below, MAX_TEAM_NESTING_DEPTH);
      assert.deepEqual(check.containing, new Map());
      await store.insertUser(user(A, 'u-1'));
      await store.addMembers(A, bottom, ['u-1'], T0);
      await store.addMembers(A, 'p', ['u-1'], T0);
      const teams = (await store.teamsOfUsers(A, ['u-1'])).get('u-1') ?? [];
      const reached = new Set(teams.map((t) => t.teamId));
      assert.equal(reached.has(ids[ids.length - 1 - MAX_TEAM_NESTING_DEPTH] as string), true);
      assert.equal(reached.has(ids[ids.length - 2 - MAX_TEAM_NESTING_DEPTH] as string), false, 'one step past the cap');
      assert.equal(reached.has('q'), true);
      assert.equal(teams.filter((t) => t.teamId === 'p').length, 1);
    });

    test('deleting a team takes it out of the teams that held it and drops the teams it held', async () => {
      await chain(['top', 'mid', 'low']);
      await store.insertTeam(team(A, 'other'));
      await store.addTeamMembers(A, 'other', ['mid'], T0);
      const before = await store.getTeam(A, 'top');
      assert.deepEqual((await store.removeTeamFromParents(A, 'mid', T0 + 5)).sort(), ['other', 'top']);
      const after = await store.getTeam(A, 'top');
      assert.equal(after?.version, (before?.version ?? 0) + 1, 'a parent whose member list changed has a new version');
      assert.equal(after?.updatedAt, T0 + 5);
      assert.equal(await store.deleteTeam(A, 'mid'), true);
      assert.deepEqual(await store.teamMemberIds(A, 'top'), []);
      assert.deepEqual(await store.existingTeamIds(A, ['top', 'mid', 'low']), new Set(['top', 'low']));
      assert.deepEqual(await store.checkTeamNesting(A, 'low', ['top']), { above: 0, below: 0, containing: new Map() });
      // Without the explicit step, deleteTeam still removes both directions (the cascade).
      await chain(['r', 's', 't']);
      assert.equal(await store.deleteTeam(A, 's'), true);
      assert.deepEqual(await store.teamMemberIds(A, 'r'), []);
    });

    test('lockTeamNesting runs inside a transaction', async () => {
      await chain(['a', 'b']);
      await store.transaction(async (tx) => {
        await tx.lockTeamNesting(A);
        assert.deepEqual((await tx.checkTeamNesting(A, 'b', ['a'])).containing, new Map([['a', 1]]));
      });
    });
  });
}
