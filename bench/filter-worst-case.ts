/**
 * The most expensive list filters the caps still allow, timed against an organization whose users
 * sit at the caps: 100 e-mails each of ~500 characters of "aaaa...", userName and displayName of
 * ~500 "a"s; and a second organization whose users each hold a 60,000-character title. Runs of one
 * letter are what substring search backtracks on: LIKE '%aaa...ab%' and SQLite's instr() try the
 * whole literal at every position; PostgreSQL's strpos() (Horspool, compared from the end) does the
 * same for "baaa...a".
 *
 *   npx tsx bench/filter-worst-case.ts                        300 users, SQLite then PostgreSQL (~1 min)
 *   BENCH_USERS=10000 BENCH_STORES=sqlite npx tsx bench/filter-worst-case.ts
 *   BENCH_DATABASE_URL=postgres://... npx tsx bench/filter-worst-case.ts   that server, in a schema of its own
 *   BENCH_RUNS=5            timed runs per shape after one warm-up, default 3 (1 when the first
 *                           run takes over 10 s)
 *   BENCH_SHAPES=co,count   only the shapes whose label contains one of these words
 *   BENCH_RULE_ONLY=1       only what the rule answers and what its check costs, without timing
 *                           the SQL again (after a change to the cost model)
 *
 * Every figure is a Store.listUsers call (its count and its page statement, 100 per page) on a
 * store whose filter cost rule is switched off, so the SQL itself is measured; the "rule" column
 * says what the shipped rule answers (compile-filter.ts) and how long its own check takes. Next to
 * the figures, a bare node:http server answering a small JSON body is measured with autocannon in
 * the same run, so the times read as "this many bare requests' worth" on a shared, noisy machine.
 * "rows scanned" is what the plan walks: counted by EXPLAIN ANALYZE on PostgreSQL, read from the
 * SEARCH/SCAN lines of EXPLAIN QUERY PLAN on SQLite (which cannot count them).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { startEmbeddedPostgres } from '../scripts/embedded-postgres.mjs';
import { type CheckedFilter, checkFilter } from '../src/scim/filter/check-filter.js';
import { parseFilter } from '../src/scim/filter/parse-filter.js';
import { type CheckedSortBy, checkSortBy } from '../src/scim/list-check.js';
import { userResourceType } from '../src/scim/schema/resource-types.js';
import { openStore } from '../src/store/open-store.js';
import { postgresHooks } from '../src/store/postgres/postgres-dialect.js';
import { memoryRateLimiter } from '../src/store/rate-limiter.js';
import { userAttributeMap } from '../src/store/sql/attribute-map.js';
import { compileFilter, compileListFilter } from '../src/store/sql/compile-filter.js';
import type { Database as Schema } from '../src/store/sql/db-schema.js';
import type { SqlDialectHooks } from '../src/store/sql/sql-dialect.js';
import { SqlStore } from '../src/store/sql/sql-store.js';
import { sqliteHooks } from '../src/store/sqlite/sqlite-dialect.js';
import type { RowsQuery, Store, UserRecord } from '../src/store/store.js';
import { FilterTooCostly, NotFilterable, NotSortable } from '../src/store/store-errors.js';
import { coldKysely } from '../test/helpers/cold-kysely.js';

const USERS = Number(process.env.BENCH_USERS ?? 300);
const STORES = (process.env.BENCH_STORES ?? 'sqlite,postgres').split(',').map((s) => s.trim());
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ONLY = process.env.BENCH_SHAPES?.split(',').map((s) => s.trim().toLowerCase());
const RULE_ONLY = process.env.BENCH_RULE_ONLY === '1';
const EMAILS = 100;
const EMAIL_LENGTH = 500;
const PAGE = 100;
const ORG = 'org-bench';
/**
 * A second organization whose users each hold one 60,000-character title: a non-indexed column has
 * no length cap but the 64 KB document, and one long value is the worst haystack per user.
 */
const LONG_ORG = 'org-bench-long';
const LONG_USERS = Math.min(USERS, 10_000);
const LONG_TITLE = 60_000;
const T0 = Date.UTC(2025, 0, 1);

