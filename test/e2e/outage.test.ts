import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { TEST_OPERATOR } from '../helpers/records.js';
import { newTenant, type RunningServer, type ScimResponse, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** A 503 the IdP backs off on: Retry-After in seconds, a SCIM error body, no internals. */
export function assertUnavailable(res: ScimResponse, what: string, code?: RegExp): void {
  assert.equal(res.status, 503, `${what}: ${res.status} ${res.text}`);
  assert.match(res.headers.get('retry-after') ?? '', /^[1-9]\d*$/, `${what}: Retry-After`);
  assert.deepEqual(res.body?.schemas, [ERROR], `${what}: SCIM error body`);
  assert.equal(res.body.status, '503');
  assert.match(res.body.detail, /nothing was changed; retry after \d+ seconds/);
  if (code) assert.match(res.body.detail, code, what);
  // No stack, no driver message, no address of the database.
  assert.doesNotMatch(res.text, /\bat \S+:\d+|ECONN|127\.0\.0\.1|postgres|sqlite/i, `${what}: leaks internals`);
}

const pgBackend = testStores().find((s) => s.name === 'postgres');

/**
 * PostgreSQL going away under a running service, through a real TCP proxy on loopback: live
 * connections are destroyed (ECONNRESET, "Connection terminated unexpectedly") and new ones
 * refused, then the database comes back on the same address. The same service instance answers
 * 503 with Retry-After meanwhile and serves again afterwards, with nothing half-written.
 */
describe('PostgreSQL outage', { skip: pgBackend === undefined ? 'no PostgreSQL in this run' : false }, () => {
  let db: Awaited<ReturnType<NonNullable<typeof pgBackend>['open']>>;
  let proxy: TcpProxy;
  let server: RunningServer;
  let admin: pg.Client;
  // In production an error nobody listens for ends the process: a pooled connection dying while
  // checked out did exactly that. Collected here so that each test fails on one.
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  const assertNoCrash = () => assert.deepEqual(uncaught.map(String), [], 'errors that would have ended the process');
  before(async () => {
    if (!pgBackend) return;
    process.on('uncaughtException', onUncaught);
    db = await pgBackend.open();
    const direct = new URL(db.databaseUrl);
    proxy = await startTcpProxy(direct.hostname, Number(direct.port));
    const proxied = new URL(db.databaseUrl);
    proxied.port = String(proxy.port);
    // Names the service's connections, so the test can terminate exactly those.
    proxied.searchParams.set('application_name', 'outage_test');
    // Rate limiting on: its counters live in PostgreSQL too, and must fail the same way.
    server = await startServer(pgBackend, {
      databaseUrl: proxied.toString(),
      rateLimit: { requests: 10_000, windowSeconds: 60 },
    });
    admin = new pg.Client({ connectionString: process.env.TEST_POSTGRES_URL });
    await admin.connect();
  });
  after(async () => {
    process.off('uncaughtException', onUncaught);
    await admin?.end();
    await server?.close();
    await proxy?.close();
    await db?.close();
  });

  test('cut: SCIM answers 503 + Retry-After, /readyz 503, /healthz 200; restored: the same requests succeed', async () => {
    const { token, orgId } = await newTenant(server.services);
    // Issued before the cut and never used: its first request must reach the database to authenticate.
    const fresh = (await server.services.tokens.issue(TEST_OPERATOR, orgId)).token;
    const user = await scimRequest(`${server.scimUrl}/Users`, {
      method: 'POST',
      token,
      body: { schemas: [USER], userName: 'kept@x.com', externalId: 'kept' },
    });
    assert.equal(user.status, 201);
    const group = await scimRequest(`${server.scimUrl}/Groups`, {
      method: 'POST',
      token,
      body: { schemas: [GROUP], displayName: 'Team', externalId: 'g1' },
    });
    assert.equal(group.status, 201);

    await proxy.cut();
    const deactivate = {
      schemas: [PATCH],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    };
    const during: Array<[string, () => Promise<ScimResponse>]> = [
      ['GET /Users', () => scimRequest(`${server.scimUrl}/Users`, { token })],
      ['GET /Users/:id', () => scimRequest(`${server.scimUrl}/Users/${user.body.id}`, { token })],
      ['GET with an unseen token', () => scimRequest(`${server.scimUrl}/Users`, { token: fresh })],
      [
        'POST /Users',
        () =>
          scimRequest(`${server.scimUrl}/Users`, {
            method: 'POST',
            token,
            body: { schemas: [USER], userName: 'refused@x.com', externalId: 'refused' },
          }),
      ],
      [
        'PATCH /Users/:id',
        () => scimRequest(`${server.scimUrl}/Users/${user.body.id}`, { method: 'PATCH', token, body: deactivate }),
      ],
      [
        'PATCH /Groups/:id',
        () =>
          scimRequest(`${server.scimUrl}/Groups/${group.body.id}`, {
            method: 'PATCH',
            token,
            body: { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: user.body.id }] }] },
          }),
      ],
    ];
    for (const [what, send] of during) assertUnavailable(await send(), what, /cannot be reached/);
    assert.equal((await fetch(`${server.origin}/readyz`)).status, 503);
    assert.equal((await fetch(`${server.origin}/healthz`)).status, 200);
    // The support console: its session lookup needs the database, and says so as a page.
    const console = await fetch(`${server.origin}/admin/orgs`, { headers: { cookie: 'pscim_session=whatever' } });
    const page = await console.text();
    assert.equal(console.status, 503, page);
    assert.match(console.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    assert.match(page, /database is busy or unreachable; nothing was changed/);
    assert.doesNotMatch(page, /\bat \S+:\d+|ECONN/);
    // The events API for the rest of Parallel: its service-key check needs the database too.
    const feed = await scimRequest(`${server.origin}/api/v1/events`, { token: `pscimsk_${'a'.repeat(43)}` });
    assert.equal(feed.status, 503, feed.text);
    assert.match(feed.headers.get('retry-after') ?? '', /^[1-9]\d*$/);

    await proxy.restore();
    // No restart: the pool opens new connections on the next checkout.
    assert.equal((await fetch(`${server.origin}/readyz`)).status, 200);
    const list = await scimRequest(
      `${server.scimUrl}/Users?filter=${encodeURIComponent('userName eq "refused@x.com"')}`,
      {
        token: fresh,
      },
    );
    assert.equal(list.status, 200);
    assert.equal(list.body.totalResults, 0, 'the create refused during the outage left nothing behind');
    const kept = await scimRequest(`${server.scimUrl}/Users/${user.body.id}`, { token });
    assert.equal(kept.status, 200);
    assert.equal(kept.body.active, true, 'the refused deactivation did not happen');
    const team = await scimRequest(`${server.scimUrl}/Groups/${group.body.id}`, { token });
    assert.deepEqual(team.body.members ?? [], [], 'the refused member add did not happen');
    const created = await scimRequest(`${server.scimUrl}/Users`, {
      method: 'POST',
      token,
      body: { schemas: [USER], userName: 'refused@x.com', externalId: 'refused' },
    });
    assert.equal(created.status, 201, 'the retried create succeeds');
    const patched = await scimRequest(`${server.scimUrl}/Users/${user.body.id}`, {
      method: 'PATCH',
      token,
      body: deactivate,
    });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.active, false);
    // The batched log writer lost the entries of the outage (counted in the metric) and is not
    // stuck: a read answered now is logged.
    const read = await scimRequest(`${server.scimUrl}/Users/${user.body.id}`, { token });
    const requestId = read.headers.get('x-request-id') ?? '';
    const logged = await server.logEntries(orgId, { requestId, limit: 5 });
    assert.equal(logged.length, 1, 'the log batch writes again');
    assertNoCrash();
  });

  test('a cut with requests in flight answers each 201 or 503, never 500; each refused create is whole or absent', async () => {
    const { token } = await newTenant(server.services, 'In flight');
    // User i's create, the same each time: the IdP's retry sends what it sent first.
    const user = (i: number) => ({
      schemas: [USER],
      userName: `flight${i}@x.com`,
      externalId: `flight-${i}`,
      emails: [{ value: `flight${i}@x.com`, type: 'work' }],
    });
    const create = (i: number) => scimRequest(`${server.scimUrl}/Users`, { method: 'POST', token, body: user(i) });
    const answers = new Map<number, number>();
    let cutDone: Promise<void> | undefined;
    const send = async (i: number) => {
      const res = await create(i);
      answers.set(i, res.status);
      if (res.status !== 201) assertUnavailable(res, `create ${i}`);
      // The first answer is the moment the rest are known to be in flight.
      cutDone ??= proxy.cut();
    };
    await Promise.all(Array.from({ length: 40 }, (_, i) => send(i)));
    await cutDone;
    await proxy.restore();
    const statuses = [...answers.values()];
    assert.ok(statuses.includes(503), `some requests met the cut: ${statuses.join(',')}`);
    // Each create refused is either absent or whole (a COMMIT whose answer the cut lost): the
    // IdP's retry then gets 201 or 409, and exactly one user with its e-mail exists.
    for (const [i, status] of answers) {
      if (status === 201) continue;
      const retry = await create(i);
      assert.ok(retry.status === 201 || retry.status === 409, `retry of ${i}: ${retry.status} ${retry.text}`);
      const found = await scimRequest(
        `${server.scimUrl}/Users?filter=${encodeURIComponent(`externalId eq "flight-${i}"`)}`,
        { token },
      );
      assert.equal(found.body.totalResults, 1);
      assert.equal(found.body.Resources[0].emails?.[0]?.value, `flight${i}@x.com`);
    }
    assertNoCrash();
  });

  test('PostgreSQL terminating the connections (57P01, as on a restart): 201 or 503, then served again', async () => {
    const { token } = await newTenant(server.services, 'Terminated');
    const create = (i: number) =>
      scimRequest(`${server.scimUrl}/Users`, {
        method: 'POST',
        token,
        body: { schemas: [USER], userName: `term${i}@x.com` },
      });
    // Fill the pool with idle connections, then end them all server-side.
    await Promise.all(Array.from({ length: 10 }, (_, i) => create(i)));
    const terminate = () =>
      admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'outage_test' and pid <> pg_backend_pid()",
      );
    assert.ok(((await terminate()).rowCount ?? 0) > 0, 'the service had connections to end');
    const idleEnded = await Promise.all(Array.from({ length: 10 }, (_, i) => create(100 + i)));
    for (const res of idleEnded) assert.ok(res.status === 201 || res.status === 503, `${res.status} ${res.text}`);
    // And with statements running when the server ends them.
    let terminated: Promise<unknown> | undefined;
    const busy = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const res = await create(200 + i);
        terminated ??= terminate();
        return res;
      }),
    );
    await terminated;
    for (const res of busy) {
      if (res.status !== 201) assertUnavailable(res, 'create while terminated');
    }
    const afterwards = await Promise.all(Array.from({ length: 10 }, (_, i) => create(300 + i)));
    assert.deepEqual(
      afterwards.map((r) => r.status),
      Array(10).fill(201),
      'served again without a restart',
    );
    assertNoCrash();
  });
});

