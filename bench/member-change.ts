/**
 * Issue 3's promise, measured: adding or removing one member costs the same for a team of 10 and
 * a team of 100,000. Builds both teams in a fresh database, then times PATCH add / remove of one
 * member over real HTTP on loopback, one request at a time, and prints the latency percentiles.
 *
 *   npm run bench                                  SQLite in a temporary file
 *   BENCH_STORE=postgres npm run bench             a throwaway embedded PostgreSQL
 *   BENCH_DATABASE_URL=postgres://... npm run bench   that PostgreSQL (a schema of its own, dropped after)
 *   BENCH_BIG=100000 BENCH_ROUNDS=200 npm run bench
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../scripts/embedded-postgres.mjs';
import { buildServer } from '../src/http/build-server.js';
import { createServices } from '../src/services/index.js';
import { openStore } from '../src/store/open-store.js';
import type { UserRecord } from '../src/store/store.js';

/** Who the bench's setup is by, for the audit trail. */
const BENCH_OPERATOR = { kind: 'cli', operator: 'bench' } as const;

const BIG = Number(process.env.BENCH_BIG ?? 100_000);
const SMALL = 10;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

async function main(): Promise<void> {
  const embedded =
    process.env.BENCH_STORE === 'postgres' && !process.env.BENCH_DATABASE_URL
      ? await startEmbeddedPostgres()
      : undefined;
  try {
    await run(embedded?.url ?? process.env.BENCH_DATABASE_URL);
  } finally {
    await embedded?.stop();
  }
}

async function run(target: string | undefined): Promise<void> {
  let databaseUrl: string;
  let cleanup: () => void = () => {};
  if (target?.startsWith('postgres')) {
    const url = new URL(target);
    url.searchParams.set('schema', `bench_${randomBytes(4).toString('hex')}`);
    databaseUrl = url.toString();
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'parallel-scim-bench-'));
    databaseUrl = `sqlite:${join(dir, 'bench.db')}`;
    cleanup = () => rmSync(dir, { recursive: true, force: true });
  }
  const store = await openStore(databaseUrl);
  const services = createServices(store);
  const app = await buildServer({
    services,
    config: {
      publicUrl: undefined,
      bodyLimitBytes: 1 << 20,
      maxPageSize: 1000,
      logLevel: 'silent',
      rateLimit: { requests: 0, windowSeconds: 1 },
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const base = `http://127.0.0.1:${address.port}/scim/v2`;

  try {
    const org = await services.organizations.create(BENCH_OPERATOR, 'Bench');
    const { token } = await services.tokens.issue(BENCH_OPERATOR, org.id);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' };

    const started = Date.now();
    const userIds: string[] = [];
    const now = Date.now();
    for (let offset = 0; offset < BIG + ROUNDS; offset += 5000) {
      await store.transaction(async (tx) => {
        for (let i = offset; i < Math.min(offset + 5000, BIG + ROUNDS); i++) {
          const id = `u${String(i).padStart(8, '0')}`;
          userIds.push(id);
          const user: UserRecord = {
            orgId: org.id,
            id,
            userName: `user${i}@bench.example`,
            externalId: `ext-${i}`,
            active: true,
            scimManaged: true,
            doc: { userName: `user${i}@bench.example`, externalId: `ext-${i}`, active: true },
            version: 1,
            createdAt: now,
            updatedAt: now,
          };
          await tx.insertUser(user);
        }
      });
    }
    const teamIds: Record<string, string> = {};
    for (const [name, size] of [
      ['small', SMALL],
      ['big', BIG],
    ] as const) {
      const res = await fetch(`${base}/Groups`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: name }),
      });
      const id = ((await res.json()) as { id: string }).id;
      teamIds[name] = id;
      for (let offset = 0; offset < size; offset += 5000) {
        const slice = userIds.slice(offset, Math.min(offset + 5000, size));
        await store.transaction((tx) => tx.addMembers(org.id, id, slice, now));
      }
    }
    console.log(
      `setup: ${BIG + ROUNDS} users, teams of ${SMALL} and ${BIG} members in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    const newcomers = userIds.slice(BIG, BIG + ROUNDS);
    const results: string[] = [];
    for (const name of ['small', 'big', 'small', 'big']) {
      const teamId = teamIds[name];
      const add: number[] = [];
      const remove: number[] = [];
      for (const userId of newcomers) {
        add.push(
          await time(`${base}/Groups/${teamId}`, headers, { op: 'add', path: 'members', value: [{ value: userId }] }),
        );
        remove.push(
          await time(`${base}/Groups/${teamId}`, headers, { op: 'remove', path: `members[value eq "${userId}"]` }),
        );
      }
      results.push(
        `${name.padEnd(5)} (${name === 'big' ? BIG : SMALL} members)  add p50 ${p(add, 50)} p95 ${p(add, 95)} ms   remove p50 ${p(remove, 50)} p95 ${p(remove, 95)} ms`,
      );
    }
    console.log(
      `store: ${store.dialect}; ${ROUNDS} sequential PATCHes per row, one HTTP request at a time over loopback, Node ${process.version}, ${cpus().length} CPUs`,
    );
    console.log('(each team measured twice, alternating, so warm-up shows as a difference between the passes)');
    for (const line of results) console.log(line);
  } finally {
    await app.close();
    if (store.dialect === 'postgres') {
      const schema = new URL(databaseUrl).searchParams.get('schema');
      const { default: pg } = await import('pg');
      const admin = new pg.Client({ connectionString: target });
      await admin.connect();
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    }
    await store.close();
    cleanup();
  }
}

async function time(url: string, headers: Record<string, string>, operation: object): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, {
    method: 'PATCH',
    headers,
    body: JSON.stringify({ schemas: [PATCH], Operations: [operation] }),
  });
  await res.arrayBuffer();
  if (res.status !== 204) throw new Error(`PATCH answered ${res.status}`);
  return performance.now() - t0;
}

function p(values: number[], percentile: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.floor((percentile / 100) * sorted.length));
  return (sorted[index] ?? 0).toFixed(2);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
