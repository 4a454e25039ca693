import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { newTenant, type RunningServer, scimRequest, startServer } from '../helpers/start-server.js';
import { type TestStore, testStores } from '../helpers/stores.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/**
 * A create whose headers and first bytes are sent while the rest of its body waits for
 * `finish()`: the request holds its organization's slot all that time.
 */
function heldCreate(port: number, token: string, userName: string) {
  const body = JSON.stringify({ schemas: [USER], userName });
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    text += chunk;
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.once('error', () => undefined);
  socket.write(
    `POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/scim+json\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 5)}`,
  );
  return {
    /** Sends the rest of the body; resolves to the response status. */
    async finish(): Promise<number> {
      // No half-close: Node aborts a request whose client ends its side before the answer.
      socket.write(body.slice(5));
      await closed;
      return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
    },
    destroy: () => socket.destroy(),
  };
}

/** Tracks a request's outcome without awaiting it. */
function track<T>(promise: Promise<T>): { readonly settled: boolean; readonly done: Promise<T> } {
  const state = { settled: false, done: promise };
  void promise.then(
    () => {
      state.settled = true;
    },
    () => {
      state.settled = true;
    },
  );
  return state;
}

const METRICS_TOKEN = 'fairness-metrics-token-0123';

/** Waits until the service's own gauge says `value` (what an operator's dashboard would show). */
async function untilGauge(server: RunningServer, name: string, value: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const res = await scimRequest(`${server.origin}/metrics`, { token: METRICS_TOKEN });
    const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(res.text);
    if (Number(match?.[1]) === value) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`${name} never reached ${value}`);
}

/** One organization's load queues behind itself, never in front of another organization. */
for (const backend of testStores()) {
  describe(`tenant bulkhead on ${backend.name}`, () => {
    let server: RunningServer;
    let port: number;
    let noisy: { token: string; orgId: string };
    let quiet: { token: string };
    before(async () => {
      server = await startServer(backend, {
        config: { tenantLimit: { concurrency: 1, maxQueue: 2, maxWaitMs: 30_000 }, metricsToken: METRICS_TOKEN },
      });
      port = Number(new URL(server.origin).port);
      noisy = await newTenant(server.services, 'Noisy');
      quiet = await newTenant(server.services, 'Quiet');
    });
    after(async () => {
      await server.close();
    });

    test("a tenant's requests wait behind its own, over the queue bound get 429, the others are served", async () => {
      const holder = heldCreate(port, noisy.token, 'holder@contoso.com');
      try {
        await untilGauge(server, 'scim_tenant_running_requests', 1);
        // Three more arrive while the slot is held: whatever their order, two wait in the
        // queue and the third is refused at once.
        const three = [1, 2, 3].map(() =>
          track(scimRequest(`${server.scimUrl}/Users?count=1`, { token: noisy.token })),
        );
        const refused = await Promise.race(three.map((t) => t.done));
        const waiting = three.filter((t) => !t.settled);
        assert.equal(waiting.length, 2, 'two wait for the slot');
        assert.equal(refused.status, 429, refused.text);
        assert.equal(refused.headers.get('retry-after'), '30');
        assert.deepEqual(refused.body, {
          schemas: [ERROR],
          status: '429',
          detail:
            'This organization already has 1 requests running and 2 waiting; retry after 30 s or send fewer requests at once',
        });
        await untilGauge(server, 'scim_tenant_queued_requests', 2);
        // Meanwhile another organization is served at once, again and again.
        for (let i = 0; i < 5; i++) {
          const res = await scimRequest(`${server.scimUrl}/Users?filter=userName%20eq%20%22x%22`, {
            token: quiet.token,
          });
          assert.equal(res.status, 200);
        }
        assert.ok(
          waiting.every((w) => !w.settled),
          "the noisy organization's own requests are still waiting",
        );
        assert.equal(await holder.finish(), 201);
        for (const w of waiting) assert.equal((await w.done).status, 200);
      } finally {
        holder.destroy();
      }
      const log = await server.services.log.query(noisy.orgId, { status: 429, limit: 10 });
      assert.deepEqual(
        log.map((e) => e.errorCode),
        ['tenant.queueFull'],
        'the refusal is in the provisioning log',
      );
    });

    test('a request that waits past TENANT_QUEUE_TIMEOUT_MS is refused with 429; a client that leaves frees its place', async () => {
      const strict = await startServer(backend, {
        databaseUrl: server.databaseUrl,
        config: { tenantLimit: { concurrency: 1, maxQueue: 5, maxWaitMs: 300 }, metricsToken: METRICS_TOKEN },
      });
      const holder = heldCreate(Number(new URL(strict.origin).port), noisy.token, 'holder2@contoso.com');
      try {
        await untilGauge(strict, 'scim_tenant_running_requests', 1);
        const late = await scimRequest(`${strict.scimUrl}/Users?count=1`, { token: noisy.token });
        assert.equal(late.status, 429);
        assert.match(late.body.detail, /kept this one waiting over 300 ms/);
        // A waiting client that disconnects leaves the queue at once.
        const controller = new AbortController();
        const gone = fetch(`${strict.scimUrl}/Users?count=1`, {
          headers: { authorization: `Bearer ${noisy.token}` },
          signal: controller.signal,
        }).catch(() => 'aborted');
        await untilGauge(strict, 'scim_tenant_queued_requests', 1);
        controller.abort();
        assert.equal(await gone, 'aborted');
        await untilGauge(strict, 'scim_tenant_queued_requests', 0);
        assert.equal(await holder.finish(), 201);
      } finally {
        holder.destroy();
        await strict.close();
      }
    });
  });
}

