/**
 * What one run of `npm run bench` records: the machine, the sizes, the bare server at the start and
 * the end, every scenario as throughput, p50/p99 and ratio to the bare server, and the seeding
 * figures. Printed as a table and written to bench/results/scim-<store>.json, from which
 * bench/readme-table.ts rewrites the README's table.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { CycleFigures, TeamFigures } from './seed-entra.js';
import type { LoadResult } from './support.js';

export interface Row {
  readonly key: string;
  readonly label: string;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** The service's CPU per answer, µs (user + system time of its process over the load). */
  readonly cpuMicrosPerRequest?: number;
  /** Throughput over the mean of the two bare-server runs. */
  readonly ratio: number;
  readonly valid: boolean;
  /** Answers outside 2xx (every scenario expects a 2xx: a miss is a 200 with no resources). */
  readonly non2xx: number;
  readonly problems: readonly string[];
  readonly statusCodes: Readonly<Record<string, number>>;
}

export interface ReadScaling {
  readonly note: string;
  readonly rows: readonly {
    readonly scenario: string;
    readonly oneInstance: number;
    /** The one-instance sums measured before and after the two-instance one. */
    readonly oneInstanceRuns: readonly number[];
    readonly twoInstances: number;
    readonly perInstance: readonly number[];
    readonly speedup: number;
    readonly valid: boolean;
  }[];
}

export interface ScimBenchResult {
  readonly benchmark: 'scim';
  readonly store: 'sqlite' | 'postgres';
  readonly date: string;
  readonly commit: string;
  /** Tracked files differed from the commit when the run started. */
  readonly uncommittedChanges: boolean;
  readonly command: string;
  readonly machine: ReturnType<typeof machine>;
  readonly sizes: {
    readonly users: number;
    readonly smallTeam: number;
    readonly bigTeam: number;
    readonly memberChunk: number;
    readonly seedConcurrency: number;
  };
  readonly connections: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly serviceEnv: Readonly<Record<string, string>>;
  readonly bare: { readonly start: LoadResult; readonly end: LoadResult; readonly meanRequestsPerSecond: number };
  readonly entraCycle: CycleFigures;
  /** Bytes on disk after the seed (absent in results from before it was measured). */
  readonly storage?: { readonly bytesAfterSeed: number; readonly users: number };
  readonly teams: Omit<TeamFigures, 'teams'> & { readonly sizes: readonly number[] };
  readonly scenarios: readonly Row[];
  readonly readScaling: ReadScaling | null;
}

