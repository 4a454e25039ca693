import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { distState } from '../../bin/build-stamp.js';
import { freePort } from '../../scripts/embedded-postgres.mjs';
import { heldPost } from '../helpers/held-request.js';
import { logLine } from '../helpers/log-lines.js';
import { testStores } from '../helpers/stores.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/**
 * The environment without what an enclosing npm (`npm test`) sets, so that the npm started here
 * takes its settings from the installed folder alone, as on a server.
 */
const operatorEnv = (): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));

/**
 * The service as an operator installs it (issue 12): the built tree (the checkout's files and
 * dist/, no node_modules) copied to a new folder, `npm ci --omit=dev` there (no compiler, no
 * test tools), then started with `npm start` and with `node dist/main.js`, the commands
 * deploy/Dockerfile and deploy/parallel-scim.service run. Each start takes a SIGTERM with
 * requests in flight: every one is answered, the process that served them exits 0, and no
 * node process is left behind. The store does not matter here, so this runs with the SQLite
 * suites only.
 */
describe('a production install (npm ci --omit=dev of the built tree)', { skip: !sqliteRun() }, () => {
  let work: string;
  let app: string;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'parallel-scim-install-'));
    app = join(work, 'app');
    copyBuiltTree(app);
    // Compiling better-sqlite3 from source takes two to three minutes here (no prebuilt binary
    // can be downloaded on this network). prebuild-install is handed the binary this checkout's
    // own install compiled (same version, same node ABI, same platform), as a prebuilt mirror
    // would; everything else is what an operator's install does. (npm warns that it does not know
    // the variable; prebuild-install reads it from the environment all the same.) The packages
    // come from npm's cache when it has them (--prefer-offline), so the install takes seconds.
    const prebuilds = join(work, 'prebuilds');
    packLocalPrebuild(prebuilds);
    const installed = await run(npm, ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: app,
      env: { ...operatorEnv(), npm_config_better_sqlite3_local_prebuilds: prebuilds },
      timeout: 600_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    // The prepare step ran and found nothing to compile (there is no compiler to compile with).
    assert.match(installed.stderr, /parallel-scim: dist\/ is up to date, not compiling/);
    assert.ok(!existsSync(join(app, 'node_modules', 'typescript')), 'no dev packages in a production install');
    assert.equal(distState(app).kind, 'fresh');
  });
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('npm start: SIGTERM to npm drains the requests in flight, node exits, npm exits 0', async () => {
    await drainsOnSigterm(app, npm, ['start'], join(work, 'npm-start.db'), 'npm');
  });

  test('node dist/main.js: SIGTERM drains the requests in flight and exits 0', async () => {
    await drainsOnSigterm(app, process.execPath, ['dist/main.js'], join(work, 'node.db'), 'node');
  });

  test('node <a symlinked release folder>/dist/main.js serves too (it once exited 0 at once)', async () => {
    const release = join(work, 'current');
    symlinkSync(app, release);
    await drainsOnSigterm(app, process.execPath, [join(release, 'dist', 'main.js')], join(work, 'link.db'), 'node');
  });
});

function sqliteRun(): boolean {
  return testStores().some((store) => store.name === 'sqlite');
}

/**
 * Starts `command` in `app`, makes an organization and a token with the installed CLI, holds ten
 * creates in flight, sends SIGTERM to the started process and checks what came of it.
 * `started` says what that process is: npm (whose child must be node itself, no shell in
 * between, or the shell dies of the signal and node is orphaned) or node.
 */
async function drainsOnSigterm(
  app: string,
  command: string,
  args: string[],
  databaseFile: string,
  started: 'npm' | 'node',
): Promise<void> {
  const port = await freePort();
  // LOG_LEVEL=info: the test reads the start-up line (its pid) and the drain's line.
  const env = {
    ...operatorEnv(),
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${databaseFile}`,
    LOG_LEVEL: 'info',
  };
  const child = spawn(command, args, { cwd: app, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const listening = await withTimeout(logLine(child, 'parallel-scim listening'), 120_000, 'the start');
    const servicePid = listening.pid as number;
    assert.equal(typeof servicePid, 'number');
    if (started === 'npm') assert.equal(parentOf(servicePid), child.pid, 'npm start runs node as its own child');
    else assert.equal(servicePid, child.pid);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);
    // Read from package.json next to dist/: what the bundle (bin/bundle-service.js) must still find.
    const { version } = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { version: string };
    assert.equal(((await health.json()) as { version?: unknown }).version, version);

    const cli = async (...cliArgs: string[]) => {
      const { stdout, stderr } = await run(process.execPath, ['bin/parallel-scim.js', ...cliArgs, '--json'], {
        cwd: app,
        env,
      });
      // The installed CLI runs dist/, not the sources through tsx.
      assert.doesNotMatch(stderr, /through tsx/);
      return JSON.parse(stdout) as Record<string, unknown>;
    };
    const org = await cli('org', 'create', '--name', `Installed (${started})`);
    const { token } = await cli('token', 'issue', '--org', org.id as string);

    const stoppedTaking = logLine(child, 'taking no new requests, waiting for those in flight');
    const held = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        heldPost(port, '/scim/v2/Users', token as string, {
          schemas: [USER],
          userName: `installed-${started}-${i}@example.com`,
        }),
      ),
    );
    child.kill('SIGTERM');
    await withTimeout(stoppedTaking, 60_000, 'the drain');
    const outcomes = await Promise.all(held.map((request) => request.send()));
    assert.deepEqual(
      outcomes,
      held.map(() => 201),
      'every request in flight at SIGTERM is answered',
    );
    assert.equal(await withTimeout(exited, 60_000, 'the exit'), 0, `${started} exits 0 after the drain`);
    assert.ok(!isAlive(servicePid), `the service process ${servicePid} is gone (no orphan)`);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** The checkout's files (what git tracks or would track, as they are now) and a current dist/. */
function copyBuiltTree(to: string): void {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  for (const file of listed.split('\0')) {
    if (file === '' || !existsSync(join(ROOT, file))) continue;
    mkdirSync(dirname(join(to, file)), { recursive: true });
    cpSync(join(ROOT, file), join(to, file), { preserveTimestamps: true });
  }
  if (distState(ROOT).kind === 'fresh') {
    cpSync(join(ROOT, 'dist'), join(to, 'dist'), { recursive: true, preserveTimestamps: true });
  } else {
    // Built in the copy, with this checkout's compiler: the checkout's dist/ is left alone.
    symlinkSync(join(ROOT, 'node_modules'), join(to, 'node_modules'));
    try {
      execFileSync(process.execPath, [join(to, 'bin', 'build.js')], { cwd: to, stdio: 'inherit' });
    } finally {
      rmSync(join(to, 'node_modules'));
    }
  }
  assert.equal(distState(to).kind, 'fresh', 'the copied tree has a current build');
}

/** better-sqlite3's compiled binary as the tarball prebuild-install looks for in `dir`. */
function packLocalPrebuild(dir: string): void {
  const module = join(ROOT, 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(readFileSync(join(module, 'package.json'), 'utf8')) as { version: string };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-czf', join(dir, name), '-C', module, 'build/Release/better_sqlite3.node']);
}

function parentOf(pid: number): number {
  // /proc/<pid>/stat: "pid (comm) state ppid ...", where comm may hold spaces.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
