/**
 * `npm run bench`: SCIM throughput as a buyer would measure it. A fresh database, the service in
 * its own process, an organization and token made with the CLI as support makes them, a directory
 * seeded through SCIM as Entra's initial cycle writes it, then each scenario loaded over loopback
 * by autocannon. A bare node:http server is measured at the start and at the end of the same run,
 * and every figure is also given as a ratio to the mean of the two: this machine is shared, and
 * only ratios compare between runs. Timings are printed and recorded, never asserted.
 *
 *   npm run bench                              SQLite in a temporary file
 *   BENCH_STORE=postgres npm run bench         a throwaway embedded PostgreSQL (adds read scaling)
 *   BENCH_DATABASE_URL=postgres://... npm run bench   that server, in a schema of its own
 *   BENCH_USERS BENCH_SEED_CONCURRENCY BENCH_BIG_TEAM BENCH_MEMBER_CHUNK BENCH_CONNECTIONS
 *   BENCH_SECONDS BENCH_WARMUP_SECONDS BENCH_MATCH=userName BENCH_ONLY=get-by-id,list-deep
 *   (see bench/README.md)
 */
import { randomBytes } from 'node:crypto';
import { measureReadScaling } from './read-scaling.js';
import { updateReadme } from './readme-table.js';
import { type Scenario, scenarios } from './scenarios.js';
import { ScimClient } from './scim-client.js';
import { command, machine, revision, row, type ScimBenchResult, table, writeResult } from './scim-report.js';
import { type MatchAttribute, seedEntraCycle, seedTeams } from './seed-entra.js';
import {
  benchDatabase,
  cliTenant,
  type LoadResult,
  load,
  type Process,
  startBareServer,
  startService,
  withCpu,
} from './support.js';

