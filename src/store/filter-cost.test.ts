import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, type LogEvent, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { usersSortedBy, usersWhere } from '../../test/helpers/checked.js';
import { testStores } from '../../test/helpers/stores.js';
import { MAX_SUBSTRING_PATTERN_LENGTH } from '../scim/limits.js';
import type { ResourceDoc } from '../scim/resource-doc.js';
import { postgresHooks } from './postgres/postgres-dialect.js';
import { memoryRateLimiter } from './rate-limiter.js';
import type { Database as Schema } from './sql/db-schema.js';
import type { FilterCostModel, SqlDialectHooks } from './sql/sql-dialect.js';
import { SqlStore } from './sql/sql-store.js';
import { sqliteHooks } from './sqlite/sqlite-dialect.js';
import type { RowsQuery, Store, UserRecord } from './store.js';
import { FilterTooCostly } from './store-errors.js';

/*
 * The filter cost rule (compile-filter.ts, docs/scaling.md "Filter cost") on both stores. The
 * budgets here are tiny, so that a dozen users cross them: each test opens a store on the same
 * database with the budget it needs, and the figures it expects come from the dialect's own cost
 * model, so retuning the model keeps them true.
 */

const T0 = 1_700_000_000_000;
const A = 'org-cost-a';
/** A larger organization next door: its rows must never count against A's. */
const B = 'org-cost-b';
const USERS = 12;

function user(orgId: string, i: number, doc: Partial<ResourceDoc> = {}): UserRecord {
  const userName = `user-${i}`;
  return {
    orgId,
    id: `${orgId}-u${i}`,
    userName,
    externalId: `ext-${i}`,
    active: true,
    scimManaged: true,
    doc: {
      userName,
      externalId: `ext-${i}`,
      title: 'Engineer',
      emails: [
        { value: `${userName}@example.com`, type: 'work' },
        { value: `${userName}@home.example`, type: 'home' },
      ],
      ...doc,
    },
    version: 1,
    createdAt: T0 + i,
    updatedAt: T0 + i,
  };
}

const query = (filter: string | undefined, extra: Partial<RowsQuery> = {}): RowsQuery => ({
  ...(filter === undefined ? {} : { filter: usersWhere(filter) }),
  sortOrder: 'ascending',
  offset: 0,
  limit: 100,
  ...extra,
});

/** A second store on an opened test database, with `filterCost` changed; also logs the SQL it runs. */
function storeWithCost(
  name: 'sqlite' | 'postgres',
  databaseUrl: string,
  change: Partial<FilterCostModel>,
  statements: string[],
): { store: Store; close(): Promise<void> } {
  const base: SqlDialectHooks = name === 'sqlite' ? sqliteHooks : postgresHooks;
  const hooks: SqlDialectHooks = { ...base, filterCost: { ...base.filterCost, ...change } };
  const log = (event: LogEvent) => {
    statements.push(event.query.sql);
  };
  let kysely: Kysely<Schema>;
  if (name === 'sqlite') {
    const database = new Database(databaseUrl.slice('sqlite:'.length));
    kysely = new Kysely<Schema>({ dialect: new SqliteDialect({ database }), log });
  } else {
    const url = new URL(databaseUrl);
    const schema = url.searchParams.get('schema');
    url.searchParams.delete('schema');
    const pool = new pg.Pool({ connectionString: url.toString(), max: 2, options: `-c search_path=${schema}` });
    kysely = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }), log });
  }
  const store = new SqlStore(kysely, hooks, { rateLimiter: memoryRateLimiter });
  return { store, close: () => store.close() };
}

/** The rule's refusal (the service answers it 400 tooMany), with a detail naming what to filter with. */
function tooCostly(...mentions: string[]) {
  return (error: unknown) => {
    assert.ok(error instanceof FilterTooCostly, `expected FilterTooCostly, got ${String(error)}`);
    for (const text of ['eq on id, externalId, userName', ...mentions]) {
      assert.ok(error.detail.includes(text), `"${text}" missing from: ${error.detail}`);
    }
    return true;
  };
}