const a = (n: number) => 'a'.repeat(n);

/** The filter shapes, worst first within each kind; literals respect the filter caps. */
function shapes(): Shape[] {
  // 50 terms of `emails co "..."` must fit MAX_FILTER_LENGTH (4,096 characters): 64-character
  // literals do; 256-character ones fit 14 terms.
  const chain = (terms: number, length: number) =>
    Array.from({ length: terms }, (_, i) => `emails co "${a(length - 3)}b${String(i).padStart(2, '0')}"`).join(' or ');
  return [
    { label: 'no filter (count of the organization + first page)' },
    { label: 'userName eq (index lookup)', filter: `userName eq "${userName(USERS >> 1)}"` },
    { label: 'emails eq (index lookup)', filter: `emails eq "${email(7, 3)}"` },
    { label: 'userName sw, matching nothing', filter: `userName sw "b${a(10)}"` },
    { label: 'userName sw, matching every user', filter: `userName sw "${a(10)}"` },
    { label: 'emails sw, matching nothing', filter: `emails sw "b${a(10)}"` },
    { label: 'emails sw, matching every value', filter: `emails sw "${a(10)}"` },
    { label: 'emails co "<255 a>b"', filter: `emails co "${a(255)}b"` },
    { label: 'emails co "b<255 a>"', filter: `emails co "b${a(255)}"` },
    { label: 'emails co "x" (short literal)', filter: 'emails co "x"' },
    { label: 'emails ew "<255 a>b"', filter: `emails ew "${a(255)}b"` },
    { label: 'not (emails co "<255 a>b")', filter: `not (emails co "${a(255)}b")` },
    { label: 'userName co "<255 a>b"', filter: `userName co "${a(255)}b"` },
    { label: 'userName co "b<255 a>"', filter: `userName co "b${a(255)}"` },
    { label: 'displayName ew "<255 a>b"', filter: `displayName ew "${a(255)}b"` },
    { label: '50-term or chain of emails co (64-char literals)', filter: chain(50, 64) },
    { label: '14-term or chain of emails co (256-char literals)', filter: chain(14, 256) },
    {
      label: 'emails[value co "<255 a>b" and type eq "work"]',
      filter: `emails[value co "${a(255)}b" and type eq "work"]`,
    },
    { label: 'emails ne (not of an index lookup)', filter: `emails ne "${email(7, 3)}"` },
    { label: 'userName ne', filter: `userName ne "${userName(3)}"` },
    { label: 'userName gt "a" (matches every user)', filter: 'userName gt "a"' },
    { label: 'emails gt "a" (matches every value)', filter: 'emails gt "a"' },
    { label: 'title gt "a" (non-indexed column)', filter: 'title gt "a"' },
    { label: 'no filter, sortBy title (non-indexed column)', sortBy: 'title' },
    { label: 'title co "<255 a>b" (60,000-char titles)', filter: `title co "${a(255)}b"`, org: LONG_ORG },
    { label: 'title co "b<255 a>" (60,000-char titles)', filter: `title co "b${a(255)}"`, org: LONG_ORG },
    { label: 'title co "ab" (60,000-char titles)', filter: 'title co "ab"', org: LONG_ORG },
    { label: 'title ew "<255 a>b" (60,000-char titles)', filter: `title ew "${a(255)}b"`, org: LONG_ORG },
    { label: 'title sw "<255 a>b" (60,000-char titles)', filter: `title sw "${a(255)}b"`, org: LONG_ORG },
    { label: 'title gt "b" (60,000-char titles)', filter: 'title gt "b"', org: LONG_ORG },
    { label: 'not (title co "<255 a>b") (60,000-char titles)', filter: `not (title co "${a(255)}b")`, org: LONG_ORG },
    { label: 'no filter, sortBy title (60,000-char titles)', sortBy: 'title', org: LONG_ORG },
  ];
}