/** PostgreSQL: statement and pool bounds, triggered deterministically by a held row lock. */
const postgres: TestStore | undefined = testStores().find((s) => s.name === 'postgres');
if (postgres) {
  describe('database bounds on postgres', () => {
    test('a statement past the timeout answers 503 with Retry-After, changes nothing, and works after', async () => {
      const server = await startServer(postgres, { pool: { statementTimeoutMs: 400 } });
      try {
        const a = await newTenant(server.services, 'Locked');
        const b = await newTenant(server.services, 'Other');
        const user = await create(server, a.token, 'locked@contoso.com');
        const lock = await lockUser(server.databaseUrl, user);
        let patched: Awaited<ReturnType<typeof scimRequest>>;
        try {
          const pending = deactivate(server, a.token, user);
          // Another organization is answered while the first waits on the lock.
          assert.equal((await scimRequest(`${server.scimUrl}/Users`, { token: b.token })).status, 200);
          patched = await pending;
        } finally {
          await lock.release();
        }
        assert.equal(patched.status, 503, patched.text);
        assert.equal(patched.headers.get('retry-after'), '10');
        assert.equal(patched.body.schemas[0], ERROR);
        assert.match(patched.body.detail, /more database time than one request may take; nothing was changed/);
        const after = await scimRequest(`${server.scimUrl}/Users/${user}`, { token: a.token });
        assert.equal(after.body.active, true, 'the refused PATCH changed nothing');
        assert.equal((await deactivate(server, a.token, user)).status, 200);
        const log = await server.services.log.query(a.orgId, { status: 503, limit: 5 });
        assert.equal(log[0]?.errorCode, 'db.statementTimeout');
      } finally {
        await server.close();
      }
    });

    test('one organization cannot hold the whole pool: its requests queue, another is served', async () => {
      const server = await startServer(postgres, {
        pool: { poolSize: 3, statementTimeoutMs: 20_000, acquireTimeoutMs: 20_000 },
        config: { tenantLimit: { concurrency: 2, maxQueue: 50, maxWaitMs: 30_000 } },
      });
      try {
        const a = await newTenant(server.services, 'Hog');
        const b = await newTenant(server.services, 'Other');
        const user = await create(server, a.token, 'hog@contoso.com');
        const lock = await lockUser(server.databaseUrl, user);
        const hogs = Array.from({ length: 6 }, () => track(deactivate(server, a.token, user)));
        try {
          // Its two running requests each hold a pooled connection, blocked on the lock.
          await lock.untilWaiting(2);
          for (let i = 0; i < 3; i++) {
            assert.equal((await scimRequest(`${server.scimUrl}/Users`, { token: b.token })).status, 200);
          }
          assert.ok(
            hogs.every((h) => !h.settled),
            'all six are still waiting on the lock or their turn',
          );
        } finally {
          await lock.release();
        }
        for (const h of hogs) assert.equal((await h.done).status, 200);
      } finally {
        await server.close();
      }
    });

    test('waiting for a pooled connection is bounded: 503 with Retry-After', async () => {
      const server = await startServer(postgres, {
        pool: { poolSize: 1, statementTimeoutMs: 20_000, acquireTimeoutMs: 300 },
        config: { tenantLimit: { concurrency: 4, maxQueue: 50, maxWaitMs: 30_000 } },
      });
      try {
        const a = await newTenant(server.services, 'Starved');
        const user = await create(server, a.token, 'starved@contoso.com');
        const lock = await lockUser(server.databaseUrl, user);
        let second: Awaited<ReturnType<typeof scimRequest>>;
        const first = deactivate(server, a.token, user);
        try {
          // The first request holds the only pooled connection: the second cannot get one.
          await lock.untilWaiting(1);
          second = await scimRequest(`${server.scimUrl}/Users/${user}`, { token: a.token });
        } finally {
          await lock.release();
        }
        assert.equal(second.status, 503, second.text);
        assert.equal(second.headers.get('retry-after'), '2');
        assert.match(second.body.detail, /database is busy serving other requests/);
        assert.equal((await first).status, 200);
      } finally {
        await server.close();
      }
    });
  });
}