const sqliteBackend = testStores().find((s) => s.name === 'sqlite');
const REPO = join(import.meta.dirname, '..', '..');

/** Another process (a sqlite3 shell, a script) holding SQLite's write lock until told to let go. */
async function holdWriteLock(file: string): Promise<{ release(): Promise<void> }> {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.env.LOCK_FILE);
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    process.stdin.once('data', () => { db.exec('COMMIT'); db.close(); process.stdout.write('released\\n'); process.exit(0); });
  `;
  const child = spawn(process.execPath, ['-e', script], { cwd: REPO, env: { ...process.env, LOCK_FILE: file } });
  const lines = createInterface({ input: child.stdout });
  const next = (expected: string) =>
    new Promise<void>((resolve, reject) => {
      lines.on('line', (line) => line === expected && resolve());
      child.once('exit', (code) => reject(new Error(`lock holder exited (${code}) before "${expected}"`)));
    });
  await next('locked');
  return {
    async release() {
      const released = next('released');
      child.stdin.write('go\n');
      await released;
    },
  };
}

describe('SQLite outage', { skip: sqliteBackend === undefined ? 'SQLite not in this run' : false }, () => {
  test('another process holds the write lock past busy_timeout: writes 503 busy, reads served, then writes again', async () => {
    if (!sqliteBackend) return;
    const server = await startServer(sqliteBackend);
    try {
      const { token } = await newTenant(server.services);
      const file = server.databaseUrl.slice('sqlite:'.length);
      const lock = await holdWriteLock(file);
      const body = { schemas: [USER], userName: 'locked@x.com', externalId: 'locked' };
      let released = false;
      try {
        const refused = await scimRequest(`${server.scimUrl}/Users`, { method: 'POST', token, body });
        assertUnavailable(refused, 'POST while locked', /locked by another writer/);
        assert.equal(refused.headers.get('retry-after'), '2');
        // WAL: readers never wait for the writer.
        const read = await scimRequest(`${server.scimUrl}/Users`, { token });
        assert.equal(read.status, 200);
        await lock.release();
        released = true;
      } finally {
        if (!released) await lock.release();
      }
      const created = await scimRequest(`${server.scimUrl}/Users`, { method: 'POST', token, body });
      assert.equal(
        created.status,
        201,
        `the same create once the lock is gone (nothing half-written): ${created.text}`,
      );
    } finally {
      await server.close();
    }
  });

  test("a write waiting for another process's lock leaves the event loop free, and succeeds once the lock goes", async () => {
    if (!sqliteBackend) return;
    const server = await startServer(sqliteBackend);
    try {
      const { token } = await newTenant(server.services);
      const file = server.databaseUrl.slice('sqlite:'.length);
      const lock = await holdWriteLock(file);
      let released = false;
      try {
        const body = { schemas: [USER], userName: 'waiting@x.com', externalId: 'waiting' };
        let answered = false;
        const waiting = scimRequest(`${server.scimUrl}/Users`, { method: 'POST', token, body }).finally(() => {
          answered = true;
        });
        // SQLite's own busy wait blocks the thread; the store waits between statements instead,
        // so the server keeps answering while the create waits for the lock. One after another:
        // a blocked event loop would hold one of them until the create gave up.
        for (let i = 0; i < 50; i++) {
          const health = await fetch(`${server.origin}/healthz`);
          assert.equal(health.status, 200);
          assert.equal(answered, false, `the create was answered before health check ${i + 1} of 50`);
        }
        await lock.release();
        released = true;
        const created = await waiting;
        assert.equal(created.status, 201, `the waiting create, once the lock went: ${created.text}`);
      } finally {
        if (!released) await lock.release();
      }
    } finally {
      await server.close();
    }
  });

  // A real full disk: a small tmpfs mounted for the test, filled by a file, then emptied. The
  // alternative, PRAGMA max_page_count on the server's connection, would need a way into the
  // store's own connection that the service must not have; mounting needs root, hence the skip.
  const mountPoint = mkdtempSync(join(tmpdir(), 'parallel-scim-full-'));
  let mounted = false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mountPoint], { stdio: 'ignore' });
    mounted = true;
  } catch {
    rmSync(mountPoint, { recursive: true, force: true });
  }
  test('the disk fills up: writes 503 diskFull (nothing half-written), reads served; space freed: writes again', {
    skip: mounted ? false : 'mounting a small tmpfs needs root (CAP_SYS_ADMIN)',
  }, async () => {
    if (!sqliteBackend) return;
    const server = await startServer(sqliteBackend, { databaseUrl: `sqlite:${join(mountPoint, 'scim.db')}` });
    const filler = join(mountPoint, 'filler');
    try {
      const { token } = await newTenant(server.services);
      const fd = openSync(filler, 'w');
      try {
        const chunk = Buffer.alloc(64 * 1024);
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        assert.equal((error as { code?: string }).code, 'ENOSPC');
      } finally {
        closeSync(fd);
      }
      // Creates that still fit in pages SQLite already holds may succeed; one must be refused.
      let refused: { i: number; res: ScimResponse } | undefined;
      for (let i = 0; i < 200 && refused === undefined; i++) {
        const res = await scimRequest(`${server.scimUrl}/Users`, {
          method: 'POST',
          token,
          body: { schemas: [USER], userName: `full${i}@x.com`, displayName: 'x'.repeat(2000) },
        });
        if (res.status !== 201) refused = { i, res };
      }
      assert.ok(refused, 'a write was refused on the full disk');
      assertUnavailable(refused.res, 'POST on a full disk', /no space left/);
      assert.equal(refused.res.headers.get('retry-after'), '30');
      assert.equal((await scimRequest(`${server.scimUrl}/Users?count=1`, { token })).status, 200);
      rmSync(filler);
      const again = await scimRequest(`${server.scimUrl}/Users`, {
        method: 'POST',
        token,
        body: { schemas: [USER], userName: `full${refused.i}@x.com` },
      });
      assert.equal(again.status, 201, `the refused create, once there is space: ${again.text}`);
    } finally {
      rmSync(filler, { force: true });
      await server.close();
      execFileSync('umount', [mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    }
  });
});
