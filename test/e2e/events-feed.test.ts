import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EVENT_TYPES } from '../../src/services/directory-events.js';
import { runCliInProcess } from '../helpers/cli.js';
import { apiGet, type Json, readFeed } from '../helpers/feed.js';
import { TEST_OPERATOR } from '../helpers/records.js';
import { newTenant, type RunningServer, type ScimResponse, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DAY = 86_400_000;

/**
 * The event feed over real HTTP (docs/events.md): every type's shape after real SCIM requests and
 * a CLI action, gapless cursors per organization, service-key authentication, the limits, and
 * 410 once retention has cut past a consumer.
 */
for (const backend of testStores()) {
  describe(`event feed on ${backend.name}`, () => {
    let server: RunningServer;
    let key: string;

    before(async () => {
      server = await startServer(backend);
      key = (await server.services.serviceKeys.issue(TEST_OPERATOR, { label: 'tests' })).key;
    });
    after(async () => {
      await server.close();
    });

    async function tenant(name: string) {
      const t = await newTenant(server.services, name);
      const requestIds: string[] = [];
      const call = async (method: string, path: string, body?: unknown): Promise<ScimResponse> => {
        const res = await scimRequest(`${server.scimUrl}${path}`, {
          token: t.token,
          method,
          ...(body !== undefined ? { body } : {}),
        });
        requestIds.push(res.headers.get('x-request-id') ?? '');
        return res;
      };
      const ok = async (method: string, path: string, body?: unknown): Promise<Json> => {
        const res = await call(method, path, body);
        assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${res.text}`);
        return res.body;
      };
      const patch = (path: string, ...Operations: object[]) => ok('PATCH', path, { schemas: [PATCH], Operations });
      return { ...t, call, ok, patch, requestIds, last: () => requestIds[requestIds.length - 1] };
    }

    test('each type after real SCIM requests: envelope, actor, request id, the resource after the change', async () => {
      const t = await tenant('Shapes');
      const ada = await t.ok('POST', '/Users', {
        schemas: [USER],
        userName: 'ada@shapes.test',
        externalId: 'ext-ada',
        displayName: 'Ada',
        name: { givenName: 'Ada', familyName: 'Byron' },
        emails: [{ value: 'ada@shapes.test', type: 'work', primary: true }],
      });
      const expected: [string, string | undefined][] = [['user.created', t.last()]];
      const step = async (types: string[], run: () => Promise<unknown>) => {
        await run();
        for (const type of types) expected.push([type, t.last()]);
      };
      await step(['user.updated'], () =>
        t.patch(`/Users/${ada.id}`, { op: 'replace', path: 'displayName', value: 'Ada B' }),
      );
      await step(['user.deactivated'], () =>
        t.patch(`/Users/${ada.id}`, { op: 'replace', path: 'active', value: false }),
      );
      await step(['user.reactivated'], () =>
        t.patch(`/Users/${ada.id}`, { op: 'replace', path: 'active', value: true }),
      );
      let bob: Json;
      await step(['user.created'], async () => {
        bob = await t.ok('POST', '/Users', { schemas: [USER], userName: 'bob@shapes.test' });
      });
      let eng: Json;
      await step(['team.created', 'team.member_added'], async () => {
        eng = await t.ok('POST', '/Groups', { schemas: [GROUP], displayName: 'Eng', members: [{ value: ada.id }] });
      });
      let sub: Json;
      await step(['team.created'], async () => {
        sub = await t.ok('POST', '/Groups', { schemas: [GROUP], displayName: 'Sub' });
      });
      await step(['team.member_added'], () =>
        t.patch(`/Groups/${eng.id}`, { op: 'add', path: 'members', value: [{ value: sub.id, type: 'Group' }] }),
      );
      await step(['team.renamed'], () =>
        t.patch(`/Groups/${eng.id}`, { op: 'replace', path: 'displayName', value: 'Engineering' }),
      );
      await step(['team.updated'], () =>
        t.patch(`/Groups/${eng.id}`, { op: 'replace', path: 'externalId', value: 'ext-eng' }),
      );
      await step(['team.member_removed'], () =>
        t.patch(`/Groups/${eng.id}`, { op: 'remove', path: `members[value eq "${ada.id}"]` }),
      );
      await step(['team.member_removed', 'team.deleted'], () => t.ok('DELETE', `/Groups/${sub.id}`));
      await step(['team.member_added'], () =>
        t.patch(`/Groups/${eng.id}`, { op: 'add', path: 'members', value: [{ value: bob.id }] }),
      );
      await step(['team.member_removed', 'user.deleted'], () => t.ok('DELETE', `/Users/${bob.id}`));

      const events = await readFeed(server.origin, t.orgId, key);
      assert.deepEqual(
        events.map((e) => [e.type, e.requestId]),
        expected,
      );
      assert.deepEqual(new Set(events.map((e) => e.type)), new Set(EVENT_TYPES), 'every type is emitted');
      assert.deepEqual(
        events.map((e) => e.cursor),
        events.map((_, i) => i + 1),
      );
      for (const e of events) {
        assert.match(e.id, UUID_V7);
        assert.equal(e.version, 1);
        assert.equal(e.orgId, t.orgId);
        assert.equal(new Date(e.occurredAt).toISOString(), e.occurredAt);
        assert.deepEqual(e.actor, { kind: 'token', tokenId: t.tokenId });
      }
      assert.equal(new Set(events.map((e) => e.id)).size, events.length);

      const [created, updated, deactivated] = events;
      assert.deepEqual(created.data, {
        user: {
          id: ada.id,
          userName: 'ada@shapes.test',
          externalId: 'ext-ada',
          active: true,
          displayName: 'Ada',
          name: { givenName: 'Ada', familyName: 'Byron' },
          emails: [{ value: 'ada@shapes.test', type: 'work', primary: true }],
          managedBy: 'idp',
          deletedAt: null,
          createdAt: ada.meta.created,
          updatedAt: ada.meta.lastModified,
        },
      });
      assert.deepEqual(updated.data.changed, ['displayName']);
      assert.equal(updated.data.user.displayName, 'Ada B');
      assert.deepEqual([deactivated.data.user.active, deactivated.data.changed], [false, ['active']]);

      const byType = (type: string) => events.filter((e) => e.type === type);
      assert.deepEqual(byType('team.created')[0].data, { team: { id: eng.id, displayName: 'Eng', externalId: null } });
      assert.deepEqual(byType('team.member_added')[0].data.member, {
        type: 'user',
        id: ada.id,
        userName: 'ada@shapes.test',
      });
      assert.deepEqual(byType('team.member_added')[1].data.member, { type: 'team', id: sub.id, displayName: 'Sub' });
      assert.deepEqual(byType('team.renamed')[0].data, {
        team: { id: eng.id, displayName: 'Engineering', externalId: null },
        previousDisplayName: 'Eng',
      });
      assert.deepEqual(byType('team.updated')[0].data.team, {
        id: eng.id,
        displayName: 'Engineering',
        externalId: 'ext-eng',
      });
      const nestedGone = byType('team.member_removed')[1];
      assert.deepEqual(nestedGone.data, {
        team: { id: eng.id, displayName: 'Engineering', externalId: 'ext-eng' },
        member: { type: 'team', id: sub.id, displayName: 'Sub' },
      });
      assert.deepEqual(byType('team.deleted')[0].data.team, { id: sub.id, displayName: 'Sub', externalId: null });
      const deleted = byType('user.deleted')[0];
      assert.equal(deleted.data.account, 'retained');
      assert.equal(deleted.data.user.active, false);
      assert.equal(deleted.data.user.managedBy, 'parallel');
      assert.ok(deleted.data.user.deletedAt);
    });

    test('a CLI invite is user.created managed by Parallel, actor cli; the IdP create that links it is user.updated', async () => {
      const t = await tenant('Invites');
      const cli = await runCliInProcess(server.databaseUrl, [
        'user',
        'add',
        '--org',
        t.orgId,
        '--email',
        'cleo@inv.test',
      ]);
      assert.equal(cli.code, 0, cli.stderr);
      const linked = await t.ok('POST', '/Users', {
        schemas: [USER],
        userName: 'cleo@inv.test',
        externalId: 'ext-cleo',
      });
      const [invited, link] = await readFeed(server.origin, t.orgId, key);
      assert.equal(invited.type, 'user.created');
      assert.equal(invited.actor.kind, 'cli');
      assert.match(invited.requestId, UUID_V7, 'the command run names its request');
      assert.equal(invited.data.user.managedBy, 'parallel');
      assert.equal(link.type, 'user.updated');
      assert.equal(link.data.linked, true);
      assert.equal(link.data.user.id, linked.id);
      assert.equal(link.data.user.managedBy, 'idp');
      assert.equal(link.requestId, t.last());
    });

    test('a refused or rolled-back request leaves no event and no cursor gap', async () => {
      const t = await tenant('Failures');
      await t.ok('POST', '/Users', { schemas: [USER], userName: 'dup@f.test' });
      assert.equal((await t.call('POST', '/Users', { schemas: [USER], userName: 'DUP@f.test' })).status, 409);
      const team = await t.ok('POST', '/Groups', { schemas: [GROUP], displayName: 'T' });
      const bad = await t.call('PATCH', `/Groups/${team.id}`, {
        schemas: [PATCH],
        Operations: [
          { op: 'replace', path: 'displayName', value: 'Renamed' },
          { op: 'add', path: 'members', value: [{ value: 'no-such-user' }] },
        ],
      });
      assert.equal(bad.status, 400, bad.text);
      await t.ok('POST', '/Users', { schemas: [USER], userName: 'next@f.test' });
      const events = await readFeed(server.origin, t.orgId, key);
      assert.deepEqual(
        events.map((e) => [e.cursor, e.type]),
        [
          [1, 'user.created'],
          [2, 'team.created'],
          [3, 'user.created'],
        ],
      );
    });

    test('organizations have their own cursors, and no feed shows another organization', async () => {
      const a = await tenant('Iso A');
      const b = await tenant('Iso B');
      await a.ok('POST', '/Users', { schemas: [USER], userName: 'x@a.test' });
      await b.ok('POST', '/Users', { schemas: [USER], userName: 'x@b.test' });
      await a.ok('POST', '/Users', { schemas: [USER], userName: 'y@a.test' });
      const fa = await readFeed(server.origin, a.orgId, key);
      const fb = await readFeed(server.origin, b.orgId, key);
      assert.deepEqual(
        fa.map((e) => [e.cursor, e.data.user.userName]),
        [
          [1, 'x@a.test'],
          [2, 'y@a.test'],
        ],
      );
      assert.deepEqual(
        fb.map((e) => [e.cursor, e.orgId]),
        [[1, b.orgId]],
      );
    });

    test('bad parameters are 400 naming them, an unknown organization 404, and limit is capped at 1000', async () => {
      const t = await tenant('Params');
      const ask = (query: Record<string, string | number>) => apiGet(server.origin, 'events', query, key);
      for (const [query, code] of [
        [{}, 'events.org'],
        [{ org: t.orgId, after: 'x' }, 'events.after'],
        [{ org: t.orgId, after: -1 }, 'events.after'],
        [{ org: t.orgId, limit: 0 }, 'events.limit'],
        [{ org: t.orgId, limit: '1.5' }, 'events.limit'],
        [{ org: t.orgId, after: 5 }, 'events.cursorAhead'],
      ] as const) {
        const res = await ask(query);
        assert.equal(res.status, 400, `${JSON.stringify(query)}: ${res.text}`);
        assert.equal(res.body.code, code);
        assert.equal(res.body.status, '400');
        assert.ok(res.body.detail);
      }
      const unknown = await ask({ org: 'no-such-org' });
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.code, 'org.notFound');

      await server.store.transaction(async (tx) => {
        for (let i = 0; i < 1100; i++) {
          await tx.events.append({
            orgId: t.orgId,
            id: `bulk-${String(i).padStart(5, '0')}`,
            at: Date.now(),
            type: 'user.updated',
            version: 1,
            resourceId: 'u',
            actor: { kind: 'cli' },
            requestId: null,
            data: { n: i },
          });
        }
      });
      const first = await ask({ org: t.orgId, limit: 5000 });
      assert.equal(first.status, 200);
      assert.match(first.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(first.headers.get('cache-control'), 'no-store');
      assert.equal(first.body.events.length, 1000);
      assert.deepEqual([first.body.next, first.body.hasMore], [1000, true]);
      const rest = await ask({ org: t.orgId, after: first.body.next });
      assert.equal(rest.body.events.length, 100, 'the default limit');
      const tail = await ask({ org: t.orgId, after: 1100 });
      assert.deepEqual([tail.body.events, tail.body.next, tail.body.hasMore], [[], 1100, false]);
    });

    test('after retention pruned past a cursor, the feed answers 410 events.cursorExpired', async () => {
      const t = await tenant('Retention');
      const old = Date.now() - 40 * DAY;
      for (let i = 0; i < 3; i++) {
        await server.store.events.append({
          orgId: t.orgId,
          id: `old-${i}`,
          at: old + i,
          type: 'user.updated',
          version: 1,
          resourceId: 'u',
          actor: { kind: 'cli' },
          requestId: null,
          data: {},
        });
      }
      await t.ok('POST', '/Users', { schemas: [USER], userName: 'kept@r.test' });
      assert.ok((await server.services.eventsFeed.prune(30 * DAY)) >= 3);
      const expired = await apiGet(server.origin, 'events', { org: t.orgId, after: 0 }, key);
      assert.equal(expired.status, 410, expired.text);
      assert.equal(expired.body.code, 'events.cursorExpired');
      const kept = await readFeed(server.origin, t.orgId, key, 3);
      assert.deepEqual(
        kept.map((e) => [e.cursor, e.type]),
        [[4, 'user.created']],
      );
    });
  });
}