function knob(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name}=${raw}: a whole number of at least ${min}`);
  return value;
}

const USERS = knob('BENCH_USERS', 10_000);
const SEED_CONCURRENCY = knob('BENCH_SEED_CONCURRENCY', 10);
const SMALL_TEAM = 10;
const BIG_TEAM = knob('BENCH_BIG_TEAM', 2000);
const MEMBER_CHUNK = knob('BENCH_MEMBER_CHUNK', 50);
const CONNECTIONS = knob('BENCH_CONNECTIONS', 10);
const SECONDS = knob('BENCH_SECONDS', 5);
const WARMUP_SECONDS = knob('BENCH_WARMUP_SECONDS', 1, 0);
const ONLY = process.env.BENCH_ONLY?.split(',').filter(Boolean);
const MATCH = ((raw = process.env.BENCH_MATCH || 'externalId'): MatchAttribute => {
  if (raw === 'externalId' || raw === 'userName') return raw;
  throw new Error(`BENCH_MATCH=${raw}: externalId or userName`);
})();
/** Users in no team, for the member scenarios: each connection holds one, and stragglers of a stopped run one more. */
const SPARE = 3 * CONNECTIONS;
/** The service as production runs it, but for the per-token rate limit, which the load would hit at once. */
const SERVICE_ENV = { RATE_LIMIT_REQUESTS: '0', LOG_LEVEL: 'silent' };

interface Measured {
  readonly scenario: Scenario;
  readonly result: LoadResult;
  readonly probeProblem: string | undefined;
}

async function measure(service: Process, client: ScimClient, scenario: Scenario): Promise<Measured> {
  const probeProblem = await scenario.probe(client);
  const options = { url: service.origin, connections: CONNECTIONS, headers: { ...client.headers } };
  if (WARMUP_SECONDS > 0) await load({ ...options, seconds: WARMUP_SECONDS, requests: scenario.requests() });
  const result = await withCpu(service.pid, () =>
    load({ ...options, seconds: SECONDS, requests: scenario.requests() }),
  );
  const cpu = result.cpuMicrosPerRequest === undefined ? '' : `, ${result.cpuMicrosPerRequest} µs CPU/req`;
  const line = `  ${scenario.key}: ${Math.round(result.requestsPerSecond)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms${cpu}`;
  const codes = Object.entries(result.statusCodes).map(([code, n]) => `${code}×${n}`);
  const unexpected = Object.keys(result.statusCodes).some((code) => code !== String(scenario.expect));
  const alarm = unexpected || result.errors > 0 || result.timeouts > 0 ? ` !!! expected only ${scenario.expect}` : '';
  console.log(`${line} [${codes.join(' ')}]${alarm}${probeProblem ? ` !!! probe: ${probeProblem}` : ''}`);
  return { scenario, result, probeProblem };
}

async function main(): Promise<void> {
  if (USERS < BIG_TEAM + SPARE + 100) {
    throw new Error(
      `BENCH_USERS=${USERS} must be at least BENCH_BIG_TEAM + ${SPARE + 100} (spare users and a deep page)`,
    );
  }
  const { commit, uncommittedChanges } = revision();
  const database = await benchDatabase();
  const service = await startService(database.url, SERVICE_ENV);
  const bare = await startBareServer();
  let client: ScimClient | undefined;
  try {
    const tenant = await cliTenant(database.url);
    client = new ScimClient(service.origin, tenant.token, Math.max(SEED_CONCURRENCY, CONNECTIONS));
    const bareLoad = () =>
      withCpu(bare.pid, () => load({ url: `${bare.origin}/`, connections: CONNECTIONS, seconds: SECONDS }));
    console.log(`scim bench on ${database.store}: ${USERS} users, teams of ${SMALL_TEAM} and ${BIG_TEAM}`);
    await load({ url: `${bare.origin}/`, connections: CONNECTIONS, seconds: 1 });
    const bareStart = await bareLoad();
    console.log(`  bare node:http server: ${Math.round(bareStart.requestsPerSecond)} req/s`);

    const runId = randomBytes(4).toString('hex');
    const seeded = await seedEntraCycle(client, runId, USERS, SEED_CONCURRENCY, MATCH);
    console.log(`  Entra cycle: ${seeded.figures.usersPerSecond} users/s (${seeded.figures.seconds} s)`);
    const teams = await seedTeams(
      client,
      runId,
      seeded.users,
      [
        [`Litigation ${runId}`, SMALL_TEAM],
        [`Everyone ${runId}`, BIG_TEAM],
      ],
      MEMBER_CHUNK,
    );
    console.log(`  teams: ${teams.patches} member PATCHes in ${teams.seconds} s`);
    // Taken before the scenarios add their own users and log entries: the size of an organization
    // of USERS users as Entra's initial cycle leaves it (users, memberships, log entries, events).
    const storage = { bytesAfterSeed: await database.bytes(), users: USERS };
    console.log(`  database after the seed: ${(storage.bytesAfterSeed / 1048576).toFixed(1)} MiB`);
    const [small, big] = teams.teams as [(typeof teams.teams)[0], (typeof teams.teams)[0]];
    const all = scenarios({ run: runId, users: seeded.users, small, big, spare: seeded.users.slice(-SPARE) });

    const measured: Measured[] = [];
    for (const scenario of all) {
      if (!ONLY || ONLY.includes(scenario.key)) measured.push(await measure(service, client, scenario));
    }
    const readScaling =
      database.store === 'postgres'
        ? await measureReadScaling(
            service,
            all.filter((s) => s.key === 'get-by-id' || s.key === 'filter-username'),
            {
              databaseUrl: database.url,
              serviceEnv: SERVICE_ENV,
              headers: { ...client.headers },
              connections: CONNECTIONS,
              seconds: SECONDS,
              warmupSeconds: WARMUP_SECONDS,
            },
          )
        : null;
    const bareEnd = await bareLoad();
    const ceiling = (bareStart.requestsPerSecond + bareEnd.requestsPerSecond) / 2;

    const result: ScimBenchResult = {
      benchmark: 'scim',
      store: database.store,
      date: new Date().toISOString(),
      commit,
      uncommittedChanges,
      command: command(),
      machine: machine(),
      sizes: {
        users: USERS,
        smallTeam: SMALL_TEAM,
        bigTeam: BIG_TEAM,
        memberChunk: MEMBER_CHUNK,
        seedConcurrency: SEED_CONCURRENCY,
      },
      connections: CONNECTIONS,
      seconds: SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      serviceEnv: SERVICE_ENV,
      bare: { start: bareStart, end: bareEnd, meanRequestsPerSecond: Math.round(ceiling) },
      entraCycle: seeded.figures,
      storage,
      teams: {
        memberChunk: teams.memberChunk,
        patches: teams.patches,
        seconds: teams.seconds,
        membersPerSecond: teams.membersPerSecond,
        sizes: [SMALL_TEAM, BIG_TEAM],
      },
      scenarios: measured.map((m) =>
        row(m.scenario.key, m.scenario.label, m.result, ceiling, m.scenario.expect, m.probeProblem),
      ),
      readScaling,
    };
    console.log(`\n${table(result)}\n`);
    for (const r of result.scenarios.filter((s) => !s.valid)) {
      console.log(`!!! INVALID ${r.key}: ${r.problems.join('; ')}`);
    }
    // A partial run (BENCH_ONLY) is for looking, not for the record.
    if (!ONLY) {
      console.log(`written to ${writeResult(result)}`);
      console.log(`bench/README.md: table rewritten for ${updateReadme().join(', ')}`);
    }
  } finally {
    client?.close();
    await service.stop();
    await bare.stop();
    await database.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
