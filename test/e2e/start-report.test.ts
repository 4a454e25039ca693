import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { freePort } from '../../scripts/embedded-postgres.mjs';
import { createServices } from '../../src/services/index.js';
import { openStore } from '../../src/store/open-store.js';
import { migrations } from '../../src/store/sql/migrations/index.js';
import { newTenant, scimRequest } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'main.ts');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const ALL_MIGRATIONS = Object.keys(migrations).sort();
const LATEST = ALL_MIGRATIONS.at(-1);

/** The real service as its own process, logging at info to a pipe this test reads line by line. */
class Service {
  readonly lines: Record<string, unknown>[] = [];
  output = '';
  private readonly child: ChildProcess;
  private readonly waiters: {
    match: (line: Record<string, unknown>) => boolean;
    found: (line: Record<string, unknown>) => void;
  }[] = [];
  private readonly exited: Promise<number | null>;

  constructor(databaseUrl: string, port: number) {
    this.child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        LOG_LEVEL: 'info',
        RATE_LIMIT_REQUESTS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let partial = '';
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.output += chunk;
      partial += chunk;
      const complete = partial.split('\n');
      partial = complete.pop() ?? '';
      for (const text of complete) {
        if (text.trim() === '') continue;
        let line: Record<string, unknown>;
        try {
          line = JSON.parse(text) as Record<string, unknown>;
        } catch {
          continue;
        }
        this.lines.push(line);
        for (const waiter of this.waiters.splice(0)) {
          if (waiter.match(line)) waiter.found(line);
          else this.waiters.push(waiter);
        }
      }
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.output += chunk;
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** The first log line (already written or still to come) that `match` accepts. */
  line(match: (line: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>> {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no log line ${what} within 60 s; output:\n${this.output}`)),
        60_000,
      );
      this.waiters.push({
        match,
        found: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
      void this.exited.then((code) => reject(new Error(`exited ${code} before ${what}; output:\n${this.output}`)));
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}

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
    let port: number;
    let first: Service;
    before(async () => {
      db = await freshDatabase(backend.name);
      port = await freePort();
      first = new Service(db.databaseUrl, port);
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
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), {
        status: 'ok',
        version: VERSION,
        migrations: { applied: LATEST, latest: LATEST },
      });
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
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
      try {
        tenant = await newTenant(createServices(store));
      } finally {
        await store.close();
      }
      const base = `http://127.0.0.1:${port}/scim/v2`;
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
      }
      // A request whose token is wrong has no tenant to name.
      const refused = await scimRequest(`${base}/Users`, { token: 'not-a-token' });
      assert.equal(refused.status, 401);
      const line = await first.line(
        (l) => l.msg === 'request completed' && l.reqId === refused.headers.get('x-request-id'),
        'request completed for the 401',
      );
      assert.equal(line.orgId, undefined);
      assert.ok(!first.output.includes(tenant.token), 'the token never reaches the log');
    });

    test('a second start applies nothing and says so; no output ever holds the password or the URL', async () => {
      await first.line(listening, 'listening');
      await first.stop();
      const again = new Service(db.databaseUrl, port);
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
