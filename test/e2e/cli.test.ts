import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { type CliResult, runCliInProcess } from '../helpers/cli.js';
import { type RunningServer, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'parallel-scim.js');
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
// What the launcher prints when it cannot use dist/ (a developer's stale build); the assertions
// on stderr allow it, since whether a dist/ is there is up to whoever runs the suite.
const LAUNCHER_NOTICE = /^parallel-scim: [^\n]*running src\/ through tsx[^\n]*\n/;

/**
 * A real process, as support starts one: the launcher, with its exit code and both streams.
 * `moduleLog` names a file that receives the URL of every module the command loads.
 */
async function spawnCli(databaseUrl: string, args: readonly string[], moduleLog?: string): Promise<CliResult> {
  const hook = moduleLog === undefined ? [] : ['--import', join(ROOT, 'test', 'helpers', 'module-log.mjs')];
  try {
    const { stdout, stderr } = await run(process.execPath, [...hook, BIN, ...args], {
      env: { ...process.env, DATABASE_URL: databaseUrl, ...(moduleLog === undefined ? {} : { MODULE_LOG: moduleLog }) },
    });
    return { stdout, stderr: stderr.replace(LAUNCHER_NOTICE, ''), code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr.replace(LAUNCHER_NOTICE, ''), code: e.code };
  }
}

/**
 * The CLI on the same DATABASE_URL as a running server. Commands run in this process through
 * runCli, the entry the launcher calls; the tests at the end start real processes for what only a
 * process shows: exit codes, what reaches which stream, and what a command loads.
 */
