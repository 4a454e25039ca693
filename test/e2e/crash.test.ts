import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createServices, type Services } from '../../src/services/index.js';
import { heldPost } from '../helpers/held-request.js';
import { spawnService } from '../helpers/service-process.js';
import { newTenant, scimRequest } from '../helpers/start-server.js';
import { type TestStore, testStores } from '../helpers/stores.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const TOTAL = 120;

const body = (i: number) => ({ schemas: [USER], userName: `crash${i}@x.com`, externalId: `crash-${i}`, active: true });

/**
 * kill -9 in the middle of an Entra initial cycle: every create that was answered 201 survives,
 * nothing is half-written, and the IdP's retries converge (201 for what was lost, 409 for what
 * was kept), with no 500.
 */
for (const backend of testStores()) {
  describe(`kill -9 during a sync on ${backend.name}`, () => {
    let db: Awaited<ReturnType<TestStore['open']>>;
    let services: Services;
    before(async () => {
      db = await backend.open();
      services = createServices(db.store);
    });
    after(async () => {
      await db.close();
    });

    test('answered creates survive, retries converge, the log matches the data', async () => {
      const { token, orgId } = await newTenant(services);
      let service = await spawnService({ databaseUrl: db.databaseUrl });
      const base = `${service.origin}/scim/v2`;
      const answered = new Map<number, string>();
      let killed = false;
      const beforeTheKill: string[] = [];
      const send = async (i: number) => {
        try {
          const res = await scimRequest(`${base}/Users`, { method: 'POST', token, body: body(i) });
          if (res.status === 201) {
            answered.set(i, res.body.id as string);
            // Half the cycle answered: the rest is in flight, however fast or loaded the machine
            // (a fixed delay before the kill could let every request finish first).
            if (!killed && answered.size >= TOTAL / 2) {
              killed = true;
              service.child.kill('SIGKILL');
            }
          } else if (!killed) beforeTheKill.push(`create ${i}: ${res.status} ${res.text}`);
        } catch (error) {
          if (!killed) beforeTheKill.push(`create ${i}: ${(error as Error).message}`);
        }
      };
      // A third of the cycle completes, then the rest is in flight when the process dies.
      let next = 0;
      while (next < TOTAL / 3) {
        await Promise.all(Array.from({ length: 8 }, () => send(next++)));
      }
      const inFlight: Promise<void>[] = [];
      while (next < TOTAL) inFlight.push(send(next++));
      await Promise.all(inFlight);
      const killedMidSync = killed && answered.size < TOTAL;
      if (!killed) service.child.kill('SIGKILL');
      assert.deepEqual(beforeTheKill, [], 'before the kill every create succeeds');
      assert.ok(killedMidSync, `the kill landed mid-sync (${answered.size} answered)`);

      // Once the killed process is gone, on the same port: the IdP knows the service at one address.
      await service.stop('SIGKILL');
      service = await spawnService({ databaseUrl: db.databaseUrl, port: service.port });
      try {
        for (const [i, id] of answered) {
          const res = await scimRequest(`${base}/Users/${id}`, { token });
          assert.equal(res.status, 200, `user ${i} was answered 201 before the kill`);
          assert.equal(res.body.externalId, `crash-${i}`);
        }
        // Entra retries everything it has no answer for; here, simply everything.
        const retries = await Promise.all(
          Array.from({ length: TOTAL }, (_, i) =>
            scimRequest(`${base}/Users`, { method: 'POST', token, body: body(i) }),
          ),
        );
        for (const [i, res] of retries.entries()) {
          assert.ok(res.status === 201 || res.status === 409, `retry ${i}: ${res.status} ${res.text}`);
          if (answered.has(i)) assert.equal(res.status, 409, `user ${i} existed already`);
        }
        const users = await db.store.listUsers(orgId, { sortOrder: 'ascending', offset: 0, limit: 1000 });
        assert.equal(users.total, TOTAL);
        // Each user's create is in the log, written in the same transaction as the user.
        const created = await services.log.query(orgId, { status: 201, limit: 1000 });
        assert.deepEqual(new Set(created.map((e) => e.resourceId)), new Set(users.items.map((u) => u.id)));
      } finally {
        await service.stop('SIGKILL');
      }
    });

    test('SIGTERM lets the requests in flight finish, then exits 0', async () => {
      const { token } = await newTenant(services, 'Draining');
      const service = await spawnService({ databaseUrl: db.databaseUrl, logs: true });
      const stoppedTaking = service.line('taking no new requests, waiting for those in flight');
      // Each request announces its body with `Expect: 100-continue` and holds it back: the
      // server's "100 Continue" proves the request has reached the service, so the signal below
      // lands with every one of them in flight, however loaded the machine is.
      const held = await Promise.all(
        Array.from({ length: 10 }, (_, i) => heldPost(service.port, '/scim/v2/Users', token, body(1000 + i))),
      );
      const exited = service.stop('SIGTERM');
      // A request that arrives once the service says it takes no more is refused (503, or the
      // port is closed), however long the signal took to get there.
      await stoppedTaking;
      const late = await scimRequest(`${service.origin}/scim/v2/Users`, {
        method: 'POST',
        token,
        body: body(2000),
      }).then(
        (res) => res.status,
        () => 'refused' as const,
      );
      const outcomes = await Promise.all(held.map((request) => request.send()));
      assert.equal(await exited, 0);
      assert.deepEqual(
        outcomes,
        held.map(() => 201),
        'every request in flight at SIGTERM completes',
      );
      assert.ok(late === 503 || late === 'refused', `a request after the signal: ${late}`);
    });
  });
}
