import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../../scripts/embedded-postgres.mjs';
import { createServices, type Services } from '../../src/services/index.js';
import { heldPost } from '../helpers/held-request.js';
import { logLine } from '../helpers/log-lines.js';
import { newTenant, scimRequest } from '../helpers/start-server.js';
import { type TestStore, testStores } from '../helpers/stores.js';

const MAIN = join(import.meta.dirname, '..', '..', 'src', 'main.ts');
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const TOTAL = 120;

/**
 * The real service as its own process, as `npm start` runs it; `logs` keeps its log (info and
 * up) on a pipe, for a test that waits on a line of it.
 */
async function spawnService(databaseUrl: string, port: number, logs = false): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      LOG_LEVEL: logs ? 'info' : 'silent',
      RATE_LIMIT_REQUESTS: '0',
    },
    stdio: ['ignore', logs ? 'pipe' : 'ignore', 'ignore'],
  });
  // Read (and dropped) from the start, so that the pipe never fills and blocks the service's
  // logging; a test's logLine() sees what comes after it is called.
  child.stdout?.resume();
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('the service did not become ready');
}

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
      const port = await freePort();
      const base = `http://127.0.0.1:${port}/scim/v2`;
      let child = await spawnService(db.databaseUrl, port);
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
              child.kill('SIGKILL');
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
      if (!killed) child.kill('SIGKILL');
      assert.deepEqual(beforeTheKill, [], 'before the kill every create succeeds');
      assert.ok(killedMidSync, `the kill landed mid-sync (${answered.size} answered)`);

      child = await spawnService(db.databaseUrl, port);
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
        child.kill('SIGKILL');
      }
    });

    test('SIGTERM lets the requests in flight finish, then exits 0', async () => {
      const { token } = await newTenant(services, 'Draining');
      const port = await freePort();
      const child = await spawnService(db.databaseUrl, port, true);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const stoppedTaking = logLine(child, 'taking no new requests, waiting for those in flight');
      // Each request announces its body with `Expect: 100-continue` and holds it back: the
      // server's "100 Continue" proves the request has reached the service, so the signal below
      // lands with every one of them in flight, however loaded the machine is.
      const held = await Promise.all(
        Array.from({ length: 10 }, (_, i) => heldPost(port, '/scim/v2/Users', token, body(1000 + i))),
      );
      child.kill('SIGTERM');
      // A request that arrives once the service says it takes no more is refused (503, or the
      // port is closed), however long the signal took to get there.
      await stoppedTaking;
      const late = await scimRequest(`http://127.0.0.1:${port}/scim/v2/Users`, {
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