interface Shape {
  readonly label: string;
  readonly filter?: string;
  readonly sortBy?: string;
  /** The organization it runs in: ORG unless said otherwise. */
  readonly org?: string;
}

const userName = (i: number) => `${a(EMAIL_LENGTH - 8)}${String(i).padStart(8, '0')}`;
const email = (i: number, j: number) =>
  `${a(EMAIL_LENGTH - 24)}${String(i).padStart(8, '0')}${String(j).padStart(3, '0')}@example.test`;

function userRecord(i: number): UserRecord {
  const name = userName(i);
  return {
    orgId: ORG,
    id: `u-${String(i).padStart(8, '0')}`,
    userName: name,
    externalId: `ext-${i}`,
    active: true,
    scimManaged: true,
    doc: {
      userName: name,
      externalId: `ext-${i}`,
      active: true,
      displayName: name,
      title: i % 2 === 0 ? 'Engineer' : 'Counsel',
      emails: Array.from({ length: EMAILS }, (_, j) => ({
        value: email(i, j),
        type: ['work', 'home', 'other'][j % 3] ?? 'work',
      })),
    },
    version: 1,
    createdAt: T0 + i,
    updatedAt: T0 + i,
  };
}

function longTitleUser(i: number): UserRecord {
  const name = `long-${String(i).padStart(8, '0')}@example.test`;
  return {
    orgId: LONG_ORG,
    id: `l-${String(i).padStart(8, '0')}`,
    userName: name,
    externalId: null,
    active: true,
    scimManaged: true,
    doc: { userName: name, active: true, title: a(LONG_TITLE) },
    version: 1,
    createdAt: T0 + i,
    updatedAt: T0 + i,
  };
}

// --- the two stores ------------------------------------------------------------------------

/** A store to measure plus a raw connection to the same database, for EXPLAIN and counts. */
interface Target {
  readonly name: 'sqlite' | 'postgres';
  /** The store as the service opens it, with the rule; it seeds the data. */
  readonly store: Store;
  /** A store on the same database with the cost rule switched off: what the figures measure. */
  readonly measured: Store;
  /** The connection `measured` uses, for timing the rule's own check. */
  readonly kysely: Kysely<Schema>;
  /** The dialect's hooks as shipped, rule included. */
  readonly hooks: SqlDialectHooks;
  readonly cold: Kysely<Schema>;
  /** Runs `text` with `parameters` on the raw connection; returns its rows. */
  raw(text: string, parameters: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /** The plan of a statement, one line per node; `analyze` runs it to count the rows read. */
  plan(text: string, parameters: readonly unknown[], analyze: boolean): Promise<string[]>;
  size(): Promise<string>;
  close(): Promise<void>;
}

const ruleOff = (hooks: SqlDialectHooks): SqlDialectHooks => ({
  ...hooks,
  filterCost: { ...hooks.filterCost, budget: Number.POSITIVE_INFINITY },
});

async function openSqliteTarget(): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'parallel-scim-filter-bench-'));
  const file = join(dir, 'bench.db');
  const store = await openStore(`sqlite:${file}`);
  const side = new Database(file, { readonly: true });
  const kysely = new Kysely<Schema>({ dialect: new SqliteDialect({ database: side }) });
  return {
    name: 'sqlite',
    store,
    measured: new SqlStore(kysely, ruleOff(sqliteHooks), { rateLimiter: memoryRateLimiter }),
    kysely,
    hooks: sqliteHooks,
    cold: coldKysely<Schema>('sqlite'),
    async raw(text, parameters) {
      return side.prepare(text).all(...parameters) as Record<string, unknown>[];
    },
    async plan(text, parameters) {
      const rows = side.prepare(`explain query plan ${text}`).all(...parameters) as { detail: string }[];
      return rows.map((r) => r.detail);
    },
    async size() {
      let bytes = statSync(file).size;
      try {
        bytes += statSync(`${file}-wal`).size;
      } catch {}
      return `${(bytes / 2 ** 30).toFixed(2)} GiB file`;
    },
    async close() {
      await kysely.destroy();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function openPostgresTarget(serverUrl: string): Promise<Target> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const url = new URL(serverUrl);
  url.searchParams.set('schema', schema);
  // The statement timeout would cut the very figures this measures.
  const store = await openStore(url.toString(), { statementTimeoutMs: 3_600_000 });
  const side = new pg.Pool({ connectionString: serverUrl, max: 2, options: `-c search_path=${schema}` });
  const kysely = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: side }) });
  return {
    name: 'postgres',
    store,
    measured: new SqlStore(kysely, ruleOff(postgresHooks), { rateLimiter: memoryRateLimiter }),
    kysely,
    hooks: postgresHooks,
    cold: coldKysely<Schema>('postgres'),
    async raw(text, parameters) {
      return (await side.query(text, [...parameters])).rows as Record<string, unknown>[];
    },
    async plan(text, parameters, analyze) {
      // ANALYZE runs the statement once more: the only way to learn the rows each node really read.
      const options = analyze ? 'analyze, costs off, timing off' : 'costs off';
      const rows = (await side.query(`explain (${options}) ${text}`, [...parameters])).rows as {
        'QUERY PLAN': string;
      }[];
      return rows.map((r) => r['QUERY PLAN']);
    },
    async size() {
      const rows = (await side.query('select pg_database_size(current_database()) as n')).rows as { n: string }[];
      return `${(Number(rows[0]?.n) / 2 ** 30).toFixed(2)} GiB database`;
    },
    async close() {
      await store.close();
      await side.query(`drop schema if exists ${schema} cascade`);
      await kysely.destroy();
    },
  };
}

