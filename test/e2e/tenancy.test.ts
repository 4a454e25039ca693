import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newTenant, type RunningServer, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** A token never reaches another organization's data, by any id, filter or write. */
for (const backend of testStores()) {
  describe(`tenancy on ${backend.name}`, () => {
    let server: RunningServer;
    before(async () => {
      server = await startServer(backend);
    });
    after(async () => {
      await server.close();
    });

    test('organization B cannot read, find, change or delete organization A users', async () => {
      const a = await newTenant(server.services, 'A');
      const b = await newTenant(server.services, 'B');
      const url = (p: string) => `${server.scimUrl}${p}`;
      const created = await scimRequest(url('/Users'), {
        method: 'POST',
        token: a.token,
        body: {
          schemas: [USER],
          userName: 'shared@x.com',
          externalId: 'same-ext',
          emails: [{ type: 'work', value: 'shared@x.com' }],
        },
      });
      assert.equal(created.status, 201);
      const id = created.body.id as string;

      assert.equal((await scimRequest(url(`/Users/${id}`), { token: b.token })).status, 404);
      for (const filter of [
        `id eq "${id}"`,
        'userName eq "shared@x.com"',
        'externalId eq "same-ext"',
        'userName pr',
        'emails[value co "shared"]',
        `id eq "${id}" or userName pr`,
      ]) {
        const list = await scimRequest(url(`/Users?filter=${encodeURIComponent(filter)}`), { token: b.token });
        assert.equal(list.status, 200, filter);
        assert.equal(list.body.totalResults, 0, filter);
      }
      const search = await scimRequest(url('/Users/.search'), {
        method: 'POST',
        token: b.token,
        body: { filter: 'userName pr' },
      });
      assert.equal(search.body.totalResults, 0);
      const patch = { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] };
      assert.equal(
        (await scimRequest(url(`/Users/${id}`), { method: 'PATCH', token: b.token, body: patch })).status,
        404,
      );
      assert.equal(
        (
          await scimRequest(url(`/Users/${id}`), {
            method: 'PUT',
            token: b.token,
            body: { schemas: [USER], userName: 'hijack@x.com' },
          })
        ).status,
        404,
      );
      assert.equal((await scimRequest(url(`/Users/${id}`), { method: 'DELETE', token: b.token })).status, 404);

      // The same userName and externalId are free in another organization.
      const inB = await scimRequest(url('/Users'), {
        method: 'POST',
        token: b.token,
        body: { schemas: [USER], userName: 'shared@x.com', externalId: 'same-ext' },
      });
      assert.equal(inB.status, 201);
      assert.notEqual(inB.body.id, id);

      const stillA = await scimRequest(url(`/Users/${id}`), { token: a.token });
      assert.equal(stillA.body.active, true);
      assert.equal(stillA.body.userName, 'shared@x.com');
      const logB = await server.services.log.query(b.orgId, { limit: 100 });
      assert.ok(logB.every((e) => e.orgId === b.orgId));
      assert.ok(!logB.some((e) => e.resourceId === id && e.status < 400), 'B never touched A user successfully');
    });
  });
}
