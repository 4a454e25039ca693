import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { deleteModeOf } from '../../src/store/store.js';
import { TEST_OPERATOR } from '../helpers/records.js';
import { newTenant, type RunningServer, type ScimResponse, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

// biome-ignore lint/suspicious/noExplicitAny: responses are asserted field by field
type Json = any;

/**
 * RFC 7644 §3.6: after DELETE every operation on the id is 404, the resource is omitted from every
 * query, and it takes no part in uniqueness. What happens to the Parallel account is the
 * organization's setting: `retain` keeps it (deactivated, unlinked, out of its teams) for a later
 * create of the same person to link back; `erase` removes it.
 */
for (const backend of testStores()) {
  describe(`DELETE per RFC 7644 §3.6 on ${backend.name}`, () => {
    let server: RunningServer;

    before(async () => {
      server = await startServer(backend);
    });
    after(async () => {
      await server.close();
    });

    async function tenant(mode: 'retain' | 'erase' | 'deactivate' | 'remove') {
      const t = await newTenant(server.services, `delete-${mode}`);
      const parsed = deleteModeOf(mode);
      assert.ok(parsed);
      await server.services.organizations.update(TEST_OPERATOR, t.orgId, { deleteMode: parsed });
      const call = (method: string, path: string, body?: unknown): Promise<ScimResponse> =>
        scimRequest(`${server.scimUrl}${path}`, { token: t.token, method, ...(body !== undefined ? { body } : {}) });
      return { ...t, call };
    }

    const person = (userName: string, externalId: string, email = userName) => ({
      schemas: [USER],
      userName,
      externalId,
      name: { givenName: 'Ada', familyName: 'Byron' },
      emails: [{ value: email, type: 'work', primary: true }],
    });

    async function created(res: ScimResponse): Promise<Json> {
      assert.equal(res.status, 201, res.text);
      return res.body;
    }

    /** Every way SCIM can reach a user: none may see a deleted one. */
    async function assertGone(call: Awaited<ReturnType<typeof tenant>>['call'], user: Json) {
      assert.equal((await call('GET', `/Users/${user.id}`)).status, 404);
      assert.equal((await call('PUT', `/Users/${user.id}`, person(user.userName, 'x'))).status, 404);
      const patch = { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: true }] };
      assert.equal((await call('PATCH', `/Users/${user.id}`, patch)).status, 404);
      assert.equal((await call('DELETE', `/Users/${user.id}`)).status, 404);
      for (const filter of [
        `userName eq "${user.userName}"`,
        `externalId eq "${user.externalId}"`,
        `emails[type eq "work"].value eq "${user.emails[0].value}"`,
        `id eq "${user.id}"`,
      ]) {
        const list = await call('GET', `/Users?filter=${encodeURIComponent(filter)}`);
        assert.equal(list.status, 200);
        assert.equal(list.body.totalResults, 0, filter);
      }
      const all = await call('GET', '/Users?count=1000');
      assert.ok(!all.body.Resources.some((r: Json) => r.id === user.id), 'absent from the unfiltered list');
      const search = await call('POST', '/.search', { schemas: [SEARCH], filter: `userName eq "${user.userName}"` });
      assert.equal(search.status, 200, search.text);
      assert.equal(search.body.totalResults, 0, 'absent from root search');
      const usersSearch = await call('POST', '/Users/.search', { schemas: [SEARCH], count: 1000 });
      assert.ok(!usersSearch.body.Resources.some((r: Json) => r.id === user.id), 'absent from /Users/.search');
    }

    test('retain (the default): gone for SCIM, account kept deactivated and unlinked, re-create links it back with its history', async () => {
      const { orgId, call } = await tenant('retain');
      const ada = await created(await call('POST', '/Users', person('ada@retain.test', 'ext-ada')));
      const team = await created(
        await call('POST', '/Groups', { schemas: [GROUP], displayName: 'Analysts', members: [{ value: ada.id }] }),
      );

      assert.equal((await call('DELETE', `/Users/${ada.id}`)).status, 204);
      await assertGone(call, ada);
      const group = await call('GET', `/Groups/${team.id}`);
      assert.deepEqual(group.body.members ?? [], [], 'a deleted user holds no team');
      assert.notEqual(group.body.meta.version, team.meta.version, "the team's member list changed: a new ETag");

      // The account behind it: kept, deactivated, unlinked, marked for support.
      const kept = await server.store.getUser(orgId, ada.id, { withDeleted: true });
      assert.ok(kept?.deletedAt, 'the account is retained with the time the IdP deleted it');
      assert.equal(kept.active, false);
      assert.equal(kept.externalId, null);
      assert.equal(kept.scimManaged, false);
      assert.equal(kept.doc.userName, 'ada@retain.test', 'its data stays');
      const admin = await server.services.users.listForAdmin(orgId);
      assert.ok(admin.items.some((u) => u.id === ada.id && u.deletedAt));

      // Not in conflict calculation: another user takes the externalId, and a live user may take
      // the userName by rename while the account is retained.
      const other = await created(await call('POST', '/Users', person('other@retain.test', 'ext-ada')));
      assert.notEqual(other.id, ada.id);
      assert.equal((await call('DELETE', `/Users/${other.id}`)).status, 204);

      // The IdP creates the person again (a new object, new externalId): the account comes back.
      const again = await created(await call('POST', '/Users', person('ADA@retain.test', 'ext-ada-2')));
      assert.equal(again.id, ada.id, 'linked back: one account, one history');
      assert.equal(again.externalId, 'ext-ada-2');
      assert.equal(again.active, true);
      assert.equal((await call('GET', `/Users/${ada.id}`)).status, 200);
      const found = await call('GET', `/Users?filter=${encodeURIComponent('externalId eq "ext-ada-2"')}`);
      assert.deepEqual(
        found.body.Resources.map((r: Json) => r.id),
        [ada.id],
      );

      // The history under the one id: created, removed from the team, deleted, linked back.
      const events = await server.store.events.list(orgId, 0, 1000);
      const mine = events.filter((e) => e.resourceId === ada.id).map((e) => e.type);
      assert.deepEqual(mine, ['user.created', 'user.deleted', 'user.reactivated']);
      const deleted = events.find((e) => e.resourceId === ada.id && e.type === 'user.deleted');
      assert.deepEqual(
        [(deleted?.data as Json | undefined)?.account, (deleted?.data as Json | undefined)?.previousExternalId],
        ['retained', 'ext-ada'],
      );
      const linked = events.find((e) => e.resourceId === ada.id && e.type === 'user.reactivated');
      assert.equal((linked?.data as Json | undefined)?.linked, true);
      assert.ok(
        events.some(
          (e) => e.type === 'team.member_removed' && e.resourceId === team.id && (e.data as Json).member.id === ada.id,
        ),
      );
      const log = await server.logEntries(orgId, { resourceId: ada.id, limit: 100 });
      const summaries = log.map((l) => `${l.method} ${l.status} ${l.summary}`);
      assert.ok(
        summaries.some((s) => /^DELETE 204 deleted by the IdP, account retained/.test(s)),
        summaries.join('\n'),
      );
      assert.ok(
        summaries.some((s) => /^POST 201 linked account the IdP deleted at/.test(s)),
        summaries.join('\n'),
      );
    });

    test('retain: a re-create that matches by work e-mail (another userName) links back too', async () => {
      const { call } = await tenant('retain');
      const kim = await created(await call('POST', '/Users', person('kim@old.test', 'k-1', 'kim@work.test')));
      assert.equal((await call('DELETE', `/Users/${kim.id}`)).status, 204);
      const again = await created(await call('POST', '/Users', person('kim.upn@new.test', 'k-2', 'Kim@Work.test')));
      assert.equal(again.id, kim.id);
      assert.equal(again.userName, 'kim.upn@new.test');
    });

    test('retain: a live user renamed to a retained userName is not a conflict; the re-create then is', async () => {
      const { call } = await tenant('retain');
      const first = await created(await call('POST', '/Users', person('sam@x.test', 's-1')));
      const second = await created(await call('POST', '/Users', person('sam2@x.test', 's-2')));
      assert.equal((await call('DELETE', `/Users/${first.id}`)).status, 204);
      const rename = await call('PATCH', `/Users/${second.id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'replace', path: 'userName', value: 'SAM@x.test' }],
      });
      assert.equal(rename.status, 200, rename.text);
      // The name now belongs to a live user: the deleted person cannot take it back.
      const clash = await call('POST', '/Users', person('sam@x.test', 's-3'));
      assert.equal(clash.status, 409, clash.text);
      assert.equal(clash.body.scimType, 'uniqueness');
      assert.equal((await call('GET', `/Users/${first.id}`)).status, 404, 'the refused create changed nothing');
    });

    for (const mode of ['erase', 'remove'] as const) {
      test(`${mode}${mode === 'remove' ? ' (the old name of erase)' : ''}: the account and its memberships are removed; a re-create is a new account`, async () => {
        const { orgId, call } = await tenant(mode);
        const lee = await created(await call('POST', '/Users', person('lee@erase.test', 'l-1')));
        const team = await created(
          await call('POST', '/Groups', { schemas: [GROUP], displayName: 'Ops', members: [{ value: lee.id }] }),
        );
        assert.equal((await call('DELETE', `/Users/${lee.id}`)).status, 204);
        await assertGone(call, lee);
        assert.equal(await server.store.getUser(orgId, lee.id, { withDeleted: true }), undefined);
        assert.deepEqual((await call('GET', `/Groups/${team.id}`)).body.members ?? [], []);
        const again = await created(await call('POST', '/Users', person('lee@erase.test', 'l-1')));
        assert.notEqual(again.id, lee.id);
        const events = await server.store.events.list(orgId, 0, 1000);
        const deleted = events.find((e) => e.resourceId === lee.id && e.type === 'user.deleted');
        assert.equal((deleted?.data as Json | undefined)?.account, 'erased');
      });
    }

    test('deactivate (the old name of retain) behaves as retain', async () => {
      const { orgId, call } = await tenant('deactivate');
      const org = await server.services.organizations.get(orgId);
      assert.equal(org.deleteMode, 'retain');
      const user = await created(await call('POST', '/Users', person('old@name.test', 'o-1')));
      assert.equal((await call('DELETE', `/Users/${user.id}`)).status, 204);
      assert.equal((await call('GET', `/Users/${user.id}`)).status, 404);
      assert.ok((await server.store.getUser(orgId, user.id, { withDeleted: true }))?.deletedAt);
    });

    test('DELETE with a stale If-Match is 412 and deletes nothing', async () => {
      const { token, call } = await tenant('retain');
      const user = await created(await call('POST', '/Users', person('etag@x.test', 'e-1')));
      const res = await scimRequest(`${server.scimUrl}/Users/${user.id}`, {
        method: 'DELETE',
        token,
        headers: { 'if-match': 'W/"999"' },
      });
      assert.equal(res.status, 412, res.text);
      assert.equal((await call('GET', `/Users/${user.id}`)).status, 200);
    });

    test('Groups: gone for every operation and query; displayName and externalId free again', async () => {
      const { call } = await tenant('retain');
      const team = await created(
        await call('POST', '/Groups', { schemas: [GROUP], displayName: 'Platform', externalId: 'g-plat' }),
      );
      assert.equal((await call('DELETE', `/Groups/${team.id}`)).status, 204);
      assert.equal((await call('GET', `/Groups/${team.id}`)).status, 404);
      const patch = { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: 'P' }] };
      assert.equal((await call('PATCH', `/Groups/${team.id}`, patch)).status, 404);
      assert.equal(
        (await call('PUT', `/Groups/${team.id}`, { schemas: [GROUP], displayName: 'Platform' })).status,
        404,
      );
      assert.equal((await call('DELETE', `/Groups/${team.id}`)).status, 404);
      const byName = await call('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Platform"')}`);
      assert.equal(byName.body.totalResults, 0);
      const search = await call('POST', '/.search', { schemas: [SEARCH], filter: 'displayName eq "Platform"' });
      assert.equal(search.body.totalResults, 0);
      const again = await created(
        await call('POST', '/Groups', { schemas: [GROUP], displayName: 'Platform', externalId: 'g-plat' }),
      );
      assert.notEqual(again.id, team.id);
    });
  });
}