async function seed(target: Target): Promise<void> {
  const started = performance.now();
  for (const [id, users, make] of [
    [ORG, USERS, userRecord],
    [LONG_ORG, LONG_USERS, longTitleUser],
  ] as const) {
    await target.store.insertOrg({
      id,
      name: id,
      scimEnabled: true,
      deleteMode: 'retain',
      createdAt: T0,
      updatedAt: T0,
    });
    const batch = 200;
    for (let offset = 0; offset < users; offset += batch) {
      await target.store.transaction(async (tx) => {
        for (let i = offset; i < Math.min(offset + batch, users); i++) await tx.insertUser(make(i));
      });
    }
  }
  if (target.name === 'postgres') await target.raw('analyze', []);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `  seeded ${USERS.toLocaleString('en')} users × ${EMAILS} e-mails of ${EMAIL_LENGTH} characters (${(USERS * EMAILS).toLocaleString('en')} value rows), and ${LONG_USERS.toLocaleString('en')} users with a ${LONG_TITLE.toLocaleString('en')}-character title, in ${seconds} s; ${await target.size()}`,
  );
}

// --- measuring -----------------------------------------------------------------------------

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/**
 * Times `run`: one warm-up, then RUNS timed runs. A first run over 10 s is the figure itself
 * (k = 1): at that length the cache state no longer matters, and the run takes long enough.
 */
async function time(run: () => Promise<unknown>): Promise<{ ms: number; k: number }> {
  const t0 = performance.now();
  await run();
  const first = performance.now() - t0;
  if (first > 10_000) return { ms: first, k: 1 };
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await run();
    samples.push(performance.now() - t);
  }
  return { ms: median(samples), k: RUNS };
}

/** Rows each scan node read: SQLite's plan names them; PostgreSQL's EXPLAIN ANALYZE counts them. */
function rowsScanned(target: Target, plan: readonly string[], users: number, values: number): string {
  if (target.name === 'postgres') {
    let total = 0;
    let pending = 0;
    for (const line of plan) {
      const node = /(Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan).*actual rows=(\d+) loops=(\d+)/.exec(line);
      if (node) {
        total += pending;
        pending = Number(node[2]) * Number(node[3]);
        continue;
      }
      const removed = /Rows Removed by (?:Filter|Index Recheck): (\d+)/.exec(line);
      if (removed) pending += Number(removed[1]);
    }
    return (total + pending).toLocaleString('en');
  }
  // SQLite: a SCAN, or a SEARCH on the organization (and attribute) prefix alone, walks every row
  // of that scope; a SEARCH with a value or a range on the next column reads only what matches.
  let total = 0;
  for (const line of plan) {
    // `x>?` alone is how the plan shows `x is not null`: every row with a value.
    const whole =
      /\bSCAN (\w+)(?! CONSTANT)/.exec(line) ??
      /\bSEARCH (\w+) USING .*\(org_id=\?(?: AND attr=\?)?(?: AND \w+>\?)?\)/.exec(line);
    if (whole) total += whole[1] === 'v' ? values : whole[1] === 'r' ? users : 0;
  }
  return total === 0 ? 'index range/lookup only' : total.toLocaleString('en');
}