for (const backend of testStores()) {
  describe(`filter cost rule on ${backend.name}`, () => {
    const model = (backend.name === 'sqlite' ? sqliteHooks : postgresHooks).filterCost;
    /**
     * What `terms` co tests with literals of `length` characters cost over `rows` rows holding
     * `bytes` bytes in an indexed column, as the dialect's model charges them: each test per row,
     * and the search per KiB of the values.
     */
    const substringCost = (rows: number, bytes: number, length: number, terms = 1) => {
      const share = Math.min(1, length / MAX_SUBSTRING_PATTERN_LENGTH);
      const perKiB = model.shortSubstringPerKiB + (model.substringPerKiB - model.shortSubstringPerKiB) * share;
      return rows * terms + Math.ceil(terms * (bytes / 1024) * perKiB);
    };
    /** Bytes of A's folded userNames (user-0 ... user-11) and of its e-mail values. */
    const userNameBytes = Array.from({ length: USERS }, (_, i) => `user-${i}`.length).reduce((a, b) => a + b, 0);
    const emailBytes = 2 * userNameBytes + USERS * ('@example.com'.length + '@home.example'.length);
    let databaseUrl: string;
    let closeDatabase: () => Promise<void>;
    const opened: { close(): Promise<void> }[] = [];
    let statements: string[] = [];

    /** A store on the test database whose budget is `budget` units. */
    const withBudget = (budget: number): Store => {
      const handle = storeWithCost(backend.name, databaseUrl, { budget }, statements);
      opened.push(handle);
      return handle.store;
    };

    before(async () => {
      let store: Store;
      ({ store, databaseUrl, close: closeDatabase } = await backend.open());
      for (const [orgId, users] of [
        [A, USERS],
        [B, 100],
      ] as const) {
        await store.insertOrg({
          id: orgId,
          name: orgId,
          scimEnabled: true,
          deleteMode: 'retain',
          createdAt: T0,
          updatedAt: T0,
        });
        await store.transaction(async (tx) => {
          for (let i = 0; i < users; i++) await tx.insertUser(user(orgId, i));
        });
      }
    });
    after(async () => {
      for (const handle of opened) await handle.close();
      await closeDatabase();
    });

    test('a substring filter is answered up to the budget and refused one unit past it', async () => {
      // A's twelve users cost this; B's hundred never count.
      const exact = substringCost(USERS, userNameBytes, 4);
      const page = await withBudget(exact).listUsers(A, query('userName co "user"'));
      assert.equal(page.total, USERS);
      await assert.rejects(
        withBudget(exact - 1).listUsers(A, query('userName co "user"')),
        tooCostly(`${USERS} users for userName co`),
      );
    });

    test('every term of an or chain reads the users again', async () => {
      const twoTerms = substringCost(USERS, userNameBytes, 6, 2);
      const store = withBudget(twoTerms);
      const page = await store.listUsers(A, query('userName co "user-1" or userName co "user-2"'));
      assert.equal(page.total, 4);
      await assert.rejects(
        store.listUsers(A, query('userName co "user-1" or userName co "user-2" or userName co "user-3"')),
        tooCostly('userName co, userName co, userName co'),
      );
    });

    test('a term on e-mails reads every e-mail row of the organization', async () => {
      const exact = substringCost(2 * USERS, emailBytes, 7);
      const page = await withBudget(exact).listUsers(A, query('emails co "example"'));
      assert.equal(page.total, USERS);
      await assert.rejects(
        withBudget(exact - 1).listUsers(A, query('emails co "example"')),
        tooCostly(`${2 * USERS} emails values for emails co`),
      );
    });

    test('an indexed eq among the conjuncts bounds the rows read to those it matches', async () => {
      // One e-mail row matches the value: two tests on it, "work" searched, and the row read to
      // measure type, which no index holds.
      const store = withBudget(3 + model.measurePerRow);
      const matched = await store.listUsers(A, query('emails[value eq "user-3@example.com" and type co "w"]'));
      assert.deepEqual(
        matched.items.map((u) => u.userName),
        ['user-3'],
      );
      await assert.rejects(store.listUsers(A, query('emails[type co "w"]')), tooCostly('emails.type co'));
    });

    test('a range an index answers costs what it matches, each fetched to sort the page', async () => {
      // users_updated_ix on both databases; users 9, 10 and 11 were modified at or after T0 + 9.
      const since = (ms: number) => `meta.lastModified ge "${new Date(T0 + ms).toISOString()}"`;
      const store = withBudget(3 * (1 + model.rowFetch));
      assert.equal((await store.listUsers(A, query(since(9)))).total, 3);
      await assert.rejects(store.listUsers(A, query(since(0))), tooCostly('users for meta.lastModified ge'));
    });

    test('what IdPs send is answered on a budget of 10 units, and unique lookups count nothing', async () => {
      const store = withBudget(10);
      statements = [];
      for (const filter of ['userName eq "USER-3"', 'externalId eq "ext-3"', `id eq "${A}-u3"`]) {
        const page = await store.listUsers(A, query(filter));
        assert.deepEqual(
          page.items.map((u) => u.userName),
          ['user-3'],
          filter,
        );
      }
      assert.deepEqual(
        statements.filter((s) => s.includes('octet_length') || /count\(\*\) as n from \(select/.test(s)),
        [],
      );
      // The unique lookup leaves one user to test: a long value is measured on that row alone.
      const narrowed = await store.listUsers(A, query('userName eq "user-3" and title co "engineer"'));
      assert.equal(narrowed.total, 1);
      // Entra's match on a work e-mail (its matching attribute may be emails[type eq "work"].value).
      const byEmail = await store.listUsers(A, query('emails[type eq "work"].value eq "user-3@example.com"'));
      assert.equal(byEmail.total, 1);
      // A full import (Okta) has no filter: the store only counts and pages by index.
      const all = await store.listUsers(A, query(undefined, { limit: 5 }));
      assert.deepEqual([all.items.length, all.total], [5, USERS]);
    });

    test('a value with no cap but the document is charged by the size it has', async () => {
      const store = withBudget(100);
      assert.equal((await store.listUsers(A, query('title co "zz"'))).total, 0);
      const big: UserRecord = user(A, 99, { title: 'a'.repeat(40_000) });
      await withBudget(100).insertUser(big);
      try {
        await assert.rejects(store.listUsers(A, query('title co "zz"')), tooCostly('users for title co'));
      } finally {
        await withBudget(100).deleteUser(A, big.id);
      }
    });

    test('sortBy an attribute without an index reads every user; an indexed one does not', async () => {
      const store = withBudget(USERS - 1);
      const byName = await store.listUsers(
        A,
        query(undefined, { sortBy: usersSortedBy({ attr: 'userName' }), limit: 3 }),
      );
      assert.deepEqual(
        byName.items.map((u) => u.userName),
        ['user-0', 'user-1', 'user-10'],
      );
      await assert.rejects(
        store.listUsers(A, query(undefined, { sortBy: usersSortedBy({ attr: 'title' }) })),
        tooCostly('users for sortBy title'),
      );
    });
  });
}
