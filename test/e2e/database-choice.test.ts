import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import { runCliInProcess } from '../helpers/cli.js';
import { spawnService } from '../helpers/service-process.js';
import { testStores } from '../helpers/stores.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'parallel-scim.js');
const LAUNCHER_NOTICE = /^parallel-scim: [^\n]*running src\/ through tsx[^\n]*\n/;

/** The CLI as support runs it: a real process in `cwd`, with DATABASE_URL as given (or unset). */
async function cliIn(cwd: string, databaseUrl: string | undefined, args: readonly string[]) {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  if (databaseUrl !== undefined) env.DATABASE_URL = databaseUrl;
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd, env });
    return { code: 0, stdout, stderr: stderr.replace(LAUNCHER_NOTICE, '') };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr.replace(LAUNCHER_NOTICE, '') };
  }
}

describe('the CLI never creates a database', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'parallel-scim-cli-db-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('run from another folder with the default DATABASE_URL: exit 2, the absolute path it looked for, nothing created', async () => {
    const result = await cliIn(dir, undefined, ['org', 'list']);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, '');
    const expected = join(dir, 'data', 'parallel-scim.db');
    assert.ok(result.stderr.includes(`No database at ${expected}`), result.stderr);
    assert.match(result.stderr, /DATABASE_URL=sqlite:\.\/data\/parallel-scim\.db \(the default when unset\)/);
    assert.ok(result.stderr.includes(`working directory ${dir}`), result.stderr);
    assert.deepEqual(readdirSync(dir), [], 'no folder, no file');
  });

  test('a mistyped file name: exit 2 naming it, nothing created', async () => {
    const result = await cliIn(dir, 'sqlite:./parallel-scm.db', ['token', 'list', '--org', 'x']);
    assert.equal(result.code, 2, result.stderr);
    assert.ok(result.stderr.includes(`No database at ${join(dir, 'parallel-scm.db')}`), result.stderr);
    assert.equal(existsSync(join(dir, 'parallel-scm.db')), false);
  });

  test('an empty file and a file that is not SQLite are refused, and left as they were', async () => {
    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    const refusedEmpty = await runCliInProcess(`sqlite:${empty}`, ['org', 'list']);
    assert.equal(refusedEmpty.code, 2, refusedEmpty.stderr);
    assert.match(refusedEmpty.stderr, /empty\.db is not a parallel-scim database/);
    assert.equal(statSync(empty).size, 0, 'not turned into a database');
    const text = join(dir, 'notes.db');
    writeFileSync(text, 'not a database at all, just some text that is long enough to be read as a header\n');
    const refusedText = await runCliInProcess(`sqlite:${text}`, ['org', 'list']);
    assert.equal(refusedText.code, 2, refusedText.stderr);
    assert.match(refusedText.stderr, /notes\.db is not a SQLite database/);
    assert.deepEqual(readdirSync(dir).sort(), ['empty.db', 'notes.db'], 'no -wal or -shm beside them');
  });
});

describe('the server creates the database and says where', () => {
  test('first start "database created" with the absolute path, the next "database opened"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parallel-scim-serve-db-'));
    try {
      const file = join(dir, 'nested', 'scim.db');
      const first = await spawnService({ databaseUrl: `sqlite:${file}`, logs: true, readyWhen: 'listening' });
      await first.stop();
      const created = first.lines.find((l) => l.msg === 'database created');
      assert.deepEqual({ database: created?.database, created: created?.created }, { database: file, created: true });
      const second = await spawnService({ databaseUrl: `sqlite:${file}`, logs: true, readyWhen: 'listening' });
      await second.stop();
      const opened = second.lines.find((l) => l.msg === 'database opened');
      assert.deepEqual({ database: opened?.database, created: opened?.created }, { database: file, created: false });
      // And now the CLI finds it.
      const listed = await runCliInProcess(`sqlite:${file}`, ['org', 'list']);
      assert.equal(listed.code, 0, listed.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

for (const backend of testStores()) {
  describe(`"organization not found" names the database on ${backend.name}`, () => {
    let db: Awaited<ReturnType<typeof backend.open>>;
    before(async () => {
      db = await backend.open();
    });
    after(async () => {
      await db.close();
    });

    test('the message says which database was searched, never its password', async () => {
      const result = await runCliInProcess(db.databaseUrl, ['token', 'list', '--org', 'no-such-org']);
      assert.equal(result.code, 3, result.stderr);
      if (backend.name === 'sqlite') {
        const file = db.databaseUrl.slice('sqlite:'.length);
        assert.equal(
          result.stderr,
          `parallel-scim: No organization with id no-such-org in the SQLite database ${file}\n`,
        );
      } else {
        const url = new URL(db.databaseUrl);
        assert.ok(
          result.stderr.includes(
            `in PostgreSQL ${url.hostname}:${url.port} database ${url.pathname.slice(1)} schema ${url.searchParams.get('schema')} as ${url.username}`,
          ),
          result.stderr,
        );
        // The test server's password is also its user and database name: look for it as a password.
        assert.doesNotMatch(result.stderr, /:[^\s:@/]+@|password/i, 'no password');
      }
    });

    if (backend.name === 'postgres') {
      test('a schema with no parallel-scim tables: exit 2, and the CLI creates no schema', async () => {
        const url = new URL(db.databaseUrl);
        url.searchParams.set('schema', 'cli_never_creates_this');
        const result = await runCliInProcess(url.toString(), ['org', 'list']);
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stderr, /No parallel-scim tables in PostgreSQL [^\n]* schema cli_never_creates_this /);
        const admin = new pg.Client({ connectionString: process.env.TEST_POSTGRES_URL });
        await admin.connect();
        try {
          const { rowCount } = await admin.query("select 1 from pg_namespace where nspname = 'cli_never_creates_this'");
          assert.equal(rowCount, 0);
        } finally {
          await admin.end();
        }
      });
    }
  });
}