/** What the cost rule with the shipped budget answers for this request, and what its check costs. */
async function ruleVerdict(target: Target, org: string, query: RowsQuery): Promise<string> {
  let verdict = 'answered';
  const { ms } = await time(async () => {
    try {
      await compileListFilter(target.kysely, userAttributeMap, target.hooks, org, query);
    } catch (error) {
      if (error instanceof FilterTooCostly) verdict = '400 tooMany';
      else if (error instanceof NotFilterable || error instanceof NotSortable) verdict = `store cannot: ${error.name}`;
      else throw error;
    }
  });
  return `${verdict} (check ${ms.toFixed(2)} ms)`;
}

async function measure(target: Target, bare: Baseline): Promise<void> {
  console.log('');
  console.log(
    `${target.name}: ${USERS.toLocaleString('en')} users, ${(USERS * EMAILS).toLocaleString('en')} e-mail rows (${LONG_USERS.toLocaleString('en')} users for the 60,000-char titles); Store.listUsers (count + page of ${PAGE}), median of k runs after a warm-up`,
  );
  const header = ['shape', 'ms (median)', 'k', 'bare reqs', 'rows scanned', 'rule as shipped', 'plan'];
  console.log(header.join(' | '));
  for (const shape of shapes()) {
    if (ONLY && !ONLY.some((word) => shape.label.toLowerCase().includes(word))) continue;
    let filter: CheckedFilter | undefined;
    let sortBy: CheckedSortBy | undefined;
    try {
      filter = shape.filter === undefined ? undefined : checkFilter(userResourceType, parseFilter(shape.filter));
      sortBy = shape.sortBy === undefined ? undefined : checkSortBy(userResourceType, { attr: shape.sortBy });
    } catch (error) {
      console.log(`${shape.label} | refused by the core: ${(error as Error).message}`);
      continue;
    }
    const query = {
      ...(filter ? { filter } : {}),
      ...(sortBy ? { sortBy } : {}),
      sortOrder: 'ascending' as const,
      offset: 0,
      limit: PAGE,
    };
    const org = shape.org ?? ORG;
    const users = org === ORG ? USERS : LONG_USERS;
    const values = org === ORG ? USERS * EMAILS : 0;
    if (RULE_ONLY) {
      console.log(`${shape.label} | ${await ruleVerdict(target, org, query)}`);
      continue;
    }
    let timed: { ms: number; k: number };
    const t0 = performance.now();
    try {
      timed = await time(() => target.measured.listUsers(org, query));
    } catch (error) {
      const ms = (performance.now() - t0).toFixed(0);
      console.log(`${shape.label} | failed after ${ms} ms: ${(error as Error).name}: ${(error as Error).message}`);
      continue;
    }
    const { ms, k } = timed;
    const where = filter ? compileFilter(filter, userAttributeMap, target.hooks, org) : sql<boolean>`1 = 1`;
    const counted = target.cold
      .selectFrom('users as r')
      .where('r.org_id', '=', org)
      .where(where)
      .select(sql`count(*)`.as('n'))
      .compile();
    const analyze = ms < 20_000;
    const plan = await target.plan(counted.sql, counted.parameters, analyze);
    const compact =
      target.name === 'sqlite'
        ? plan.join('; ')
        : plan
            .filter((l) => /Scan|Join|SubPlan/.test(l))
            .map((l) => l.trim())
            .join('; ');
    console.log(
      [
        shape.label,
        ms.toFixed(1),
        String(k),
        Math.round(ms * bare.perMs).toLocaleString('en'),
        target.name === 'postgres' && !analyze ? 'not re-run' : rowsScanned(target, plan, users, values),
        await ruleVerdict(target, org, query),
        compact.replace(/\s+/g, ' ').slice(0, 300),
      ].join(' | '),
    );
  }
  await measureCounts(target);
}

