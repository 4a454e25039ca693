import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiGet, type Json, readFeed } from '../helpers/feed.js';
import { TEST_OPERATOR } from '../helpers/records.js';
import { newTenant, type RunningServer, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** What a consumer keeps of the directory: the snapshot's items, then the feed applied over them. */
class Replica {
  readonly users = new Map<string, Json>();
  readonly teams = new Map<string, Json>();
  readonly members = new Map<string, Map<string, Json>>();

  membersOf(teamId: string): Map<string, Json> {
    let m = this.members.get(teamId);
    if (!m) {
      m = new Map();
      this.members.set(teamId, m);
    }
    return m;
  }

  apply(event: Json): void {
    const { data } = event;
    switch (event.type) {
      case 'user.deleted':
        this.users.delete(data.user.id);
        return;
      case 'team.deleted':
        this.teams.delete(data.team.id);
        this.members.delete(data.team.id);
        return;
      case 'team.member_added':
        this.membersOf(data.team.id).set(data.member.id, data.member);
        return;
      case 'team.member_removed':
        this.membersOf(data.team.id).delete(data.member.id);
        return;
      default:
        if (event.type.startsWith('user.')) this.users.set(data.user.id, data.user);
        else this.teams.set(data.team.id, data.team);
    }
  }
}

/**
 * docs/events.md "Snapshot": take the cursor of the first page, page to the end, follow the feed
 * from that cursor. Changes made while the pages are read (before, on and after the page they
 * land on) must converge to what SCIM GET shows.
 */
for (const backend of testStores()) {
  describe(`snapshot and replay on ${backend.name}`, () => {
    let server: RunningServer;
    let key: string;

    before(async () => {
      server = await startServer(backend);
      key = (await server.services.serviceKeys.issue(TEST_OPERATOR)).key;
    });
    after(async () => {
      await server.close();
    });

    test('snapshot + replay of the changes made while paging equals what SCIM GET shows', async () => {
      const t = await newTenant(server.services, 'Snapshot');
      const call = async (method: string, path: string, body?: unknown): Promise<Json> => {
        const res = await scimRequest(`${server.scimUrl}${path}`, {
          token: t.token,
          method,
          ...(body !== undefined ? { body } : {}),
        });
        assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${res.text}`);
        return res.body;
      };
      const patch = (path: string, ...Operations: object[]) => call('PATCH', path, { schemas: [PATCH], Operations });
      const user = (n: string) =>
        call('POST', '/Users', { schemas: [USER], userName: `${n}@snap.test`, displayName: n });
      const users: Json[] = [];
      for (const n of ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7']) users.push(await user(n));
      const u = (i: number) => users[i].id as string;
      const inner = await call('POST', '/Groups', {
        schemas: [GROUP],
        displayName: 'Inner',
        members: [{ value: u(0) }],
      });
      const outer = await call('POST', '/Groups', {
        schemas: [GROUP],
        displayName: 'Outer',
        members: [{ value: u(1) }, { value: u(2) }, { value: u(3) }, { value: inner.id, type: 'Group' }],
      });
      const doomed = await call('POST', '/Groups', {
        schemas: [GROUP],
        displayName: 'Doomed',
        members: [{ value: u(4) }],
      });

      const replica = new Replica();
      const page = async (query: Record<string, string | number>) => {
        const res = await apiGet(server.origin, 'snapshot', { org: t.orgId, limit: 3, ...query }, key);
        return res;
      };
      // Users, with changes between the pages: to rows already read, not yet read, and new ones.
      let cursor: number | undefined;
      let after: string | undefined;
      let pageNo = 0;
      do {
        const res = await page({ resource: 'users', ...(after ? { after } : {}) });
        assert.equal(res.status, 200, res.text);
        cursor ??= res.body.cursor;
        for (const item of res.body.items) replica.users.set(item.id, item);
        after = res.body.next ?? undefined;
        pageNo += 1;
        if (pageNo === 1) {
          await patch(`/Users/${u(0)}`, { op: 'replace', path: 'displayName', value: 'u0 renamed' });
          await patch(`/Users/${u(5)}`, { op: 'replace', path: 'active', value: false });
          await call('DELETE', `/Users/${u(1)}`);
          await call('DELETE', `/Users/${u(6)}`);
          users.push(await user('u8'));
        } else if (pageNo === 2) {
          await patch(`/Groups/${outer.id}`, { op: 'replace', path: 'displayName', value: 'Outer renamed' });
          await patch(`/Groups/${inner.id}`, { op: 'add', path: 'members', value: [{ value: u(7) }] });
        }
      } while (after);
      assert.equal(typeof cursor, 'number');

      const teamIds: string[] = [];
      after = undefined;
      pageNo = 0;
      do {
        const res = await page({ resource: 'teams', ...(after ? { after } : {}) });
        assert.equal(res.status, 200, res.text);
        for (const item of res.body.items) {
          replica.teams.set(item.id, item);
          teamIds.push(item.id);
        }
        after = res.body.next ?? undefined;
        pageNo += 1;
        if (pageNo === 1)
          await call('POST', '/Groups', { schemas: [GROUP], displayName: 'Late', members: [{ value: u(2) }] });
      } while (after);

      let first = true;
      for (const teamId of teamIds) {
        after = undefined;
        do {
          const res = await page({ resource: 'members', team: teamId, ...(after ? { after } : {}) });
          if (res.status === 404) break; // deleted meanwhile: its team.deleted is in the feed
          assert.equal(res.status, 200, res.text);
          for (const item of res.body.items) replica.membersOf(teamId).set(item.id, item);
          after = res.body.next ?? undefined;
          if (first) {
            first = false;
            await patch(`/Groups/${outer.id}`, { op: 'remove', path: `members[value eq "${u(3)}"]` });
            await patch(`/Groups/${outer.id}`, { op: 'add', path: 'members', value: [{ value: u(8) }] });
            await call('DELETE', `/Groups/${doomed.id}`);
            await call('DELETE', `/Groups/${inner.id}`);
          }
        } while (after);
      }

      for (const event of await readFeed(server.origin, t.orgId, key, cursor)) replica.apply(event);

      const scimUsers = (await call('GET', '/Users?count=1000')).Resources as Json[];
      assert.deepEqual(
        [...replica.users.values()].map((x) => [x.id, x.userName, x.displayName, x.active]).sort(),
        scimUsers.map((x) => [x.id, x.userName, x.displayName, x.active]).sort(),
      );
      const scimTeams = (await call('GET', '/Groups?count=1000')).Resources as Json[];
      assert.deepEqual(
        [...replica.teams.values()].map((x) => [x.id, x.displayName, x.externalId]).sort(),
        scimTeams.map((x) => [x.id, x.displayName, x.externalId ?? null]).sort(),
      );
      for (const team of scimTeams) {
        const want = (team.members ?? []).map((m: Json) => [m.value, m.type === 'Group' ? 'team' : 'user']).sort();
        const got = [...replica.membersOf(team.id).values()].map((m) => [m.id, m.type]).sort();
        assert.deepEqual(got, want, `members of ${team.displayName}`);
      }
      assert.ok(
        scimTeams.some((x) => x.displayName === 'Late'),
        'a team created while paging arrived by the feed',
      );
    });

    test('snapshot parameters: resource, team, limit cap; unknown team 404', async () => {
      const t = await newTenant(server.services, 'Snapshot params');
      const ask = (query: Record<string, string | number>) => apiGet(server.origin, 'snapshot', query, key);
      for (const [query, code] of [
        [{ org: t.orgId }, 'snapshot.resource'],
        [{ org: t.orgId, resource: 'tokens' }, 'snapshot.resource'],
        [{ org: t.orgId, resource: 'members' }, 'snapshot.team'],
        [{ org: t.orgId, resource: 'users', team: 'x' }, 'snapshot.team'],
        [{ org: t.orgId, resource: 'users', limit: 0 }, 'snapshot.limit'],
      ] as const) {
        const res = await ask(query);
        assert.equal(res.status, 400, `${JSON.stringify(query)}: ${res.text}`);
        assert.equal(res.body.code, code);
      }
      const missing = await ask({ org: t.orgId, resource: 'members', team: 'no-such-team' });
      assert.equal(missing.status, 404);
      assert.equal(missing.body.code, 'group.notFound');
      const empty = await ask({ org: t.orgId, resource: 'users', limit: 5000 });
      assert.deepEqual(empty.body, { cursor: 0, items: [], next: null });
      assert.equal((await apiGet(server.origin, 'snapshot', { org: t.orgId, resource: 'users' }, t.token)).status, 401);
    });
  });
}
