/**
 * What the benchmarks share: a fresh database (SQLite file or a PostgreSQL schema), the service
 * as its own process (as `npm start` runs it), a bare `node:http` server measured in the same run
 * (this machine is shared and noisy: figures are read as ratios to it), and autocannon runs.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { distState } from '../bin/build-stamp.js';
import { freePort, startEmbeddedPostgres } from '../scripts/embedded-postgres.mjs';

const ROOT = join(import.meta.dirname, '..');

let built: boolean | undefined;
/**
 * How the service is started: as production runs it, the compiled build (`npm run build` first
 * when dist/ is missing or older than src/), so no figure carries tsx's loader or its per-function
 * name helpers; BENCH_SOURCE=tsx runs src/ through tsx instead (no build wait, slower service).
 */
function serviceCommand(): string[] {
  // BENCH_SERVICE_ROOT=/path/to/another/checkout measures that checkout's service with this
  // bench (a before/after comparison in one run of the machine's noise).
  const root = process.env.BENCH_SERVICE_ROOT ?? ROOT;
  if (process.env.BENCH_SOURCE === 'tsx') return ['--import', 'tsx', join(root, 'src', 'main.ts')];
  if (built === undefined) {
    if (distState(root).kind !== 'fresh') {
      const result = spawnSync(process.execPath, [join(root, 'bin', 'build.js')], { stdio: 'inherit' });
      if (result.status !== 0) throw new Error('npm run build failed');
    }
    built = true;
  }
  return [join(root, 'dist', 'main.js')];
}

export interface BenchDatabase {
  readonly url: string;
  readonly store: 'sqlite' | 'postgres';
  /** What the database takes on disk now: tables, indexes and TOAST (PostgreSQL), or the files (SQLite). */
  bytes(): Promise<number>;
  drop(): Promise<void>;
}

/** BENCH_STORE=postgres (embedded, or BENCH_DATABASE_URL) or SQLite in a temporary file. */
export async function benchDatabase(): Promise<BenchDatabase> {
  const given = process.env.BENCH_DATABASE_URL;
  if (process.env.BENCH_STORE === 'postgres' || given?.startsWith('postgres')) {
    const embedded = given ? undefined : await startEmbeddedPostgres();
    const server = given ?? (embedded?.url as string);
    const url = new URL(server);
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    url.searchParams.set('schema', schema);
    return {
      url: url.toString(),
      store: 'postgres',
      async bytes() {
        const admin = new pg.Client({ connectionString: server });
        await admin.connect();
        try {
          const { rows } = await admin.query<{ bytes: string }>(
            `select coalesce(sum(pg_total_relation_size(c.oid)), 0) as bytes from pg_class c
             join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relkind in ('r', 'm')`,
            [schema],
          );
          return Number(rows[0]?.bytes ?? 0);
        } finally {
          await admin.end();
        }
      },
      async drop() {
        const admin = new pg.Client({ connectionString: server });
        await admin.connect();
        await admin.query(`drop schema if exists ${schema} cascade`);
        await admin.end();
        await embedded?.stop();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'parallel-scim-bench-'));
  const file = join(dir, 'bench.db');
  return {
    url: `sqlite:${file}`,
    store: 'sqlite',
    // The WAL holds pages not yet checkpointed into the file: both count until the next checkpoint.
    bytes: async () =>
      [file, `${file}-wal`].reduce((sum, path) => sum + (existsSync(path) ? statSync(path).size : 0), 0),
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Process {
  readonly origin: string;
  /** The operating-system process id (bench/scale.ts reads its peak RSS from /proc). */
  readonly pid: number;
  stop(): Promise<void>;
}

async function waitReady(child: ChildProcess, url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become ready`);
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
}

/** The service in a process of its own on `databaseUrl`, with `env` on top of quiet defaults. */
export async function startService(
  databaseUrl: string,
  env: Record<string, string> = {},
  options: { readonly discardStdout?: boolean } = {},
): Promise<Process> {
  const port = await freePort();
  // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the service under load.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ...serviceCommand()], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      LOG_LEVEL: 'silent',
      RATE_LIMIT_REQUESTS: '0',
      ...env,
    },
    // A service logging every request (LOG_LEVEL=info) writes its lines where production would
    // ship them; here nobody reads them.
    stdio: options.discardStdout ? ['ignore', 'ignore', 'inherit'] : 'inherit',
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitReady(child, `${origin}/readyz`);
  return { origin, pid: child.pid ?? 0, stop: stopper(child) };
}

/** An organization and its token, made with the CLI against the service's database, as support makes them. */
export async function cliTenant(databaseUrl: string): Promise<{ orgId: string; token: string }> {
  const cli = async (...args: string[]) => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args, '--json'],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' } },
    );
    return JSON.parse(stdout) as Record<string, string>;
  };
  const org = await cli('org', 'create', '--name', 'Contoso (bench)');
  const issued = await cli('token', 'issue', '--org', org.id as string, '--label', 'bench');
  return { orgId: org.id as string, token: issued.token as string };
}

/** The ceiling: a bare node:http server answering a small JSON body, also in its own process. */
export async function startBareServer(): Promise<Process> {
  const port = await freePort();
  const source = `require('node:http').createServer((q, s) => { s.writeHead(200, { 'content-type': 'application/json' }); s.end('{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}'); }).listen(${port}, '127.0.0.1');`;
  const child = spawn(process.execPath, ['-e', source], { stdio: 'inherit' });
  const origin = `http://127.0.0.1:${port}`;
  await waitReady(child, `${origin}/`);
  return { origin, pid: child.pid ?? 0, stop: stopper(child) };
}

/**
 * CPU seconds a process has used so far (user + system, from /proc/<pid>/stat, in clock ticks of
 * 10 ms), or undefined off Linux. Read before and after a load, it gives the CPU each request
 * cost the process: a figure that a busy neighbour on the machine moves far less than throughput.
 */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name (which may hold spaces), from field 3 on.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS_PER_SECOND = 100;

/** `run`'s load, with the CPU each answer cost the process `pid` (µs), where /proc tells. */
export async function withCpu(pid: number, run: () => Promise<LoadResult>): Promise<LoadResult> {
  const before = cpuSecondsOf(pid);
  const result = await run();
  const after = cpuSecondsOf(pid);
  const answers = Object.values(result.statusCodes).reduce((sum, n) => sum + n, 0);
  if (before === undefined || after === undefined || answers === 0) return result;
  return { ...result, cpuMicrosPerRequest: Math.round(((after - before) * 1e6) / answers) };
}

export interface LoadResult {
  readonly requestsPerSecond: number;
  /** CPU per answer of the process served (withCpu), where /proc tells. */
  readonly cpuMicrosPerRequest?: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** Responses by HTTP status, so a run can be checked against the one status it expects. */
  readonly statusCodes: Readonly<Record<string, number>>;
}

/** `connections` clients sending `path` for `seconds`, as autocannon measures them. */
export async function load(options: {
  url: string;
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
  method?: 'GET' | 'POST' | 'PATCH';
  body?: string;
  /** A sequence each connection cycles through instead of one request (autocannon's `requests`). */
  requests?: autocannon.Request[];
}): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    timeout: 30,
    method: options.method ?? 'GET',
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.body !== undefined ? { body: options.body } : {}),
    ...(options.requests ? { requests: options.requests } : {}),
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count ?? 0]),
    ),
  };
}
