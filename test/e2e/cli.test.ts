import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { type RunningServer, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const run = promisify(execFile);
// The sources through tsx: a dist/ left by an earlier build must not stand in for them.
const CLI = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** The CLI as support runs it: a separate process on the same DATABASE_URL as a running server. */
for (const backend of testStores()) {
  describe(`CLI on ${backend.name}`, () => {
    let server: RunningServer;
    before(async () => {
      server = await startServer(backend);
    });
    after(async () => {
      await server.close();
    });

    async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
      try {
        const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', CLI, ...args], {
          env: { ...process.env, DATABASE_URL: server.databaseUrl },
        });
        return { stdout, stderr, code: 0 };
      } catch (error) {
        const e = error as { stdout: string; stderr: string; code: number };
        return { stdout: e.stdout, stderr: e.stderr, code: e.code };
      }
    }

    test('support journey: organization, token, invited user, IdP create links it, log shows it', async () => {
      const created = await cli('org', 'create', '--name', 'Fabrikam', '--json');
      assert.equal(created.code, 0, created.stderr);
      const org = JSON.parse(created.stdout) as { id: string; name: string };
      assert.deepEqual(Object.keys(org).sort(), ['id', 'name']);
      assert.equal(org.name, 'Fabrikam');

      const issued = await cli('token', 'issue', '--org', org.id, '--expires-in', '90d', '--json');
      assert.equal(issued.code, 0, issued.stderr);
      const { id: tokenId, token } = JSON.parse(issued.stdout) as { id: string; token: string };
      assert.match(token, /^pscim_[A-Za-z0-9_-]{43}$/);

      const invited = await cli(
        'user',
        'add',
        '--org',
        org.id,
        '--email',
        'Grace.Hopper@fabrikam.com',
        '--given-name',
        'Grace',
        '--family-name',
        'Hopper',
      );
      assert.equal(invited.code, 0, invited.stderr);
      const before = await cli('user', 'list', '--org', org.id, '--json');
      const listed = JSON.parse(before.stdout) as { users: { managedBy: string; externalId: string | null }[] };
      assert.deepEqual(
        listed.users.map((u) => [u.managedBy, u.externalId]),
        [['parallel', null]],
      );

      const res = await scimRequest(`${server.scimUrl}/Users`, {
        method: 'POST',
        token,
        body: { schemas: [USER], userName: 'grace.hopper@fabrikam.com', externalId: 'entra-grace', active: true },
      });
      assert.equal(res.status, 201, res.text);
      const after = JSON.parse((await cli('user', 'list', '--org', org.id, '--json')).stdout) as {
        total: number;
        users: { managedBy: string; externalId: string | null }[];
      };
      assert.equal(after.total, 1, 'linked, not duplicated');
      assert.deepEqual(
        after.users.map((u) => [u.managedBy, u.externalId]),
        [['idp', 'entra-grace']],
      );

      await scimRequest(`${server.scimUrl}/Users?filter=${encodeURIComponent('userName eq')}`, { token });
      const log = JSON.parse((await cli('log', '--org', org.id, '--json')).stdout) as {
        method: string;
        status: number;
        summary: string | null;
      }[];
      assert.deepEqual(
        log.map((e) => [e.method, e.status]),
        [
          ['GET', 400],
          ['POST', 201],
        ],
      );
      assert.match(log[1]?.summary ?? '', /linked/);
      const failures = JSON.parse(
        (await cli('log', '--org', org.id, '--status', '4xx', '--since', '1h', '--json')).stdout,
      ) as unknown[];
      assert.equal(failures.length, 1);

      const tokens = await cli('token', 'list', '--org', org.id);
      assert.match(tokens.stdout, new RegExp(tokenId));
      assert.ok(!tokens.stdout.includes(token), 'the secret is never listed');
      assert.equal((await cli('token', 'revoke', tokenId)).code, 0);
      assert.equal((await scimRequest(`${server.scimUrl}/Users`, { token })).status, 401);
    });

    test('org set switches SCIM off (403) and the DELETE setting (old names accepted); user list shows accounts the IdP deleted', async () => {
      const org = JSON.parse((await cli('org', 'create', '--name', 'Switchy', '--json')).stdout) as { id: string };
      const { token } = JSON.parse((await cli('token', 'issue', '--org', org.id, '--json')).stdout) as {
        token: string;
      };
      assert.equal((await cli('org', 'set', org.id, '--scim', 'off')).code, 0);
      assert.equal((await scimRequest(`${server.scimUrl}/Users`, { token })).status, 403);
      // "remove" is the old name of "erase": support's scripts keep working.
      assert.equal((await cli('org', 'set', org.id, '--scim', 'on', '--delete', 'remove')).code, 0);
      const shown = JSON.parse((await cli('org', 'show', org.id, '--json')).stdout) as {
        scimEnabled: boolean;
        deleteMode: string;
      };
      assert.deepEqual([shown.scimEnabled, shown.deleteMode], [true, 'erase']);
      const bad = await cli('org', 'set', org.id, '--delete', 'purge');
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /retain or erase/);
      assert.equal((await cli('org', 'set', org.id, '--delete', 'retain')).code, 0);

      const created = await scimRequest(`${server.scimUrl}/Users`, {
        token,
        method: 'POST',
        body: {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName: 'gone@switchy.test',
          externalId: 'g-1',
        },
      });
      const id = (created.body as { id: string }).id;
      assert.equal((await scimRequest(`${server.scimUrl}/Users/${id}`, { token, method: 'DELETE' })).status, 204);
      const listed = JSON.parse((await cli('user', 'list', '--org', org.id, '--json')).stdout) as {
        users: { id: string; state: string; externalId: string | null; deletedByIdpAt: string | null }[];
      };
      const retained = listed.users.find((u) => u.id === id);
      assert.equal(retained?.state, 'deleted by the IdP');
      assert.equal(retained?.externalId, null);
      assert.match(retained?.deletedByIdpAt ?? '', /^\d{4}-\d\d-\d\dT/);
    });

    test("a crafted URL cannot write escape sequences or fake lines into support's terminal", async () => {
      const org = JSON.parse((await cli('org', 'create', '--name', 'Crafty', '--json')).stdout) as { id: string };
      const { token } = JSON.parse((await cli('token', 'issue', '--org', org.id, '--json')).stdout) as {
        token: string;
      };
      // Decoded for the log's readability: %1B is ESC, %0D%0A a fake new line, %E2%80%AE a bidi override.
      const crafted = '/Users/%1B%5B2J%1B%5B1%3B1H%0D%0A2026-01-01T00:00:00.000Z%20%20200%20fake%E2%80%AE';
      assert.equal((await scimRequest(`${server.scimUrl}${crafted}`, { token })).status, 404);
      const table = await cli('log', '--org', org.id);
      assert.equal(table.code, 0, table.stderr);
      assert.deepEqual(unsafeCharacters(table.stdout), []);
      assert.equal(table.stdout.trimEnd().split('\n').length, 2, 'one header line and one entry, no fake line');
      assert.match(table.stdout, /\\u001B\[2J/);
      const json = await cli('log', '--org', org.id, '--json');
      assert.deepEqual(unsafeCharacters(json.stdout), []);
      const [entry] = JSON.parse(json.stdout) as { path: string }[];
      assert.ok(entry?.path.includes('\u001b[2J'), 'the JSON still holds the path as received');
    });

    test('mistakes go to stderr with a non-zero exit and nothing on stdout', async () => {
      for (const args of [
        ['org', 'show', 'no-such-org'],
        ['token', 'issue', '--org', 'no-such-org'],
        ['token', 'issue', '--org', 'x', '--expires-in', 'soon'],
        ['org', 'set', 'x', '--delete', 'explode'],
        ['log', '--org', 'x', '--status', 'bad'],
        ['user', 'add', '--org', 'x', '--email', 'not-an-email'],
        ['org', 'create'],
        ['frobnicate'],
      ]) {
        const result = await cli(...args);
        assert.notEqual(result.code, 0, args.join(' '));
        assert.equal(result.stdout, '', args.join(' '));
        assert.match(result.stderr, /\S/, args.join(' '));
      }
    });
  });
}

/** Characters a terminal would obey rather than show: controls but newline, C1, a bidi override. */
function unsafeCharacters(text: string): string[] {
  return [...text].filter((c) => {
    const n = c.codePointAt(0) ?? 0;
    return (n < 0x20 && n !== 0x0a) || (n >= 0x7f && n <= 0x9f) || n === 0x202e;
  });
}
