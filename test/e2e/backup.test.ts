import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { createServices } from '../../src/services/index.js';
import { openStore } from '../../src/store/open-store.js';
import { runCliInProcess } from '../helpers/cli.js';
import { spawnService } from '../helpers/service-process.js';
import { newTenant, scimRequest } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'src', 'cli', 'main.ts');
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** `parallel-scim ...` as its own process, as cron or support runs it. */
function runCli(
  databaseUrl: string,
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/**
 * `parallel-scim backup` (services/backups.ts, store/sqlite/sqlite-backup.ts) as operators run it:
 * the real CLI as its own process against a real server process under continuous SCIM writes,
 * then the restore docs/operations.md describes, served by a new server process.
 */

describe('backup while the server writes, and restore (SQLite)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'parallel-scim-backup-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('a backup taken under continuous SCIM writes restores to a complete, serving database', async () => {
    const databaseUrl = `sqlite:${join(dir, 'live.db')}`;
    const setup = await openStore(databaseUrl);
    const { token, orgId } = await newTenant(createServices(setup));
    await setup.close();
    // Some tens of MiB of log history, so the online backup takes several steps and the server
    // commits between them (each such commit makes SQLite start the copy over).
    const raw = new Database(join(dir, 'live.db'));
    raw
      .prepare(
        `with recursive n(i) as (select 1 union all select i + 1 from n where i < 25000)
         insert into provisioning_log (org_id, id, at, request_id, method, path, status, duration_ms, error_detail)
         select ?, printf('00000000-0000-7000-8000-%012d', i), i, 'history', 'GET', '/Users', 200, 1, hex(randomblob(400))
         from n`,
      )
      .run(orgId);
    raw.close();

    const server = await spawnService({ databaseUrl });
    const base = `${server.origin}/scim/v2`;
    const created: string[] = [];
    let writing = true;
    let failures: string[] = [];
    let someCreated!: () => void;
    const enough = new Promise<void>((resolve) => {
      someCreated = resolve;
    });
    try {
      const group = await scimRequest(`${base}/Groups`, {
        method: 'POST',
        token,
        body: { schemas: [GROUP], displayName: 'Everyone', externalId: 'g-everyone' },
      });
      assert.equal(group.status, 201, group.text);
      const groupId = group.body.id as string;
      // Each writer: create a user, rename it twice, put every other one in the group; all of it
      // answered 2xx, until told to stop.
      let next = 0;
      const writer = async () => {
        while (writing) {
          const i = next++;
          const res = await scimRequest(`${base}/Users`, {
            method: 'POST',
            token,
            body: { schemas: [USER], userName: `b${i}@x.com`, externalId: `b-${i}`, active: true },
          });
          if (res.status !== 201) {
            failures.push(`create ${i}: ${res.status} ${res.text}`);
            continue;
          }
          const id = res.body.id as string;
          created.push(id);
          if (created.length >= 30) someCreated();
          for (const v of [1, 2]) {
            const patched = await scimRequest(`${base}/Users/${id}`, {
              method: 'PATCH',
              token,
              body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: `v${v}` }] },
            });
            if (patched.status !== 200) failures.push(`patch ${i}: ${patched.status} ${patched.text}`);
          }
          if (i % 2 === 0) {
            const added = await scimRequest(`${base}/Groups/${groupId}`, {
              method: 'PATCH',
              token,
              body: { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }] },
            });
            if (added.status !== 204 && added.status !== 200) failures.push(`member ${i}: ${added.status}`);
          }
        }
      };
      const writers = Array.from({ length: 4 }, writer);
      await enough;

      const target = join(dir, 'backup.db');
      const answeredBefore = [...created];
      const backup = await runCli(databaseUrl, ['backup', '--to', target, '--json']);
      const answeredDuring = created.length;
      assert.equal(backup.code, 0, backup.stderr);
      const copy = JSON.parse(backup.stdout);
      assert.equal(copy.integrity, 'ok');
      assert.equal(copy.path, target);
      assert.equal(copy.organizations, 1);
      assert.ok(copy.steps >= 2, `the copy took several steps (${copy.steps})`);
      assert.match(copy.migrationLevel, /^\d{4}-/);

      writing = false;
      await Promise.all(writers);
      assert.ok(created.length > answeredDuring || answeredDuring > answeredBefore.length, 'writes went on meanwhile');
      assert.deepEqual(failures, [], 'every write during the backup succeeded');
      failures = [];

      // A backup to an existing file without --force writes nothing, leaves no partial file.
      const before = sha256(target);
      const again = await runCli(databaseUrl, ['backup', '--to', target]);
      assert.equal(again.code, 2);
      assert.match(again.stderr, /exists; nothing was written \(--force replaces it\)/);
      assert.equal(sha256(target), before);
      assert.deepEqual(
        readdirSync(dir).filter((f) => f.includes('backup')),
        ['backup.db'],
      );

      // What the copy holds: each user with its create, both renames and its membership as one
      // commit each, never a row without its log entry and event or the reverse.
      const held = new Database(target, { readonly: true });
      try {
        assert.equal(held.pragma('journal_mode', { simple: true }), 'delete', 'the backup is one self-contained file');
        assert.equal(held.pragma('integrity_check', { simple: true }), 'ok');
        const users = held.prepare('select id, doc from users where org_id = ?').all(orgId) as {
          id: string;
          doc: string;
        }[];
        assert.equal(users.length, copy.users);
        const ids = new Set(users.map((u) => u.id));
        for (const id of answeredBefore) assert.ok(ids.has(id), `user ${id}, created before the backup, is in it`);
        const logCount = held.prepare(
          'select count(*) from provisioning_log where org_id = ? and resource_id = ? and method = ? and status = ?',
        );
        const eventCount = held.prepare(
          'select count(*) from events where org_id = ? and resource_id = ? and type = ?',
        );
        for (const { id, doc } of users) {
          assert.equal(logCount.pluck().get(orgId, id, 'POST', 201), 1, `user ${id}: its create is logged`);
          assert.equal(eventCount.pluck().get(orgId, id, 'user.created'), 1, `user ${id}: its created event`);
          const renames = logCount.pluck().get(orgId, id, 'PATCH', 200) as number;
          assert.equal(eventCount.pluck().get(orgId, id, 'user.updated'), renames, `user ${id}: one event a rename`);
          assert.equal(JSON.parse(doc).displayName, renames === 0 ? undefined : `v${renames}`);
        }
        const members = held.prepare('select count(*) from team_members where org_id = ?').pluck().get(orgId);
        const memberEvents = held
          .prepare("select count(*) from events where org_id = ? and type = 'team.member_added'")
          .pluck()
          .get(orgId);
        assert.equal(memberEvents, members, 'one event a membership');
      } finally {
        held.close();
      }
    } finally {
      writing = false;
      await server.stop();
    }

    // Restore as docs/operations.md says: the service stopped, the backup put in place, started.
    const restored = join(dir, 'restored.db');
    copyFileSync(join(dir, 'backup.db'), restored);
    const restoredServer = await spawnService({ databaseUrl: `sqlite:${restored}` });
    try {
      const list = await scimRequest(`${restoredServer.origin}/scim/v2/Users?count=1000`, { token });
      assert.equal(list.status, 200, list.text);
      const copyUsers = new Database(join(dir, 'backup.db'), { readonly: true });
      const expected = copyUsers.prepare('select id from users where org_id = ?').pluck().all(orgId) as string[];
      copyUsers.close();
      assert.equal(list.body.totalResults, expected.length);
      assert.deepEqual(new Set(list.body.Resources.map((u: { id: string }) => u.id)), new Set(expected));
      const one = await scimRequest(`${restoredServer.origin}/scim/v2/Users/${expected[0]}`, { token });
      assert.equal(one.status, 200);
      const create = await scimRequest(`${restoredServer.origin}/scim/v2/Users`, {
        method: 'POST',
        token,
        body: { schemas: [USER], userName: 'after-restore@x.com', externalId: 'after-restore', active: true },
      });
      assert.equal(create.status, 201, 'the restored database takes writes');
    } finally {
      await restoredServer.stop();
    }
  });

  test('refusals: the live file itself, a missing folder, a missing database; nothing is written', async () => {
    const live = join(dir, 'refusals.db');
    const setup = await openStore(`sqlite:${live}`);
    await setup.close();
    const itself = await runCliInProcess(`sqlite:${live}`, ['backup', '--to', live, '--force']);
    assert.equal(itself.code, 2);
    assert.match(itself.stderr, /is the live database itself/);
    const wal = await runCliInProcess(`sqlite:${live}`, ['backup', '--to', `${live}-wal`, '--force']);
    assert.equal(wal.code, 2);
    const missing = await runCliInProcess(`sqlite:${live}`, ['backup', '--to', join(dir, 'nope', 'x.db')]);
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /folder of .* does not exist/);
    assert.equal(existsSync(join(dir, 'nope')), false);
    // A mistyped DATABASE_URL: no source is created, and no backup of an empty one is made.
    const typo = await runCliInProcess(`sqlite:${join(dir, 'refusal.db')}`, ['backup', '--to', join(dir, 'typo.db')]);
    assert.notEqual(typo.code, 0);
    assert.equal(existsSync(join(dir, 'refusal.db')), false);
    assert.equal(existsSync(join(dir, 'typo.db')), false);
  });
});

for (const backend of testStores().filter((s) => s.name === 'postgres')) {
  describe('backup on PostgreSQL', () => {
    test('is refused with the way to back it up instead', async () => {
      const db = await backend.open();
      const dir = mkdtempSync(join(tmpdir(), 'parallel-scim-backup-pg-'));
      try {
        const result = await runCliInProcess(db.databaseUrl, ['backup', '--to', join(dir, 'x.db')]);
        assert.equal(result.code, 2);
        assert.match(result.stderr, /on PostgreSQL use pg_dump/);
        assert.deepEqual(readdirSync(dir), []);
      } finally {
        rmSync(dir, { recursive: true, force: true });
        await db.close();
      }
    });
  });
}
