/**
 * Start-up time: from spawning the process to its first successful answer, for
 * - a bare node:http server (the floor: node's own start on this machine, measured in the same run),
 * - `node dist/main.js` (what the Dockerfile and the systemd unit run),
 * - `npm start` (npm, then node bin/serve.js in its place).
 *
 * Each is started and stopped (SIGTERM) STARTUP_RUNS times (default 10), interleaved so that the
 * machine's noise falls on all three alike, on an SQLite database that exists already (one start
 * beforehand creates and migrates it: a restart is the case that matters, the first start also
 * migrates). Readiness is polled every 5 ms with GET /healthz (GET / for the bare server).
 * Besides the wall-clock time, the CPU time the started processes had used by then (user +
 * system, from /proc: npm and its node for `npm start`), which moves less with the machine's
 * load than the wall clock does.
 *
 * `tsx bench/startup.ts [dir]` measures the built tree in `dir` (a production install made by
 * `npm ci --omit=dev`, say); without one, this checkout, built first when dist/ is not current.
 * Nothing here asserts a time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { distState } from '../bin/build-stamp.js';
import { freePort } from '../scripts/embedded-postgres.mjs';

const root = resolve(process.argv[2] ?? join(import.meta.dirname, '..'));
const runs = Number(process.env.STARTUP_RUNS ?? 10);

if (distState(root).kind !== 'fresh') {
  const built = spawnSync(process.execPath, [join(root, 'bin', 'build.js')], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed');
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const bare = `require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');`;
const starts = {
  'bare node:http': { command: process.execPath, args: ['-e', bare], path: '/' },
  'node dist/main.js': { command: process.execPath, args: ['dist/main.js'], path: '/healthz' },
  'npm start': { command: npm, args: ['start', '--silent'], path: '/healthz' },
} as const;
type Start = keyof typeof starts;
// Without what `npm run bench:startup` sets (npm_config_*), so `npm start` runs as on a server.
const ownEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));

/** CPU milliseconds (user + system) used so far by `pid` and its children (Linux /proc). */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime), in clock ticks of 10 ms.
    const own = (Number(fields[11]) + Number(fields[12])) * 10;
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean);
    return own + children.reduce((sum, child) => sum + cpuMs(Number(child)), 0);
  } catch {
    return Number.NaN;
  }
}

/** Wall and CPU milliseconds from spawn to the first 200, then SIGTERM and the wait for the exit. */
async function timeStart(which: Start, databaseUrl: string): Promise<{ wall: number; cpu: number }> {
  const { command, args, path } = starts[which];
  const port = await freePort();
  const began = performance.now();
  const child = spawn(command, args, {
    cwd: root,
    env: { ...ownEnv, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let elapsed: number | undefined;
  let cpu = Number.NaN;
  for (let deadline = began + 60_000; performance.now() < deadline && child.exitCode === null; ) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}${path}`)).ok) {
        elapsed = performance.now() - began;
        cpu = cpuMs(child.pid ?? 0);
        break;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  child.kill('SIGTERM');
  const code = await exited;
  if (elapsed === undefined) throw new Error(`${which}: never answered ${path} (exit ${code})`);
  if (code !== 0 && which !== 'bare node:http') throw new Error(`${which}: exited ${code} after SIGTERM`);
  return { wall: elapsed, cpu };
}

const dir = mkdtempSync(join(tmpdir(), 'parallel-scim-startup-'));
const databaseUrl = `sqlite:${join(dir, 'startup.db')}`;
try {
  const first = await timeStart('node dist/main.js', databaseUrl);
  const times: Record<Start, { wall: number; cpu: number }[]> = {
    'bare node:http': [],
    'node dist/main.js': [],
    'npm start': [],
  };
  for (let i = 0; i < runs; i++) {
    for (const which of Object.keys(starts) as Start[]) times[which].push(await timeStart(which, databaseUrl));
  }
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  console.log(`start-up to the first 200, ${runs} runs each, in ${root}`);
  console.log(`(first start on a new database, migrations included: ${ms(first.wall)})`);
  console.log('| start | wall median | wall min | wall max | CPU median | wall median minus bare |');
  console.log('|---|---|---|---|---|---|');
  const floor = median(times['bare node:http'].map((t) => t.wall));
  for (const [which, samples] of Object.entries(times)) {
    const wall = samples.map((t) => t.wall);
    const m = median(wall);
    const cpu = median(samples.map((t) => t.cpu));
    console.log(
      `| ${which} | ${ms(m)} | ${ms(Math.min(...wall))} | ${ms(Math.max(...wall))} | ${ms(cpu)} | ${ms(m - floor)} |`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