async function create(server: RunningServer, token: string, userName: string): Promise<string> {
  const res = await scimRequest(`${server.scimUrl}/Users`, {
    method: 'POST',
    token,
    body: { schemas: [USER], userName, active: true },
  });
  assert.equal(res.status, 201, res.text);
  return res.body.id as string;
}

function deactivate(server: RunningServer, token: string, id: string) {
  return scimRequest(`${server.scimUrl}/Users/${id}`, {
    method: 'PATCH',
    token,
    body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] },
  });
}

/** Holds the user's row lock from outside the service, as a long transaction of another app would. */
async function lockUser(
  databaseUrl: string,
  userId: string,
): Promise<{ untilWaiting(count: number): Promise<void>; release(): Promise<void> }> {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema');
  url.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query(`set search_path = ${schema}`);
  await client.query('begin');
  await client.query('select id from users where id = $1 for update', [userId]);
  const holder = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid;
  // A separate connection asks: this one is inside the transaction that holds the lock.
  const observer = new pg.Client({ connectionString: url.toString() });
  await observer.connect();
  return {
    /**
     * Until `count` connections wait on this lock: the requests that hold them are then known to
     * be in the database, however loaded the machine (instead of a sleep that hopes so).
     */
    async untilWaiting(count: number) {
      for (let i = 0; i < 1500; i++) {
        // Blocked by the holder or, queued behind another waiter for the same row, by that one.
        const { rows } = await observer.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
            where datname = current_database() and pid <> $1 and cardinality(pg_blocking_pids(pid)) > 0`,
          [holder],
        );
        if ((rows[0]?.n ?? 0) >= count) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      const { rows } = await observer.query(
        'select pid, state, wait_event_type, wait_event, pg_blocking_pids(pid) as blockers, left(query, 80) as query from pg_stat_activity where datname = current_database()',
      );
      assert.fail(`${count} connections never waited on the lock: ${JSON.stringify(rows)}`);
    },
    async release() {
      await observer.end();
      await client.query('rollback');
      await client.end();
    },
  };
}
