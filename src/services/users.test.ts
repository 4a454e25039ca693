import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_OPERATOR } from '../../test/helpers/records.js';
import { testStores } from '../../test/helpers/stores.js';
import type { Audit } from './audit.js';
import { createServices, type Services } from './index.js';

/**
 * A use case knows who asks, never how the request arrived: support (CLI, console) deactivates a
 * user through the very call Entra's PATCH makes, and the log says who did it.
 */
for (const backend of testStores()) {
  describe(`Users use cases without HTTP on ${backend.name}`, () => {
    let db: Awaited<ReturnType<typeof backend.open>>;
    let services: Services;
    let now = 1_800_000_000_000;
    before(async () => {
      db = await backend.open();
      services = createServices(db.store, () => now);
    });
    after(async () => {
      await db.close();
    });

    test('support deactivates a user through the same PATCH use case an IdP calls; the log names the actor', async () => {
      const org = await services.organizations.create(TEST_OPERATOR, 'Acme');
      const audit = (actor: Audit['actor'], method: string, path: string, requestId: string): Audit => ({
        org,
        actor,
        requestId,
        userAgent: null,
        origin: { method, path, startedAt: now },
        baseUrl: 'https://scim.example/scim/v2',
      });
      const idp = audit({ kind: 'token', tokenId: 'tok-1' }, 'POST', '/scim/v2/Users', 'r-1');
      const created = await services.users.create(idp, {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'ada@acme.test',
      });
      assert.equal(created.change.logged, true);
      const id = created.result.id as string;

      now += 1000;
      const support = audit({ kind: 'cli' }, 'CLI', `user deactivate ${id}`, 'r-2');
      const done = await services.users.patch(support, id, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'active', value: false }],
      });
      assert.equal(done.result.active, false);
      assert.deepEqual(done.change, {
        resourceType: 'User',
        resourceId: id,
        summary: 'changed active true→false',
        name: 'ada@acme.test',
        externalId: null,
        logged: true,
      });

      const log = await services.log.query(org.id, { resourceId: id, limit: 10 });
      assert.deepEqual(
        log.map((e) => [e.requestId, e.method, e.tokenId, e.status]),
        [
          ['r-2', 'CLI', null, 200],
          ['r-1', 'POST', 'tok-1', 201],
        ],
      );
      const events = await db.store.events.list(org.id, 0, 10);
      assert.deepEqual(
        events.map((e) => e.type),
        ['user.created', 'user.deactivated'],
      );
    });
  });
}
