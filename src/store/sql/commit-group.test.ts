import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { orgRecord, T0, userRecord } from '../../../test/helpers/records.js';
import type { NewEvent } from '../events-store.js';
import { openSqlite } from '../sqlite/open-sqlite.js';
import type { Store } from '../store.js';
import { UniqueViolation } from '../store-errors.js';
import { CommitGroups } from './commit-group.js';
import type { Database as Schema } from './db-schema.js';

/*
 * Group commit on SQLite, on a real file: members of one group fail alone, settle only after the
 * COMMIT, and nobody outside the group (a read on the same store, another connection) sees a
 * group's work before it commits.
 */

/** A promise and its resolve, to hold a member inside an open group. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open: () => open() };
}

let serial = 0;
function event(orgId: string): NewEvent {
  serial += 1;
  return {
    orgId,
    id: `evt-${String(serial).padStart(6, '0')}`,
    at: T0,
    type: 'user.updated',
    version: 1,
    resourceId: 'r-1',
    actor: { kind: 'token', tokenId: 'tok' },
    requestId: `req-${serial}`,
    data: { n: serial },
  };
}

describe('group commit (SQLite store)', () => {
  let dir: string;
  let file: string;
  let store: Store;
  const statements: string[] = [];
  const commits = () => statements.filter((s) => s === 'commit').length;
  const org = 'org-1';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parallel-scim-group-'));
    file = join(dir, 'test.db');
    store = openSqlite(file, { onQuery: (text) => statements.push(text.trim()) });
    await store.migrate();
    await store.insertOrg(orgRecord(org));
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('transactions started together commit in fewer COMMITs, each returning its own result', async () => {
    const before = commits();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.transaction(async (tx) => {
          await tx.insertUser(userRecord(org, `together-${i}`, `together-${i}@example.com`));
          return i;
        }),
      ),
    );
    assert.deepEqual(
      results,
      Array.from({ length: 20 }, (_, i) => i),
    );
    const used = commits() - before;
    assert.ok(used < 20, `20 transactions took ${used} COMMITs: they did not group`);
    for (let i = 0; i < 20; i++) assert.ok(await store.getUser(org, `together-${i}`));
  });

  test('a member that fails, or clashes on a unique key, is rolled back alone; the others commit', async () => {
    const failure = new Error('a rule said no');
    const outcomes = await Promise.allSettled([
      store.transaction((tx) => tx.insertUser(userRecord(org, 'alone-a', 'alone-a@example.com'))),
      store.transaction(async (tx) => {
        await tx.insertUser(userRecord(org, 'alone-b', 'alone-b@example.com'));
        throw failure;
      }),
      store.transaction((tx) => tx.insertUser(userRecord(org, 'alone-c', 'alone-a@example.com'))),
      store.transaction((tx) => tx.insertUser(userRecord(org, 'alone-d', 'alone-d@example.com'))),
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'rejected', 'rejected', 'fulfilled'],
    );
    assert.equal((outcomes[1] as PromiseRejectedResult).reason, failure);
    assert.ok((outcomes[2] as PromiseRejectedResult).reason instanceof UniqueViolation);
    assert.ok(await store.getUser(org, 'alone-a'));
    assert.equal(await store.getUser(org, 'alone-b'), undefined, 'the failed member left a row behind');
    assert.equal(await store.getUser(org, 'alone-c'), undefined);
    assert.ok(await store.getUser(org, 'alone-d'));
  });

  test('events of a group take gapless cursors in commit order, a failed member taking none', async () => {
    const start = await store.events.lastCursor(org);
    const outcomes = await Promise.allSettled(
      [0, 1, 2, 3].map((i) =>
        store.transaction(async (tx) => {
          await tx.events.append(event(org));
          await tx.events.append(event(org));
          if (i === 1) throw new Error('no');
        }),
      ),
    );
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
    );
    const cursors = (await store.events.list(org, start, 100)).map((e) => e.cursor);
    assert.deepEqual(
      cursors,
      [1, 2, 3, 4, 5, 6].map((k) => start + k),
    );
  });

  test('nobody sees a group before its COMMIT, and a member settles only after it', async () => {
    const held = gate();
    const settled: string[] = [];
    const first = store
      .transaction(async (tx) => {
        await tx.insertUser(userRecord(org, 'held-1', 'held-1@example.com'));
        await held.opened;
      })
      .then(() => settled.push('first'));
    const second = store
      .transaction((tx) => tx.insertUser(userRecord(org, 'held-2', 'held-2@example.com')))
      .then(() => settled.push('second'));
    // A read on the same store, outside any transaction, and a second connection to the file.
    const read = store.getUser(org, 'held-1').then((user) => {
      settled.push('read');
      return user;
    });
    const other = new Database(file, { readonly: true });
    try {
      await new Promise((resolve) => setTimeout(resolve, 30));
      const seen = other.prepare('select count(*) as n from users where id like ?').get('held-%') as { n: number };
      assert.equal(seen.n, 0, 'another connection saw uncommitted work');
      assert.deepEqual(settled, [], 'something settled while the group was open');
      held.open();
      const [user] = await Promise.all([read, first, second]);
      assert.ok(user, 'the read waited for the commit, then found the row');
      const after = other.prepare('select count(*) as n from users where id like ?').get('held-%') as { n: number };
      assert.equal(after.n, 2);
    } finally {
      other.close();
    }
  });
});

describe('CommitGroups when a member loses the transaction', () => {
  test('the members that had run are run again in a new transaction; the one that broke it fails alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parallel-scim-group-'));
    const database = new Database(join(dir, 'lost.db'));
    const kysely = new Kysely<Schema>({ dialect: new SqliteDialect({ database }) });
    try {
      await sql`create table t (v text primary key)`.execute(kysely);
      const groups = new CommitGroups(kysely, 'begin immediate');
      const runs = { a: 0, c: 0 };
      const broke = new Error('disk gave up');
      const insert = (conn: Kysely<Schema>, v: string) => sql`insert into t (v) values (${v})`.execute(conn);
      const outcomes = await Promise.allSettled([
        groups.run(async (conn) => {
          runs.a++;
          await insert(conn, 'a');
          return 'a';
        }),
        // SQLite rolls the whole transaction back on a full disk or an I/O error; this does the same.
        groups.run(async (conn) => {
          await insert(conn, 'b');
          await sql`rollback`.execute(conn);
          throw broke;
        }),
        groups.run(async (conn) => {
          runs.c++;
          await insert(conn, 'c');
          return 'c';
        }),
      ]);
      assert.deepEqual(
        outcomes.map((o) => (o.status === 'fulfilled' ? o.value : o.reason)),
        ['a', broke, 'c'],
      );
      assert.equal(runs.a, 2, 'a ran before the loss and once more after it');
      assert.equal(runs.c, 1);
      const rows = await sql<{ v: string }>`select v from t order by v`.execute(kysely);
      assert.deepEqual(
        rows.rows.map((r) => r.v),
        ['a', 'c'],
      );
    } finally {
      await kysely.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