for (const backend of testStores()) {
  describe(`CLI on ${backend.name}`, () => {
    let server: RunningServer;
    before(async () => {
      server = await startServer(backend);
    });
    after(async () => {
      await server.close();
    });

    // The server batches read and refusal log entries (written within 50 ms); another process reading
    // the log waits for that batch, here deterministically.
    const cli = async (...args: string[]) => {
      await server.services.log.flush();
      return runCliInProcess(server.databaseUrl, args);
    };

    test('org list pages in bounded steps: --limit, then --after the last id it printed', async () => {
      for (const name of ['Paged A', 'Paged B', 'Paged C'])
        assert.equal((await cli('org', 'create', '--name', name)).code, 0);
      const seen: string[] = [];
      let after: string | undefined;
      for (let pages = 0; pages < 100; pages++) {
        const page = await cli('org', 'list', '--limit', '2', '--json', ...(after ? ['--after', after] : []));
        assert.equal(page.code, 0, page.stderr);
        const orgs = JSON.parse(page.stdout) as { id: string }[];
        assert.ok(orgs.length <= 2);
        seen.push(...orgs.map((o) => o.id));
        if (orgs.length < 2) break;
        after = orgs.at(-1)?.id;
      }
      assert.equal(new Set(seen).size, seen.length, 'no organization on two pages');
      const all = JSON.parse((await cli('org', 'list', '--json')).stdout) as { id: string; name: string }[];
      assert.deepEqual([...seen].sort(), all.map((o) => o.id).sort());
      const table = await cli('org', 'list', '--limit', '1');
      assert.match(table.stdout, /\(more may follow: --after \S+\)/);
      const refused = await cli('org', 'list', '--limit', '0');
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /--limit must be a whole number from 1 to 1000/);
    });

    test('support journey: organization, token, invited user, IdP create links it, log shows it', async () => {
      const created = await cli('org', 'create', '--name', 'Fabrikam', '--json');
      assert.equal(created.code, 0, created.stderr);
      const org = JSON.parse(created.stdout) as { id: string; name: string };
      assert.deepEqual(Object.keys(org).sort(), ['externalRef', 'id', 'name']);
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

    test('mistakes in a real process: each kind of exit code, stderr only', async () => {
      const results = await Promise.all(
        [['org', 'show', 'no-such-org'], ['token', 'issue', '--org', 'x', '--expires-in', 'soon'], ['frobnicate']].map(
          (args) => spawnCli(server.databaseUrl, args),
        ),
      );
      const expected = [
        // Names the database it looked in (issue 12): the wrong one reads like a missing customer.
        [3, /^parallel-scim: No organization with id no-such-org in (the SQLite database \/|PostgreSQL )[^\n]*\n$/],
        [2, /^parallel-scim: --expires-in must look like [^\n]*\n$/],
        [1, /unknown command 'frobnicate'/],
      ] as const;
      for (const [i, [code, message]] of expected.entries()) {
        assert.equal(results[i]?.code, code, results[i]?.stderr);
        assert.equal(results[i]?.stdout, '');
        assert.match(results[i]?.stderr ?? '', message);
      }
    });

    test('org list in a real process: the table on stdout, and nothing of the server loaded (issue 9)', async () => {
      await cli('org', 'create', '--name', 'Listed');
      const dir = mkdtempSync(join(tmpdir(), 'parallel-scim-modules-'));
      try {
        const log = join(dir, 'modules.txt');
        writeFileSync(log, '');
        const listed = await spawnCli(server.databaseUrl, ['org', 'list'], log);
        assert.equal(listed.code, 0, listed.stderr);
        assert.equal(listed.stderr, '');
        assert.match(listed.stdout, /^ID\s+NAME\s+EXTERNAL REF\s+SCIM\s+DELETE\s+CREATED\n/);
        assert.match(listed.stdout, /\sListed\s+-\s+on\s+retain\s/);
        const loaded = readFileSync(log, 'utf8').split('\n');
        assert.ok(
          loaded.some((url) => url.includes('/cli/commands/org.')),
          'the log saw the command load',
        );
        const heavy = loaded.filter((url) =>
          /\/node_modules\/(fastify|@fastify\/[^/]+|typebox|pino|prom-client)\/|\/(src|dist)\/http\//.test(url),
        );
        assert.deepEqual([...new Set(heavy)], []);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

/**
 * The launcher on a stand-in project: the real bin/ and node_modules/, with a src/ so small that
 * `npm run build` takes a second and a CLI that says which copy of it ran.
 */
describe('bin/parallel-scim.js never runs a stale dist/', () => {
  let root: string;
  const main = () => join(root, 'src', 'cli', 'main.ts');
  const writeMain = (version: string, extra = '') =>
    writeFileSync(
      main(),
      `${extra}declare const process: { stdout: { write(text: string): void } };
export async function runCli(argv: readonly string[]): Promise<number> {
  const from: string = import.meta.url.includes('/dist/') ? 'dist' : 'src';
  process.stdout.write(\`\${from} ${version}\\n\`);
  return Number(argv[2] ?? 0);
}
`,
    );
  const build = async () => {
    try {
      await run(process.execPath, [join(root, 'bin', 'build.js')]);
      return 0;
    } catch (error) {
      return (error as { code: number }).code;
    }
  };
  const launch = async (...args: string[]): Promise<CliResult> => {
    try {
      const { stdout, stderr } = await run(process.execPath, [join(root, 'bin', 'parallel-scim.js'), ...args]);
      return { stdout, stderr, code: 0 };
    } catch (error) {
      const { stdout, stderr, code } = error as CliResult;
      return { stdout, stderr, code };
    }
  };
  const stampedMtime = (path: string) =>
    (JSON.parse(readFileSync(join(root, 'dist', 'build-stamp.json'), 'utf8')) as { files: Record<string, number[]> })
      .files[path]?.[0];

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'parallel-scim-launcher-'));
    cpSync(join(ROOT, 'bin'), join(root, 'bin'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
    writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
    const compilerOptions = {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      skipLibCheck: true,
      // No @types/node: the stand-in declares the one thing it uses, and tsc has far less to read.
      types: [],
      rootDir: 'src',
      outDir: 'dist',
    };
    writeFileSync(
      join(root, 'tsconfig.build.json'),
      JSON.stringify({ compilerOptions, include: ['src'], exclude: ['src/**/*.test.ts'] }),
    );
    mkdirSync(join(root, 'src', 'cli'), { recursive: true });
    writeMain('v1');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('without dist/ the sources run through tsx, with nothing on stderr', async () => {
    assert.deepEqual(await launch(), { stdout: 'src v1\n', stderr: '', code: 0 });
  });

  test('npm run build stamps dist/, which then runs, its exit code passed on', async () => {
    assert.equal(await build(), 0);
    assert.deepEqual(await launch('3'), { stdout: 'dist v1\n', stderr: '', code: 3 });
  });

  test('sources touched, or a file added and removed again, but the same text: still dist/, and the stamp catches up', async () => {
    const later = new Date(Date.now() + 60_000);
    utimesSync(main(), later, later);
    writeFileSync(join(root, 'src', 'cli', 'main.test.ts'), 'export {};\n');
    assert.deepEqual(await launch(), { stdout: 'dist v1\n', stderr: '', code: 0 });
    assert.equal(stampedMtime('src/cli/main.ts'), statSync(main()).mtimeMs, 'the next start compares stat() only');

    writeFileSync(join(root, 'src', 'cli', 'extra.ts'), 'export const extra = 1;\n');
    const added = await launch();
    assert.equal(added.stdout, 'src v1\n');
    assert.match(added.stderr, /^parallel-scim: src\/ has changed since dist\/ was built; running src\/ through tsx/);
    rmSync(join(root, 'src', 'cli', 'extra.ts'));
    assert.deepEqual(await launch(), { stdout: 'dist v1\n', stderr: '', code: 0 });
  });

  test('an edited source never runs from dist/: the sources through tsx, after one line on stderr', async () => {
    writeMain('v2');
    const edited = await launch('3');
    assert.deepEqual([edited.stdout, edited.code], ['src v2\n', 3]);
    assert.match(edited.stderr, /^parallel-scim: src\/ has changed since dist\/ was built; [^\n]*\n$/);
  });

  test('a build that fails leaves dist/ unstamped, and an unstamped dist/ is not trusted', async () => {
    writeMain('v3', "const broken: number = 'not a number';\n");
    assert.notEqual(await build(), 0);
    const unstamped = await launch();
    assert.equal(unstamped.stdout, 'src v3\n');
    assert.match(unstamped.stderr, /^parallel-scim: dist\/ has no build stamp [^\n]*\n$/);
  });
});

/** Characters a terminal would obey rather than show: controls but newline, C1, a bidi override. */
function unsafeCharacters(text: string): string[] {
  return [...text].filter((c) => {
    const n = c.codePointAt(0) ?? 0;
    return (n < 0x20 && n !== 0x0a) || (n >= 0x7f && n <= 0x9f) || n === 0x202e;
  });
}
