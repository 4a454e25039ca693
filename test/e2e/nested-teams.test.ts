import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { MAX_TEAM_NESTING_DEPTH } from '../../src/scim/limits.js';
import { runCliInProcess } from '../helpers/cli.js';
import { newTenant, type RunningServer, type ScimResponse, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

// biome-ignore lint/suspicious/noExplicitAny: responses are asserted field by field
type Json = any;

/**
 * RFC 7643 §4.2: a Group's members are Users or Groups. A nested team is a member in its own
 * right (rendered with type "Group", events naming it), a user's `groups` lists the teams above
 * its own as indirect, and no change may close a cycle or nest past MAX_TEAM_NESTING_DEPTH.
 */
for (const backend of testStores()) {
  describe(`nested teams on ${backend.name}`, () => {
    let server: RunningServer;
    before(async () => {
      server = await startServer(backend);
    });
    after(async () => {
      await server.close();
    });

    async function tenant() {
      const t = await newTenant(server.services);
      const call = (method: string, path: string, body?: unknown): Promise<ScimResponse> =>
        scimRequest(`${server.scimUrl}${path}`, { token: t.token, method, ...(body !== undefined ? { body } : {}) });
      const group = async (displayName: string, members: object[] = []): Promise<string> => {
        const res = await call('POST', '/Groups', { schemas: [GROUP], displayName, members });
        assert.equal(res.status, 201, res.text);
        return res.body.id;
      };
      const userId = async (userName: string): Promise<string> => {
        const res = await call('POST', '/Users', { schemas: [USER], userName });
        assert.equal(res.status, 201, res.text);
        return res.body.id;
      };
      const patch = (id: string, ...Operations: object[]) =>
        call('PATCH', `/Groups/${id}`, { schemas: [PATCH], Operations });
      const add = (id: string, ...members: object[]) => patch(id, { op: 'add', path: 'members', value: members });
      const members = async (id: string): Promise<Json[]> => {
        const res = await call('GET', `/Groups/${id}`);
        assert.equal(res.status, 200, res.text);
        return res.body.members ?? [];
      };
      const events = async (): Promise<{ type: string; resourceId: string; data: Json }[]> =>
        (await server.store.events.list(t.orgId, 0, 1000)).map((e) => ({
          type: e.type,
          resourceId: e.resourceId,
          data: e.data,
        }));
      return { ...t, call, group, userId, patch, add, members, events };
    }

    function refused(res: ScimResponse, code: RegExp | string) {
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.scimType, 'invalidValue', res.text);
      if (typeof code === 'string') assert.equal(res.body.detail, code);
      else assert.match(res.body.detail, code);
    }

    test('a team joins by type Group or by bare value, renders as a Group member, and shows in groups', async () => {
      const t = await tenant();
      const ada = await t.userId('ada@x.com');
      const bob = await t.userId('bob@x.com');
      const backend = await t.group('Backend', [{ value: ada }]);
      const frontend = await t.group('Frontend');
      // By bare value on create: the id alone says it is a team.
      const eng = await t.group('Eng', [{ value: backend }, { value: bob }]);
      // By type on PATCH, as scim2-tester and RFC 7643 §4.2 spell it.
      const typed = await t.add(eng, { value: frontend, type: 'Group', $ref: `${server.scimUrl}/Groups/${frontend}` });
      assert.equal(typed.status, 204, typed.text);

      const listed = await t.members(eng);
      const expected = [
        { value: backend, $ref: `${server.scimUrl}/Groups/${backend}`, display: 'Backend', type: 'Group' },
        { value: bob, $ref: `${server.scimUrl}/Users/${bob}`, display: 'bob@x.com', type: 'User' },
        { value: frontend, $ref: `${server.scimUrl}/Groups/${frontend}`, display: 'Frontend', type: 'Group' },
      ].sort((a, b) => (a.value < b.value ? -1 : 1));
      assert.deepEqual(listed, expected, 'users and teams in one id order');

      // Ada is in Backend, which is in Eng; a company team holds Eng and, directly, Ada.
      const company = await t.group('Company', [{ value: eng, type: 'group' }, { value: ada }]);
      const got = await t.call('GET', `/Users/${ada}`);
      const groups = [
        { value: backend, $ref: `${server.scimUrl}/Groups/${backend}`, display: 'Backend', type: 'direct' },
        { value: eng, $ref: `${server.scimUrl}/Groups/${eng}`, display: 'Eng', type: 'indirect' },
        { value: company, $ref: `${server.scimUrl}/Groups/${company}`, display: 'Company', type: 'direct' },
      ].sort((a, b) => (a.value < b.value ? -1 : 1));
      assert.deepEqual(got.body.groups, groups);
      const page = await t.call('GET', '/Users?filter=userName eq "ada@x.com"');
      assert.deepEqual(page.body.Resources[0].groups, groups, 'a list renders the same groups');

      // A nested team is a member: the events name it, never its users.
      const added = (await t.events()).filter((e) => e.type === 'team.member_added' && e.resourceId === eng);
      assert.deepEqual(
        added.map((e) => [e.data.team.id, e.data.member.type, e.data.member.id]),
        [
          [eng, 'user', bob],
          [eng, 'team', backend],
          [eng, 'team', frontend],
        ],
      );
      const shown = await server.services.teams.showForAdmin(t.orgId, eng);
      assert.deepEqual(
        shown.members.map((m) => m.kind).sort(),
        ['team', 'team', 'user'],
        'support sees each kind (CLI team show)',
      );
    });

    test('removal by value filter, replace of the list, remove of all and PUT treat teams as members', async () => {
      const t = await tenant();
      const ada = await t.userId('ada@x.com');
      const [one, two, three] = [await t.group('One'), await t.group('Two'), await t.group('Three')];
      const parent = await t.group('Parent', [{ value: one }, { value: two }, { value: ada }]);

      assert.equal((await t.patch(parent, { op: 'remove', path: `members[value eq "${one}"]` })).status, 204);
      assert.deepEqual((await t.members(parent)).map((m) => m.value).sort(), [two, ada].sort());
      // Entra legacy removal by a value array names a team the same way.
      assert.equal((await t.patch(parent, { op: 'Remove', path: 'members', value: [{ value: two }] })).status, 204);
      assert.deepEqual(
        (await t.members(parent)).map((m) => m.value),
        [ada],
      );

      const replaced = await t.patch(parent, { op: 'replace', path: 'members', value: [{ value: three }] });
      assert.equal(replaced.status, 204, replaced.text);
      assert.deepEqual(
        (await t.members(parent)).map((m) => m.value),
        [three],
      );

      const put = await t.call('PUT', `/Groups/${parent}`, {
        schemas: [GROUP],
        displayName: 'Parent',
        members: [{ value: one, type: 'Group' }, { value: ada }],
      });
      assert.equal(put.status, 200, put.text);
      assert.deepEqual(put.body.members.map((m: Json) => m.value).sort(), [one, ada].sort());

      assert.equal((await t.patch(parent, { op: 'remove', path: 'members' })).status, 204);
      assert.deepEqual(await t.members(parent), []);
      const removed = (await t.events()).filter((e) => e.type === 'team.member_removed' && e.resourceId === parent);
      assert.deepEqual(
        removed.map((e) => (e.data.member.type === 'team' ? e.data.member.id : `user ${e.data.member.id}`)),
        [one, two, `user ${ada}`, three, `user ${ada}`, one],
      );
    });

    test('a cycle is refused naming its path, and nothing changes', async () => {
      const t = await tenant();
      const backend = await t.group('Backend');
      const eng = await t.group('Eng', [{ value: backend }]);
      const was = await t.call('GET', `/Groups/${backend}`);
      const eventsBefore = (await t.events()).length;

      refused(
        await t.add(backend, { value: eng }),
        `Adding "Eng" to "Backend" would make a cycle: "Eng" (${eng}) → "Backend" (${backend}) → "Eng" (${eng}). A team cannot contain itself, directly or through other teams. Nothing was changed.`,
      );
      refused(
        await t.add(eng, { value: eng, type: 'Group' }),
        `Adding "Eng" to itself would make a cycle: "Eng" (${eng}) → "Eng" (${eng}). A team cannot contain itself, directly or through other teams. Nothing was changed.`,
      );
      // Through a third team, and with a user in the same request: the whole request is refused.
      const ops = await t.group('Ops');
      const ada = await t.userId('ada@x.com');
      assert.equal((await t.add(backend, { value: ops })).status, 204);
      const longer = await t.add(ops, { value: ada }, { value: eng });
      refused(longer, /would make a cycle: "Eng" \(.+\) → "Backend" \(.+\) → "Ops" \(.+\) → "Eng"/);
      assert.deepEqual(await t.members(ops), [], 'the user of the refused request was not added either');
      assert.deepEqual(
        (await t.members(eng)).map((m) => m.value),
        [backend],
      );
      const now = await t.call('GET', `/Groups/${backend}`);
      assert.deepEqual(
        now.body.members.map((m: Json) => m.value),
        [ops],
      );
      assert.notEqual(now.body.meta.version, was.body.meta.version, 'the accepted add changed it');
      const log = await server.logEntries(t.orgId, { resourceId: ops, limit: 10 });
      assert.deepEqual(
        log.filter((l) => l.status === 400).map((l) => l.errorCode),
        ['group.memberCycle'],
      );
      const added = (await t.events()).slice(eventsBefore).filter((e) => e.type === 'team.member_added');
      assert.deepEqual(
        added.map((e) => e.data.member.id),
        [ops],
      );
    });

    test(`nesting deeper than ${MAX_TEAM_NESTING_DEPTH} levels is refused`, async () => {
      const t = await tenant();
      // A chain of MAX steps, built bottom-up: level-0 ⊃ level-1 ⊃ … ⊃ level-MAX.
      let below = await t.group(`level-${MAX_TEAM_NESTING_DEPTH}`);
      const bottom = below;
      for (let level = MAX_TEAM_NESTING_DEPTH - 1; level >= 0; level--) {
        below = await t.group(`level-${level}`, [{ value: below, type: 'Group' }]);
      }
      const top = below;
      const extra = await t.group('extra');
      const name = `level-${MAX_TEAM_NESTING_DEPTH}`;
      refused(
        await t.add(bottom, { value: extra }),
        `Adding team "${extra}" to "${name}" would nest teams more than ${MAX_TEAM_NESTING_DEPTH} levels deep: "${name}" has ${MAX_TEAM_NESTING_DEPTH} or more levels of teams above it, and the team added has 0 levels of teams below it. Nothing was changed.`,
      );
      const over = await t.call('POST', '/Groups', {
        schemas: [GROUP],
        displayName: 'over',
        members: [{ value: top }],
      });
      refused(
        over,
        `Adding team "${top}" to "over" would nest teams more than ${MAX_TEAM_NESTING_DEPTH} levels deep: "over" has 0 levels of teams above it, and the team added has ${MAX_TEAM_NESTING_DEPTH} or more levels of teams below it. Nothing was changed.`,
      );
      const listed = await t.call('GET', '/Groups?filter=displayName eq "over"');
      assert.equal(listed.body.totalResults, 0, 'the refused create wrote no team');

      // A user at the bottom sees the whole chain above, which the cap allows.
      const ada = await t.userId('ada@x.com');
      assert.equal((await t.add(bottom, { value: ada })).status, 204);
      const groups = (await t.call('GET', `/Users/${ada}`)).body.groups as Json[];
      assert.equal(groups.length, MAX_TEAM_NESTING_DEPTH + 1);
      assert.deepEqual(
        groups.filter((g) => g.type === 'direct').map((g) => g.value),
        [bottom],
      );
    });

    test('filters see nesting: members.value names a nested team, groups.value finds indirect members', async () => {
      const t = await tenant();
      const ada = await t.userId('ada@x.com');
      const bob = await t.userId('bob@x.com');
      await t.userId('cy@x.com');
      const backend = await t.group('Backend', [{ value: ada }]);
      const eng = await t.group('Eng', [{ value: backend }, { value: bob }]);
      const org = await t.group('Org', [{ value: eng }]);
      const ids = async (path: string, filter: string) => {
        const res = await t.call('GET', `${path}?filter=${encodeURIComponent(filter)}&excludedAttributes=members`);
        assert.equal(res.status, 200, res.text);
        return res.body.Resources.map((r: Json) => r.id).sort();
      };
      // members lists direct members only (RFC 7643 §4.2): the team holding Backend is Eng.
      assert.deepEqual(await ids('/Groups', `members[value eq "${backend}"]`), [eng]);
      assert.deepEqual(await ids('/Groups', `members.value eq "${eng}"`), [org]);
      assert.deepEqual(await ids('/Groups', `members.value eq "${ada}"`), [backend]);
      assert.deepEqual(
        await ids('/Groups', `members.value eq "${ada}" or members.value eq "${eng}"`),
        [backend, org].sort(),
      );
      // groups lists direct and indirect groups (RFC 7643 §4.1.2), and its filter agrees.
      assert.deepEqual(await ids('/Users', `groups.value eq "${backend}"`), [ada]);
      assert.deepEqual(await ids('/Users', `groups.value eq "${eng}"`), [ada, bob].sort());
      assert.deepEqual(await ids('/Users', `groups[value eq "${org}"]`), [ada, bob].sort());
      assert.deepEqual(await ids('/Users', `not (groups.value eq "${org}")`).then((l: string[]) => l.length), 1);
      const search = await t.call('POST', '/.search', {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
        filter: `groups.value eq "${org}"`,
      });
      assert.equal(search.status, 200, search.text);
      assert.deepEqual(search.body.Resources.map((r: Json) => r.id).sort(), [ada, bob].sort());
    });

    test('the CLI team show lists a nested team with its kind', async () => {
      const t = await tenant();
      const ada = await t.userId('ada@x.com');
      const child = await t.group('Child');
      const parent = await t.group('Parent', [{ value: child }, { value: ada }]);
      const show = (...extra: string[]) =>
        runCliInProcess(server.databaseUrl, ['team', 'show', parent, '--org', t.orgId, ...extra]);
      const json = JSON.parse((await show('--json')).stdout);
      assert.deepEqual(
        json.members,
        [
          { kind: 'user', id: ada, userName: 'ada@x.com', displayName: null },
          { kind: 'team', id: child, displayName: 'Child' },
        ].sort((a, b) => (a.id < b.id ? -1 : 1)),
      );
      const table = (await show()).stdout;
      assert.match(table, /MEMBER ID\s+KIND\s+USERNAME\s+DISPLAY NAME/);
      assert.match(table, new RegExp(`${child}\\s+team\\s+-\\s+Child`));
      assert.match(table, new RegExp(`${ada}\\s+user\\s+ada@x\\.com`));
    });

    test('deleting a team takes it out of its parents, with an event per parent', async () => {
      const t = await tenant();
      const ada = await t.userId('ada@x.com');
      const child = await t.group('Child', [{ value: ada }]);
      const grandchild = await t.group('Grandchild');
      assert.equal((await t.add(child, { value: grandchild })).status, 204);
      const first = await t.group('First', [{ value: child }]);
      const second = await t.group('Second', [{ value: child, type: 'Group' }, { value: ada }]);

      assert.equal((await t.call('DELETE', `/Groups/${child}`)).status, 204);
      assert.deepEqual(await t.members(first), []);
      assert.deepEqual(
        (await t.members(second)).map((m) => m.value),
        [ada],
      );
      assert.equal((await t.call('GET', `/Groups/${grandchild}`)).status, 200, 'the teams it held stay');
      const groups = (await t.call('GET', `/Users/${ada}`)).body.groups as Json[];
      assert.deepEqual(
        groups.map((g) => [g.value, g.type]),
        [[second, 'direct']],
      );
      const removed = (await t.events()).filter((e) => e.type === 'team.member_removed');
      assert.deepEqual(
        removed.map((e) => [e.resourceId, e.data.member.type, e.data.member.id]).sort(),
        [
          [first, 'team', child],
          [second, 'team', child],
        ].sort(),
      );
      const log = await server.logEntries(t.orgId, { resourceId: child, method: 'DELETE', limit: 1 });
      assert.equal(log[0]?.summary, 'removed team displayName="Child"; left 2 team(s)');
    });

    test('unknown members, a type that says the other kind, and PATCH shapes POST refuses are 400', async () => {
      const t = await tenant();
      const other = await newTenant(server.services, 'Other');
      const foreign = await scimRequest(`${server.scimUrl}/Groups`, {
        method: 'POST',
        token: other.token,
        body: { schemas: [GROUP], displayName: 'Foreign' },
      });
      const ada = await t.userId('ada@x.com');
      const team = await t.group('Team');
      const nobody = '0190aaaa-0000-7000-8000-000000000000';

      refused(
        await t.add(team, { value: nobody }),
        `Member "${nobody}" is not a user or team of this organization; provision it before adding it to a team. Nothing was changed.`,
      );
      // Another organization's team is no team of this one.
      refused(
        await t.add(team, { value: foreign.body.id, type: 'Group' }),
        /is not a user or team of this organization/,
      );
      refused(
        await t.add(team, { value: team, type: 'User' }),
        `Member "${team}" has type "User" but is a team of this organization; send type "Group", or no type. Nothing was changed.`,
      );
      refused(
        await t.add(team, { value: ada, type: 'Group' }),
        `Member "${ada}" has type "Group" but is a user of this organization; send type "User", or no type. Nothing was changed.`,
      );
      refused(
        await t.patch(team, { op: 'add', path: 'members', value: ada }),
        `Operations[0]: attribute "members" must be an array (it is multi-valued, RFC 7643 §2.4), got the string "${ada}".`,
      );
      refused(
        await t.patch(team, { op: 'add', path: 'members', value: [ada] }),
        `Operations[0]: attribute "members[0]" must be an object such as {"value": "..."}, got the string "${ada}".`,
      );
      refused(await t.patch(team, { op: 'add', path: 'members', value: { value: ada } }), /must be an array/);
      // The same rule as POST, which never took a bare string either.
      refused(
        await t.call('POST', '/Groups', { schemas: [GROUP], displayName: 'Strings', members: [ada] }),
        /members\[0\]" must be an object/,
      );
      assert.deepEqual(await t.members(team), []);
    });

    test('two requests closing a cycle at once: one wins, the other is refused', async () => {
      const t = await tenant();
      const [a, b, c, d] = [await t.group('A'), await t.group('B'), await t.group('C'), await t.group('D')];
      // A⊃B and C⊃D; then B⊃C and D⊃A together would close A⊃B⊃C⊃D⊃A, though the two requests
      // touch four different teams.
      assert.equal((await t.add(a, { value: b })).status, 204);
      assert.equal((await t.add(c, { value: d })).status, 204);
      const results = await together(t.orgId, [b, d], () => [t.add(b, { value: c }), t.add(d, { value: a })]);
      assert.deepEqual(results.map((r) => r.status).sort(), [204, 400], results.map((r) => r.text).join('\n'));
      assert.match(results.find((r) => r.status === 400)?.body.detail ?? '', /would make a cycle/);

      const [x, y] = [await t.group('X'), await t.group('Y')];
      const pair = await together(t.orgId, [x, y], () => [t.add(x, { value: y }), t.add(y, { value: x })]);
      assert.deepEqual(pair.map((r) => r.status).sort(), [204, 400], pair.map((r) => r.text).join('\n'));
    });

    test('nesting one team costs the same statements in a team of 10 members and of 3,000', async () => {
      const recorded: string[] = [];
      let recording = false;
      // Not the token's lookup: whether the credential cache still trusts its entry (at most 1 s on
      // PostgreSQL) depends on the clock, not on the team's size.
      const counted = await startServer(backend, {
        onQuery: (sql) => recording && !/ from "tokens" /.test(sql) && recorded.push(sql),
      });
      try {
        const t = await newTenant(counted.services);
        const call = (method: string, path: string, body?: unknown) =>
          scimRequest(`${counted.scimUrl}${path}`, { token: t.token, method, ...(body !== undefined ? { body } : {}) });
        const now = Date.now();
        const userIds = Array.from({ length: 3000 }, (_, i) => `u-${String(i).padStart(5, '0')}`);
        const teamIds = Array.from({ length: 100 }, (_, i) => `t-${String(i).padStart(5, '0')}`);
        await counted.store.transaction(async (tx) => {
          for (const id of userIds) {
            const userName = `${id}@x.com`;
            const doc = { userName };
            await tx.insertUser({
              orgId: t.orgId,
              id,
              userName,
              externalId: null,
              active: true,
              scimManaged: true,
              doc,
              version: 1,
              createdAt: now,
              updatedAt: now,
            });
          }
          for (const id of teamIds) {
            const doc = { displayName: id };
            await tx.insertTeam({
              orgId: t.orgId,
              id,
              displayName: id,
              externalId: null,
              doc,
              version: 1,
              createdAt: now,
              updatedAt: now,
            });
          }
        });
        const team = async (name: string, users: number, teams: number) => {
          const id = (await call('POST', '/Groups', { schemas: [GROUP], displayName: name })).body.id as string;
          await counted.store.transaction(async (tx) => {
            await tx.addMembers(t.orgId, id, userIds.slice(0, users), now);
            await tx.addTeamMembers(t.orgId, id, teamIds.slice(1, 1 + teams), now);
          });
          return id;
        };
        const small = await team('Small', 10, 1);
        const big = await team('Big', 3000, 99);
        const newcomer = teamIds[0] as string;
        const measure = async (id: string, operation: object) => {
          recorded.length = 0;
          recording = true;
          const res = await call('PATCH', `/Groups/${id}`, { schemas: [PATCH], Operations: [operation] });
          recording = false;
          assert.equal(res.status, 204, res.text);
          return [...recorded];
        };
        const add = { op: 'add', path: 'members', value: [{ value: newcomer, type: 'Group' }] };
        const remove = { op: 'remove', path: `members[value eq "${newcomer}"]` };
        const addSmall = await measure(small, add);
        assert.deepEqual(await measure(big, add), addSmall);
        const removeSmall = await measure(small, remove);
        assert.deepEqual(await measure(big, remove), removeSmall);
        assert.ok(addSmall.length <= 14, addSmall.join('\n'));
        if (process.env.SHOW_SQL) console.log(addSmall.join('\n'));
        for (const sql of [...addSmall, ...removeSmall]) {
          assert.doesNotMatch(sql, /^select[\s\S]*from "team_members"/i, `no member list is read: ${sql}`);
        }
      } finally {
        await counted.close();
      }
    });

    /**
     * Starts the requests and lets them run at the same moment. On PostgreSQL another connection
     * holds the rows of the teams they change, so each request waits at its first lock and all are
     * released together; without the organization's nesting lock both would then check the
     * nesting before either commits. SQLite serializes writers, so there they simply run.
     */
    async function together(
      orgId: string,
      teamIds: readonly string[],
      start: () => Promise<ScimResponse>[],
    ): Promise<ScimResponse[]> {
      if (backend.name !== 'postgres') return Promise.all(start());
      const url = new URL(server.databaseUrl);
      const schema = url.searchParams.get('schema');
      url.searchParams.delete('schema');
      const admin = new pg.Client({ connectionString: url.toString() });
      await admin.connect();
      try {
        await admin.query(`set search_path = ${schema}`);
        await admin.query('begin');
        await admin.query('select id from teams where org_id = $1 and id = any($2) for no key update', [
          orgId,
          teamIds,
        ]);
        const running = start();
        await new Promise((resolve) => setTimeout(resolve, 300));
        await admin.query('commit');
        return await Promise.all(running);
      } finally {
        await admin.end();
      }
    }
  });
}
