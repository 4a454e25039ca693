import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createServices } from '../../src/services/index.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { TEST_OPERATOR } from '../helpers/records.js';
import { newTenant, type RunningServer, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

/**
 * Authentication is cached (services/credential-cache.ts): these are the promises that make the
 * cache safe. A change through the server's own store is seen on the very next request; on SQLite
 * a change by another process (support's CLI) is too; on PostgreSQL another instance's change is
 * seen within UNSEEN_WRITES_MAX_AGE_MS.
 */
for (const backend of testStores()) {
  describe(`authentication cache on ${backend.name}`, () => {
    let server: RunningServer;
    let now = Date.now();
    // A second store on the same database: the CLI, or another instance.
    let other: Store;
    before(async () => {
      server = await startServer(backend, { clock: () => now });
      other = await openStore(server.databaseUrl);
    });
    after(async () => {
      await other.close();
      await server.close();
    });

    const status = async (token: string) => (await scimRequest(`${server.scimUrl}/Users`, { token })).status;

    test('revoking, switching SCIM off, and rotating through this server take effect at once', async () => {
      const t = await newTenant(server.services, 'Local');
      assert.equal(await status(t.token), 200);
      await server.services.tokens.revoke(TEST_OPERATOR, t.tokenId);
      assert.equal(await status(t.token), 401);

      const u = await newTenant(server.services, 'Local plan');
      assert.equal(await status(u.token), 200);
      await server.services.organizations.update(TEST_OPERATOR, u.orgId, { scimEnabled: false });
      assert.equal(await status(u.token), 403);
      await server.services.organizations.update(TEST_OPERATOR, u.orgId, { scimEnabled: true });
      assert.equal(await status(u.token), 200);

      const v = await newTenant(server.services, 'Local rotation');
      assert.equal(await status(v.token), 200);
      await server.services.tokens.rotate(TEST_OPERATOR, v.tokenId, { graceMs: 0 });
      assert.equal(await status(v.token), 401);
    });

    test(`a revocation by another ${backend.name === 'sqlite' ? 'process' : 'instance'} has taken effect when the command returns`, async () => {
      const t = await newTenant(server.services, 'Remote');
      assert.equal(await status(t.token), 200);
      const elsewhere = createServices(other, () => now);
      // On PostgreSQL another instance's write is not seen without a round trip: the revoke
      // returns only once every cache has let go of the token (credentialChangeSettled).
      await elsewhere.tokens.revoke(TEST_OPERATOR, t.tokenId);
      assert.equal(await status(t.token), 401);
      const u = await newTenant(server.services, 'Remote plan');
      assert.equal(await status(u.token), 200);
      await elsewhere.organizations.update(TEST_OPERATOR, u.orgId, { scimEnabled: false });
      assert.equal(await status(u.token), 403);
    });

    test('an expiry is judged on every request, not when the token was cached', async () => {
      const t = await newTenant(server.services, 'Expiring');
      const issued = await server.services.tokens.issue(TEST_OPERATOR, t.orgId, { expiresInMs: 60_000 });
      assert.equal(await status(issued.token), 200);
      now += 60_000;
      assert.equal(await status(issued.token), 401);
    });

    test('unknown tokens are refused every time and never cached', async () => {
      const t = await newTenant(server.services, 'Guessing');
      for (let i = 0; i < 3; i++) assert.equal(await status(`${t.token}x`), 401);
      assert.equal(await status(t.token), 200);
    });
  });
}
