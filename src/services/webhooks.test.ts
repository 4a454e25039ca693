import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_OPERATOR } from '../../test/helpers/records.js';
import { testStores } from '../../test/helpers/stores.js';
import { ScimError } from '../scim/scim-error.js';
import { createServices, type Services } from './index.js';

const rejects = (status: number, code: string) => (e: unknown) =>
  e instanceof ScimError && e.status === status && e.code === code;

/** Bad input to support's webhook use cases gets a clear error and changes nothing. */
for (const backend of testStores()) {
  describe(`webhook use cases on ${backend.name}`, () => {
    let db: Awaited<ReturnType<typeof backend.open>>;
    let services: Services;
    before(async () => {
      db = await backend.open();
      services = createServices(db.store);
    });
    after(async () => {
      await db.close();
    });

    test('a refused add stores no webhook and no audit entry', async () => {
      const org = await services.organizations.create(TEST_OPERATOR, 'Refused');
      await assert.rejects(
        services.webhooks.add(TEST_OPERATOR, { url: 'gopher://x.test/', orgId: org.id }),
        rejects(400, 'webhook.url'),
      );
      await assert.rejects(
        services.webhooks.add(TEST_OPERATOR, { url: 'https://x.test/', orgId: 'no-such-org' }),
        rejects(404, 'org.notFound'),
      );
      await assert.rejects(
        services.webhooks.add(TEST_OPERATOR, { url: 'https://x.test/', orgId: org.id, description: 'd'.repeat(201) }),
        rejects(400, 'webhook.description'),
      );
      assert.deepEqual(await services.webhooks.list({ orgId: org.id }), []);
      const trail = await services.auditTrail.list({ orgId: org.id, limit: 10 });
      assert.equal(trail.filter((e) => e.action.startsWith('webhook.')).length, 0);
    });

    test('a refused rotation keeps the secret; unknown ids are 404; limits are checked', async () => {
      const org = await services.organizations.create(TEST_OPERATOR, 'Rotation');
      const added = await services.webhooks.add(TEST_OPERATOR, { url: 'https://x.test/', orgId: org.id });
      for (const graceMs of [-1, 31 * 86_400_000, 1.5]) {
        await assert.rejects(
          services.webhooks.rotateSecret(TEST_OPERATOR, added.webhook.id, { graceMs }),
          rejects(400, 'webhook.grace'),
        );
      }
      assert.equal((await db.store.webhooks.get(added.webhook.id))?.secret, added.secret);
      for (const limit of [0, 501, 2.5]) {
        await assert.rejects(services.webhooks.deliveries(added.webhook.id, { limit }), rejects(400, 'webhook.limit'));
      }
      await assert.rejects(services.webhooks.enable(TEST_OPERATOR, 'nope'), rejects(404, 'webhook.notFound'));
      await assert.rejects(services.webhooks.test(TEST_OPERATOR, 'nope'), rejects(404, 'webhook.notFound'));
      await assert.rejects(services.webhooks.remove(TEST_OPERATOR, 'nope'), rejects(404, 'webhook.notFound'));
      const [listed] = await services.webhooks.list({ orgId: org.id });
      assert.equal(JSON.stringify(listed).includes(added.secret), false, 'a list never carries the secret');
      assert.deepEqual([listed?.state, listed?.backlog, listed?.organizations.length], ['enabled', 0, 1]);
    });
  });
}
