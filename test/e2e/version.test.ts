import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
// What the launcher prints when it cannot use dist/ (see cli.test.ts); allowed on stderr.
const LAUNCHER_NOTICE = /^parallel-scim: [^\n]*running src\/ through tsx[^\n]*\n/;

test('parallel-scim --version and -V print the version of package.json, opening no database or server', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parallel-scim-version-'));
  try {
    for (const flag of ['--version', '-V']) {
      const log = join(dir, `modules${flag}.txt`);
      writeFileSync(log, '');
      // From another folder, with a DATABASE_URL that would be created if anything opened it.
      const dbFile = join(dir, 'never.db');
      const { stdout, stderr } = await run(
        process.execPath,
        ['--import', join(ROOT, 'test', 'helpers', 'module-log.mjs'), join(ROOT, 'bin', 'parallel-scim.js'), flag],
        { cwd: dir, env: { ...process.env, DATABASE_URL: `sqlite:${dbFile}`, MODULE_LOG: log } },
      );
      assert.equal(stdout, `${VERSION}\n`, flag);
      assert.equal(stderr.replace(LAUNCHER_NOTICE, ''), '', flag);
      const loaded = readFileSync(log, 'utf8').split('\n');
      const heavy = loaded.filter((url) =>
        /\/node_modules\/(fastify|kysely|better-sqlite3|pg|pino)\/|\/(src|dist)\/(http|store)\/|\/services\/index\./.test(
          url,
        ),
      );
      assert.deepEqual([...new Set(heavy)], [], `${flag} loads neither the store nor the server`);
      assert.throws(() => readFileSync(dbFile), 'no database was created');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the server entry answers --version instead of starting', async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'main.ts'), '--version'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '1', DATABASE_URL: 'sqlite::memory:' },
  });
  assert.equal(stdout, `${VERSION}\n`);
});
