import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newTenant, type RunningServer, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/**
 * Conditional requests (RFC 7644 §3.14, RFC 7232): If-None-Match on a GET of one resource answers
 * 304 while the ETag is current, and If-Match on a write refuses with 412, changing nothing, once
 * it is not. ServiceProviderConfig advertises ETags, so clients may rely on both.
 */
for (const backend of testStores()) {
  describe(`ETags and conditional requests on ${backend.name}`, () => {
    let server: RunningServer;
    let tenant: Awaited<ReturnType<typeof newTenant>>;
    before(async () => {
      server = await startServer(backend);
      tenant = await newTenant(server.services);
    });
    after(async () => {
      await server.close();
    });

    const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      scimRequest(`${server.scimUrl}${path}`, {
        method,
        token: tenant.token,
        headers,
        ...(body !== undefined ? { body } : {}),
      });
    const createUser = async (userName: string) => {
      const res = await call('POST', '/Users', { schemas: [USER], userName, externalId: `ext-${userName}` });
      assert.equal(res.status, 201, res.text);
      return res.body as { id: string; meta: { version: string } };
    };
    const createGroup = async (displayName: string, members: string[] = []) => {
      const res = await call('POST', '/Groups', {
        schemas: [GROUP],
        displayName,
        externalId: `ext-${displayName}`,
        members: members.map((value) => ({ value })),
      });
      assert.equal(res.status, 201, res.text);
      return res.body as { id: string; meta: { version: string } };
    };
    const assertNotModified = (res: Awaited<ReturnType<typeof call>>, etag: string) => {
      assert.equal(res.status, 304, res.text);
      assert.equal(res.headers.get('etag'), etag);
      assert.equal(res.text, '', 'a 304 has no body');
    };

    test('ServiceProviderConfig advertises etag support', async () => {
      const res = await call('GET', '/ServiceProviderConfig');
      assert.equal(res.status, 200);
      assert.equal(res.body.etag.supported, true);
    });

    test('GET /Users/{id}: 304 for the current ETag, *, or a list holding it; 200 with the body otherwise', async () => {
      const user = await createUser('inm-user@x.test');
      const got = await call('GET', `/Users/${user.id}`);
      const etag = got.headers.get('etag') as string;
      assert.equal(etag, got.body.meta.version, 'the header is meta.version');
      assertNotModified(await call('GET', `/Users/${user.id}`, undefined, { 'if-none-match': etag }), etag);
      assertNotModified(await call('GET', `/Users/${user.id}`, undefined, { 'if-none-match': '*' }), etag);
      assertNotModified(
        await call('GET', `/Users/${user.id}`, undefined, { 'if-none-match': `W/"999", ${etag}` }),
        etag,
      );
      // Weak comparison: the same opaque tag sent as a strong one matches too.
      assertNotModified(
        await call('GET', `/Users/${user.id}`, undefined, { 'if-none-match': etag.replace(/^W\//, '') }),
        etag,
      );
      // Another projection of the same resource state has the same (weak) ETag.
      assertNotModified(
        await call('GET', `/Users/${user.id}?attributes=userName`, undefined, { 'if-none-match': etag }),
        etag,
      );
      for (const stale of ['W/"999"', 'garbage', '']) {
        const res = await call('GET', `/Users/${user.id}`, undefined, { 'if-none-match': stale });
        assert.equal(res.status, 200, stale);
        assert.equal(res.body.id, user.id);
        assert.equal(res.headers.get('etag'), etag);
      }
    });

    test('a user ETag changes when the user does, and when its groups do (its version does not)', async () => {
      const user = await createUser('inm-member@x.test');
      const first = (await call('GET', `/Users/${user.id}`)).headers.get('etag') as string;
      const patched = await call('PATCH', `/Users/${user.id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'replace', path: 'title', value: 'Engineer' }],
      });
      assert.equal(patched.status, 200, patched.text);
      const second = patched.headers.get('etag') as string;
      assert.notEqual(second, first);
      const old = await call('GET', `/Users/${user.id}`, undefined, { 'if-none-match': first });
      assert.equal(old.status, 200);
      assert.equal(old.body.title, 'Engineer');

      // Joining a team changes the user's `groups`, not its stored version: the ETag still moves.
      const team = await createGroup('inm-team', [user.id]);
      const joined = await call('GET', `/Users/${user.id}`, undefined, { 'if-none-match': second });
      assert.equal(joined.status, 200, 'the body the client holds lacks the new group');
      assert.deepEqual(
        joined.body.groups.map((g: { value: string }) => g.value),
        [team.id],
      );
      const third = joined.headers.get('etag') as string;
      assert.notEqual(third, second);
      assert.equal(joined.body.meta.version, third);
      assertNotModified(await call('GET', `/Users/${user.id}`, undefined, { 'if-none-match': third }), third);

      // Renaming the team renames the user's groups[].display: a new ETag again.
      const renamed = await call('PATCH', `/Groups/${team.id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'replace', path: 'displayName', value: 'inm-team renamed' }],
      });
      assert.equal(renamed.status, 204, renamed.text);
      const after = await call('GET', `/Users/${user.id}`, undefined, { 'if-none-match': third });
      assert.equal(after.status, 200);
      assert.equal(after.body.groups[0].display, 'inm-team renamed');

      // A write's If-Match compares the version: the ETag with its groups digest is current.
      const put = await call(
        'PUT',
        `/Users/${user.id}`,
        { schemas: [USER], userName: 'inm-member@x.test', externalId: 'ext-inm-member@x.test', title: 'Lead' },
        { 'if-match': after.headers.get('etag') as string },
      );
      assert.equal(put.status, 200, put.text);
    });

    test('GET /Groups/{id}: 304 while current, with or without members; a member change is a new ETag', async () => {
      const ada = await createUser('inm-ada@x.test');
      const bob = await createUser('inm-bob@x.test');
      const group = await createGroup('inm-group', [ada.id]);
      const etag = group.meta.version;
      for (const query of ['', '?excludedAttributes=members', '?attributes=displayName,members']) {
        assertNotModified(await call('GET', `/Groups/${group.id}${query}`, undefined, { 'if-none-match': etag }), etag);
      }
      const added = await call('PATCH', `/Groups/${group.id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'add', path: 'members', value: [{ value: bob.id }] }],
      });
      assert.equal(added.status, 204, added.text);
      const now = added.headers.get('etag') as string;
      assert.notEqual(now, etag);
      const res = await call('GET', `/Groups/${group.id}`, undefined, { 'if-none-match': etag });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('etag'), now);
      assert.deepEqual(res.body.members.map((m: { value: string }) => m.value).sort(), [ada.id, bob.id].sort());
    });

    test('a bad parameter or an unknown id wins over If-None-Match: 400 / 404, not 304', async () => {
      const user = await createUser('inm-bad@x.test');
      const bad = await call('GET', `/Users/${user.id}?excludedAttributes=emails[type eq "work"]`, undefined, {
        'if-none-match': '*',
      });
      assert.equal(bad.status, 400, bad.text);
      const team = await createGroup('inm-bad-team');
      const badGroup = await call('GET', `/Groups/${team.id}?excludedAttributes=members[value eq "x"]`, undefined, {
        'if-none-match': '*',
      });
      assert.equal(badGroup.status, 400, badGroup.text);
      const missing = await call('GET', '/Users/00000000-0000-7000-8000-000000000000', undefined, {
        'if-none-match': '*',
      });
      assert.equal(missing.status, 404);
      const group = await call('GET', '/Groups/00000000-0000-7000-8000-000000000000', undefined, {
        'if-none-match': '*',
      });
      assert.equal(group.status, 404);
    });

    test('a 304 is written to the provisioning log as a read', async () => {
      const user = await createUser('inm-logged@x.test');
      const res = await call('GET', `/Users/${user.id}`, undefined, { 'if-none-match': user.meta.version });
      assert.equal(res.status, 304);
      const requestId = res.headers.get('x-request-id') as string;
      const [entry] = await server.logEntries(tenant.orgId, { requestId, limit: 5 });
      assert.ok(entry, 'the 304 has its entry');
      assert.equal(entry.status, 304);
      assert.equal(entry.method, 'GET');
      assert.equal(entry.resourceId, user.id);
    });

    test('If-Match on Group PUT, PATCH and DELETE: a stale ETag is 412 with a SCIM error and changes nothing', async () => {
      const ada = await createUser('inm-gm-ada@x.test');
      const group = await createGroup('inm-guarded', [ada.id]);
      const stale = { 'if-match': 'W/"999"' };
      const put = await call('PUT', `/Groups/${group.id}`, { schemas: [GROUP], displayName: 'changed' }, stale);
      const patch = await call(
        'PATCH',
        `/Groups/${group.id}`,
        { schemas: [PATCH], Operations: [{ op: 'remove', path: 'members' }] },
        stale,
      );
      const del = await call('DELETE', `/Groups/${group.id}`, undefined, stale);
      for (const res of [put, patch, del]) {
        assert.equal(res.status, 412, res.text);
        assert.deepEqual(res.body.schemas, [ERROR]);
        assert.equal(res.body.status, '412');
        assert.match(res.headers.get('content-type') ?? '', /application\/scim\+json/);
      }
      const now = await call('GET', `/Groups/${group.id}`);
      assert.equal(now.status, 200);
      assert.equal(now.body.displayName, 'inm-guarded');
      assert.equal(now.body.meta.version, group.meta.version);
      assert.deepEqual(
        now.body.members.map((m: { value: string }) => m.value),
        [ada.id],
      );
      const ok = await call('DELETE', `/Groups/${group.id}`, undefined, { 'if-match': group.meta.version });
      assert.equal(ok.status, 204, ok.text);
    });

    test('If-Match on User PATCH and DELETE: stale is 412 and nothing changes; * applies', async () => {
      const user = await createUser('inm-guarded-user@x.test');
      const stale = { 'if-match': 'W/"999"' };
      const patch = await call(
        'PATCH',
        `/Users/${user.id}`,
        { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] },
        stale,
      );
      assert.equal(patch.status, 412, patch.text);
      assert.deepEqual(patch.body.schemas, [ERROR]);
      const del = await call('DELETE', `/Users/${user.id}`, undefined, stale);
      assert.equal(del.status, 412, del.text);
      const now = await call('GET', `/Users/${user.id}`);
      assert.equal(now.status, 200);
      assert.equal(now.body.active, true);
      assert.equal(now.body.meta.version, user.meta.version);
      const any = await call('DELETE', `/Users/${user.id}`, undefined, { 'if-match': '*' });
      assert.equal(any.status, 204, any.text);
    });
  });
}
