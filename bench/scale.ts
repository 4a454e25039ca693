/**
 * Issue 11, scale: the same lookups, a deep list page and one-member PATCHes at 10,000, 100,000
 * and 1,000,000 users in one organization, with teams of 10, 10,000 and 100,000 members, and the
 * service's peak RSS at each size. One fresh database grows in steps; at each step the service
 * runs in its own process (as `npm start` runs it) and is measured over loopback, next to a bare
 * node:http server measured in the same run.
 *
 *   npm run bench:scale                          SQLite in a temporary file
 *   BENCH_STORE=postgres npm run bench:scale     a throwaway embedded PostgreSQL (or BENCH_DATABASE_URL)
 *   BENCH_SIZES=10000,100000,1000000             the sizes to grow through (PostgreSQL's default stops at 100,000)
 *   BENCH_SECONDS=3 BENCH_ROUNDS=30              autocannon seconds per lookup; timed requests per figure
 *   BENCH_SEED_PARALLEL=4                        concurrent seeding transactions (PostgreSQL)
 */
import { randomUUID } from 'node:crypto';
import { createServices } from '../src/services/index.js';
import { openStore } from '../src/store/open-store.js';
import { deepPage, lookup, memberPatches, memoryOf, walkPages } from './scale-measure.js';
import { gitCommit, keep, machine, markdown, type ScaleRun, type SizeResult } from './scale-report.js';
import { externalIdOf, seedMembers, seedUsers, userNameOf } from './scale-seed.js';
import { benchDatabase, load, startBareServer, startService } from './support.js';

const BENCH_OPERATOR = { kind: 'cli', operator: 'bench' } as const;
const TEAM_SIZES = [10, 10_000, 100_000];
const CONNECTIONS = 10;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const PAGE = 100;

async function main(): Promise<void> {
  const db = await benchDatabase();
  // PostgreSQL seeds 1,000 to 1,800 users a second through the store here (two statements a
  // user, each a round trip): a million would take 10 to 18 minutes, so its default stops at 100,000.
  const defaults = db.store === 'postgres' ? '10000,100000' : '10000,100000,1000000';
  const sizes = (process.env.BENCH_SIZES ?? defaults).split(',').map((s) => Number(s.trim()));
  const parallel = Number(process.env.BENCH_SEED_PARALLEL ?? (db.store === 'postgres' ? 4 : 1));
  const store = await openStore(db.url);
  const results: SizeResult[] = [];
  try {
    const services = createServices(store);
    const org = await services.organizations.create(BENCH_OPERATOR, 'Scale bench');
    const { token } = await services.tokens.issue(BENCH_OPERATOR, org.id);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' };
    // Only the ids a measurement names are kept: team members and one user per size.
    const memberIds: string[] = [];
    const probes = new Map(sizes.map((s) => [Math.floor(s / 2), '']));
    const maxTeam = Math.max(...TEAM_SIZES);
    const teams = new Map<number, string>();
    let seeded = 0;
    for (const size of sizes) {
      const started = performance.now();
      await seedUsers(store, org.id, seeded, size, parallel, (i, id) => {
        if (i < maxTeam) memberIds[i] = id;
        if (probes.has(i)) probes.set(i, id);
      });
      const seedSeconds = (performance.now() - started) / 1000;
      seeded = size;
      console.log(`${size.toLocaleString('en')} users (seeded in ${seedSeconds.toFixed(1)} s)`);
      const service = await startService(db.url);
      const base = `${service.origin}/scim/v2`;
      try {
        for (const teamSize of TEAM_SIZES) {
          if (teamSize > size || teams.has(teamSize)) continue;
          teams.set(teamSize, await createTeam(base, headers, `team-${teamSize}`));
          await seedMembers(store, org.id, teams.get(teamSize) as string, memberIds.slice(0, teamSize));
        }
        const bare = await startBareServer();
        const ceiling = await load({ url: `${bare.origin}/`, connections: CONNECTIONS, seconds: SECONDS });
        await bare.stop();
        const probe = Math.floor(size / 2);
        const filter = (f: string) => `${base}/Users?filter=${encodeURIComponent(f)}`;
        const biggest = Math.max(...[...teams.keys()]);
        const urls: Record<string, string> = {
          'get user by id': `${base}/Users/${probes.get(probe)}`,
          'filter externalId, hit': filter(`externalId eq "${externalIdOf(probe)}"`),
          'filter externalId, miss': filter(`externalId eq "${randomUUID()}"`),
          'filter userName, hit': filter(`userName eq "${userNameOf(probe)}"`),
          'filter userName, miss (Test connection)': filter(`userName eq "${randomUUID()}@scale.example"`),
          [`team by displayName, excludedAttributes=members (team of ${biggest.toLocaleString('en')})`]: `${base}/Groups?filter=${encodeURIComponent(`displayName eq "team-${biggest}"`)}&excludedAttributes=members`,
        };
        const lookups: Record<string, Awaited<ReturnType<typeof lookup>>> = {};
        for (const [name, url] of Object.entries(urls)) {
          lookups[name.startsWith('team by') ? 'team by displayName, excludedAttributes=members' : name] = await lookup(
            url,
            headers,
            CONNECTIONS,
            SECONDS,
          );
        }
        const deepStart = Math.floor(size * 0.9) + 1;
        const deep = await deepPage(base, headers, deepStart, PAGE, ROUNDS);
        if (deep.returned !== PAGE || deep.total !== size) {
          throw new Error(
            `startIndex ${deepStart}: ${deep.returned} of ${deep.total} users, expected ${PAGE} of ${size}`,
          );
        }
        const walkStart = Math.floor(size / 2) + 1;
        const walk = await walkPages(base, headers, walkStart, PAGE, ROUNDS);
        const patches: Record<string, Awaited<ReturnType<typeof memberPatches>>> = {};
        for (const [teamSize, teamId] of teams) {
          patches[teamSize.toLocaleString('en')] = await memberPatches(
            base,
            headers,
            teamId,
            memberIds.slice(0, Math.min(teamSize, ROUNDS)),
          );
        }
        const memory = memoryOf(service.pid);
        results.push({
          users: size,
          seedSeconds,
          ceiling,
          lookups,
          deepPage: { startIndex: deepStart, first: deep.first, repeat: deep.repeat },
          walk: { startIndex: walkStart, pages: walk },
          patches,
          memory,
        });
        console.log(`  done: peak RSS ${memory?.peakMiB ?? '?'} MiB`);
      } finally {
        await service.stop();
      }
    }
    const run: ScaleRun = {
      measuredAt: new Date().toISOString(),
      store: db.store,
      commit: gitCommit(),
      machine: machine(),
      how: `Lookups: autocannon, ${CONNECTIONS} connections, ${SECONDS} s each, one URL per lookup (a user in the middle of the seeded range). Pages and PATCHes: ${ROUNDS} sequential requests each (PATCH: remove one member, add it back). Service started fresh at each size; peak RSS is its VmHWM after that size's run.`,
      sizes: results,
    };
    console.log(`\n${markdown(run)}\n`);
    console.log(`written: ${keep(run)} and bench/README.md`);
  } finally {
    await store.close();
    await db.drop();
  }
}

async function createTeam(base: string, headers: Record<string, string>, displayName: string): Promise<string> {
  const res = await fetch(`${base}/Groups`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName }),
  });
  if (res.status !== 201) throw new Error(`POST /Groups answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