/** What counting the organization costs, for a rule that must know its size. */
async function measureCounts(target: Target): Promise<void> {
  const p = target.name === 'sqlite' ? () => '?' : (n: number) => `$${n}`;
  const statements: [string, string, unknown[]][] = [
    ['count(*) of the organization’s users', `select count(*) as n from users where org_id = ${p(1)}`, [ORG]],
    [
      'count(*) of the organization’s e-mail rows',
      `select count(*) as n from user_values where org_id = ${p(1)} and attr = ${p(2)}`,
      [ORG, 'emails'],
    ],
    [
      'bounded count of users (limit 10,001)',
      `select count(*) as n from (select 1 from users where org_id = ${p(1)} limit 10001) t`,
      [ORG],
    ],
    [
      'bounded count of e-mail rows (limit 100,001)',
      `select count(*) as n from (select 1 from user_values where org_id = ${p(1)} and attr = ${p(2)} limit 100001) t`,
      [ORG, 'emails'],
    ],
  ];
  for (const [label, text, parameters] of statements) {
    const { ms, k } = await time(() => target.raw(text, parameters));
    const rows = await target.raw(text, parameters);
    console.log(`${label} | ${ms.toFixed(2)} | ${k} | n = ${Number(rows[0]?.n).toLocaleString('en')}`);
  }
}

// --- the yardstick -------------------------------------------------------------------------

interface Baseline {
  /** Bare requests served per millisecond: a figure in ms times this is "that many requests". */
  readonly perMs: number;
  readonly line: string;
}

/** A node:http server in a worker thread answering a small JSON body, loaded by autocannon. */
async function measureBare(): Promise<Baseline> {
  const worker = new Worker(
    `const { createServer } = require('node:http');
     const { parentPort } = require('node:worker_threads');
     const body = JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, Resources: [] });
     const server = createServer((req, res) => {
       res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
       res.end(body);
     });
     server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));`,
    { eval: true },
  );
  try {
    const port = await new Promise<number>((resolve) => worker.once('message', resolve));
    const require = createRequire(import.meta.url);
    const autocannon = require('autocannon') as (options: object) => Promise<{
      requests: { average: number };
      latency: { p50: number; p99: number };
    }>;
    const connections = 10;
    const duration = 3;
    const result = await autocannon({ url: `http://127.0.0.1:${port}/`, connections, duration });
    return {
      perMs: result.requests.average / 1000,
      line: `bare node:http (small JSON body, worker thread), autocannon ${connections} connections × ${duration} s: ${Math.round(result.requests.average).toLocaleString('en')} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`,
    };
  } finally {
    await worker.terminate();
  }
}

async function main(): Promise<void> {
  console.log(
    `filter worst case: Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${USERS.toLocaleString('en')} users, ${RUNS} runs per shape`,
  );
  const before = await measureBare();
  console.log(before.line);
  if (STORES.includes('sqlite')) {
    const target = await openSqliteTarget();
    try {
      await seed(target);
      await measure(target, before);
    } finally {
      await target.close();
    }
  }
  if (STORES.includes('postgres')) {
    const embedded = process.env.BENCH_DATABASE_URL ? undefined : await startEmbeddedPostgres();
    try {
      const target = await openPostgresTarget(process.env.BENCH_DATABASE_URL ?? embedded?.url ?? '');
      try {
        await seed(target);
        await measure(target, before);
      } finally {
        await target.close();
      }
    } finally {
      await embedded?.stop();
    }
  }
  console.log('');
  console.log(`${(await measureBare()).line} (again, after the stores)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