export function machine() {
  const cores = cpus();
  return {
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    cpus: cores.length,
    totalMemoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${platform()} ${release()}`,
    /** Other work on the machine when the run started (1, 5 and 15 minute load averages). */
    loadAverage: loadavg().map((n) => Math.round(n * 100) / 100),
  };
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: join(import.meta.dirname, '..'), encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

export function revision(): { commit: string; uncommittedChanges: boolean } {
  return {
    commit: git(['rev-parse', '--short', 'HEAD']) || 'unknown',
    uncommittedChanges: git(['status', '--porcelain', '--untracked-files=no']) !== '',
  };
}

/** The command line that reproduces the run: the BENCH_* knobs set, then how it was started. */
export function command(): string {
  const knobs = Object.entries(process.env)
    .filter(([name]) => name.startsWith('BENCH_'))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `${name}=${value}`);
  // npx sets npm_lifecycle_event too ("npx"): only a bench script means `npm run`.
  const event = process.env.npm_lifecycle_event;
  return [...knobs, event?.startsWith('bench') ? `npm run ${event}` : 'npx tsx bench/scim.ts'].join(' ');
}

/** A load result as a row: its ratio to `ceiling`, and whether every answer had `expect`. */
export function row(
  key: string,
  label: string,
  result: LoadResult,
  ceiling: number,
  expect: number,
  probeProblem: string | undefined,
): Row {
  const problems: string[] = [];
  if (probeProblem) problems.push(probeProblem);
  const unexpected = Object.entries(result.statusCodes).filter(([code]) => code !== String(expect));
  for (const [code, n] of unexpected) problems.push(`${n} answers with status ${code} (expected ${expect})`);
  if (result.errors > 0) problems.push(`${result.errors} connection errors`);
  if (result.timeouts > 0) problems.push(`${result.timeouts} timeouts`);
  if (!result.statusCodes[String(expect)]) problems.push('no answer at all');
  return {
    key,
    label,
    requestsPerSecond: Math.round(result.requestsPerSecond),
    p50: result.p50,
    p99: result.p99,
    max: result.max,
    ...(result.cpuMicrosPerRequest === undefined ? {} : { cpuMicrosPerRequest: result.cpuMicrosPerRequest }),
    ratio: ceiling > 0 ? result.requestsPerSecond / ceiling : 0,
    valid: problems.length === 0,
    non2xx: result.non2xx,
    problems,
    statusCodes: result.statusCodes,
  };
}

const percent = (ratio: number) => `${(100 * ratio).toFixed(1)} %`;
/** Results from before the CPU was measured have none. */
const cpuOf = (r: { readonly cpuMicrosPerRequest?: number }) =>
  r.cpuMicrosPerRequest === undefined ? '–' : String(r.cpuMicrosPerRequest);

/** The markdown table of a result: what the README shows and the bench prints. */
export function table(result: ScimBenchResult): string {
  const { bare, entraCycle: cycle, teams } = result;
  const lines = [
    `| scenario | req/s | p50 ms | p99 ms | of bare server | CPU µs/req |`,
    `|---|---:|---:|---:|---:|---:|`,
    `| bare node:http server (start / end of run) | ${Math.round(bare.start.requestsPerSecond)} / ${Math.round(bare.end.requestsPerSecond)} | ${bare.start.p50} / ${bare.end.p50} | ${bare.start.p99} / ${bare.end.p99} | 100 % | ${cpuOf(bare.start)} / ${cpuOf(bare.end)} |`,
    ...result.scenarios.map(
      (r) =>
        `| ${r.label}${r.valid ? '' : ' **INVALID**'} | ${r.requestsPerSecond} | ${r.p50} | ${r.p99} | ${percent(r.ratio)} | ${cpuOf(r)} |`,
    ),
  ];
  const after = [
    '',
    `Whole Entra cycle (lookup by ${cycle.matchAttribute}, a miss, then create; ${cycle.concurrency} workers): ${cycle.users} users in ${cycle.seconds} s = **${cycle.usersPerSecond} users/s** (${cycle.requestsPerSecond} requests/s; lookup p50 ${cycle.lookup.p50} ms p99 ${cycle.lookup.p99} ms, create p50 ${cycle.create.p50} ms p99 ${cycle.create.p99} ms).`,
    `Teams of ${teams.sizes.join(' and ')} members filled by ${teams.patches} PATCH adds of up to ${teams.memberChunk} members in ${teams.seconds} s (${teams.membersPerSecond} members/s).`,
  ];
  if (result.storage) {
    const { bytesAfterSeed, users } = result.storage;
    after.push(
      `On disk after the seed (${users} users, their memberships, log entries and events): ${(bytesAfterSeed / 1048576).toFixed(1)} MiB, ${(bytesAfterSeed / users / 1024).toFixed(1)} KiB per user.`,
    );
  }
  if (result.readScaling) {
    const c = result.connections;
    after.push('', `Read scaling, two service processes on one database (2 × ${c} connections, summed):`, '');
    after.push(
      '| scenario | one instance req/s (before / after) | two instances req/s | per instance | speed-up |',
      '|---|---:|---:|---:|---:|',
    );
    for (const r of result.readScaling.rows) {
      after.push(
        `| ${r.scenario}${r.valid ? '' : ' **INVALID**'} | ${r.oneInstance} (${r.oneInstanceRuns.join(' / ')}) | ${r.twoInstances} | ${r.perInstance.join(' + ')} | ${r.speedup.toFixed(2)}x |`,
      );
    }
  }
  const m = result.machine;
  after.push(
    '',
    `Measured ${result.date.slice(0, 16).replace('T', ' ')} UTC at ${result.commit}${result.uncommittedChanges ? ' (with uncommitted changes)' : ''}: ${m.cpus} × ${m.cpuModel}, ${m.totalMemoryGiB} GiB, ${m.os}, Node ${m.node}, load average ${m.loadAverage[0]} at the start; ${result.connections} connections, ${result.seconds} s per scenario after ${result.warmupSeconds} s of warm-up; ${result.sizes.users} users seeded; \`${result.command}\`.`,
  );
  return [...lines, ...after].join('\n');
}

export function writeResult(result: ScimBenchResult): string {
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `scim-${result.store}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
