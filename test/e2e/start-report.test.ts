import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createServices } from '../../src/services/index.js';
import { openStore } from '../../src/store/open-store.js';
import { migrations } from '../../src/store/sql/migrations/index.js';
import { TEST_OPERATOR } from '../helpers/records.js';
import { type ServiceProcess, spawnService } from '../helpers/service-process.js';
import { newTenant, scimRequest } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const ROOT = join(import.meta.dirname, '..', '..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const ALL_MIGRATIONS = Object.keys(migrations).sort();
const LATEST = ALL_MIGRATIONS.at(-1);

/** The real service as its own process, logging at info to a pipe the helper reads line by line. */
const startService = (databaseUrl: string, port?: number) =>
  spawnService({ databaseUrl, port, logs: true, readyWhen: 'listening' });

/** A database no process has opened yet, on `backend`, with a password to look for in the output. */
async function freshDatabase(backend: 'sqlite' | 'postgres') {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'parallel-scim-start-'));
    const file = join(dir, 'data', 'fresh.db');
    return {
      databaseUrl: `sqlite:${file}`,
      expected: { kind: 'sqlite', file },
      secret: undefined,
      close: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const server = new URL(process.env.TEST_POSTGRES_URL as string);
  const suffix = randomBytes(6).toString('hex');
  const role = `h3_${suffix}`;
  const schema = `s_${suffix}`;
  const password = `Pw-${randomBytes(9).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server.toString() });
  await admin.connect();
  await admin.query(`create role ${role} login password '${password}'`);
  await admin.query(`create schema ${schema} authorization ${role}`);
  // The service runs "create schema if not exists", which PostgreSQL checks against this right.
  await admin.query(`grant create on database ${server.pathname.slice(1)} to ${role}`);
  await admin.end();
  const url = new URL(server.toString());
  url.username = role;
  url.password = password;
  url.searchParams.set('schema', schema);
  return {
    databaseUrl: url.toString(),
    expected: {
      kind: 'postgres',
      host: server.hostname,
      port: Number(server.port || 5432),
      database: server.pathname.slice(1),
      schema,
    },
    secret: password,
    close: async () => {
      const dropper = new pg.Client({ connectionString: server.toString() });
      await dropper.connect();
      await dropper.query(`drop schema if exists ${schema} cascade`);
      await dropper.query(`drop owned by ${role}`);
      await dropper.query(`drop role if exists ${role}`);
      await dropper.end();
    },
  };
}

const listening = (line: Record<string, unknown>) => line.msg === 'parallel-scim listening';

/**
 * What the start-up line says (version, database without credentials, migrations applied by this
 * start and the level now), /healthz, and the tenant on each request's completion line.
 */
for (const backend of testStores()) {
  describe(`start-up report and request log lines on ${backend.name}`, () => {
    let db: Awaited<ReturnType<typeof freshDatabase>>;
    let first: ServiceProcess;
    before(async () => {
      db = await freshDatabase(backend.name);
      first = await startService(db.databaseUrl);
    });
    after(async () => {
      await first.stop();
      await db.close();
    });

    test('the first start names the version, the database and every migration it applied', async () => {
      const line = await first.line(listening, 'listening');
      assert.equal(line.version, VERSION);
      assert.deepEqual(line.database, db.expected);
      assert.deepEqual(line.migrations, { appliedNow: ALL_MIGRATIONS, level: LATEST, latest: LATEST });
    });

    test('/healthz names the version and the migration level', async () => {
      await first.line(listening, 'listening');
      const res = await fetch(`${first.origin}/healthz`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), {
        status: 'ok',
        version: VERSION,
        migrations: { applied: LATEST, latest: LATEST },
      });
      const ready = await fetch(`${first.origin}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), {
        status: 'ready',
        version: VERSION,
        migrations: { applied: LATEST, latest: LATEST },
      });
    });

    test("an authenticated request's completion line names orgId and tokenId, never the token", async () => {
      await first.line(listening, 'listening');
      const store = await openStore(db.databaseUrl);
      let tenant: Awaited<ReturnType<typeof newTenant>>;
      let serviceKey: { id: string; key: string };
      try {
        const services = createServices(store);
        tenant = await newTenant(services);
        const issued = await services.serviceKeys.issue(TEST_OPERATOR, { label: 'log lines' });
        serviceKey = { id: issued.record.id, key: issued.key };
      } finally {
        await store.close();
      }
      const base = `${first.origin}/scim/v2`;
      for (const path of ['/Users', '/Users/00000000-0000-7000-8000-000000000000']) {
        const res = await scimRequest(`${base}${path}`, { token: tenant.token });
        assert.ok(res.status === 200 || res.status === 404, res.text);
        const requestId = res.headers.get('x-request-id');
        const done = await first.line(
          (l) => l.msg === 'request completed' && l.reqId === requestId,
          `request completed for ${path}`,
        );
        assert.equal(done.orgId, tenant.orgId, path);
        assert.equal(done.tokenId, tenant.tokenId, path);
        assert.equal((done.res as { statusCode: number }).statusCode, res.status);
        assert.deepEqual(done.req, { method: 'GET', url: `/scim/v2${path}` }, 'the one line says what was asked');
      }
      // A request whose token is wrong has no tenant to name.
      const refused = await scimRequest(`${base}/Users`, { token: 'not-a-token' });
      assert.equal(refused.status, 401);
      const line = await first.line(
        (l) => l.msg === 'request completed' && l.reqId === refused.headers.get('x-request-id'),
        'request completed for the 401',
      );
      assert.equal(line.orgId, undefined);
      assert.equal(line.tokenId, undefined);
      // One line per request at info: the `incoming request` line is written at debug only.
      assert.ok(!first.output.includes('"incoming request"'), 'no incoming request line at info');
      // The event API's line names the service key, and no tenant.
      const events = await fetch(`${first.origin}/api/v1/events?org=${tenant.orgId}`, {
        headers: { authorization: `Bearer ${serviceKey.key}` },
      });
      assert.equal(events.status, 200, await events.text());
      const eventsLine = await first.line(
        (l) => l.msg === 'request completed' && l.reqId === events.headers.get('x-request-id'),
        'request completed for the event API',
      );
      assert.equal(eventsLine.serviceKeyId, serviceKey.id);
      assert.equal(eventsLine.orgId, undefined);
      assert.ok(!first.output.includes(serviceKey.key), 'the service key never reaches the log');
      assert.ok(!first.output.includes(tenant.token), 'the token never reaches the log');
    });

    test('a second start applies nothing and says so; no output ever holds the password or the URL', async () => {
      await first.line(listening, 'listening');
      await first.stop();
      const again = await startService(db.databaseUrl, first.port);
      try {
        const line = await again.line(listening, 'listening again');
        assert.deepEqual(line.migrations, { appliedNow: [], level: LATEST, latest: LATEST });
        assert.deepEqual(line.database, db.expected);
      } finally {
        await again.stop();
      }
      for (const output of [first.output, again.output]) {
        assert.ok(!output.includes(db.databaseUrl), 'the DATABASE_URL is never logged whole');
        if (db.secret) assert.ok(!output.includes(db.secret), 'the password is never logged');
      }
    });
  });
}
