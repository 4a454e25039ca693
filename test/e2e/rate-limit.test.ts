import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newTenant, type RunningServer, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

for (const backend of testStores()) {
  describe(`rate limiting on ${backend.name}`, () => {
    const servers: RunningServer[] = [];
    before(async () => {
      const first = await startServer(backend, { rateLimit: { requests: 5, windowSeconds: 60 } });
      servers.push(first);
      if (backend.name === 'postgres') {
        servers.push(
          await startServer(backend, { rateLimit: { requests: 5, windowSeconds: 60 }, databaseUrl: first.databaseUrl }),
        );
      }
    });
    after(async () => {
      for (const server of servers.reverse()) await server.close();
    });

    test('past its budget a token gets 429 with Retry-After and a SCIM body; other tokens are unaffected', async () => {
      const first = servers[0] as RunningServer;
      const a = await newTenant(first.services, 'A');
      const b = await newTenant(first.services, 'B');
      const statuses: number[] = [];
      let refused: Awaited<ReturnType<typeof scimRequest>> | undefined;
      for (let i = 0; i < 7; i++) {
        // Alternate instances: on PostgreSQL the budget is shared through the database.
        const server = servers[i % servers.length] as RunningServer;
        const res = await scimRequest(`${server.scimUrl}/Users`, { token: a.token });
        statuses.push(res.status);
        if (res.status === 429) refused = res;
      }
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
      assert.ok(refused);
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      assert.deepEqual(refused.body.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
      assert.equal(refused.body.status, '429');
      assert.equal((await scimRequest(`${first.scimUrl}/Users`, { token: b.token })).status, 200);
      // Each instance batches its own entries (written within 50 ms): the second one's refusal
      // is in the database once its batch is, which this waits for instead of a sleep.
      for (const server of servers) await server.services.log.flush();
      const log = await first.services.log.query(a.orgId, { status: 429, limit: 10 });
      assert.equal(log.length, 2, 'refusals are in the provisioning log');
    });
  });
}
