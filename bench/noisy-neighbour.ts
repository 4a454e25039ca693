/**
 * Issue 7's promise, measured: no request of one organization, however crafted, makes another
 * organization wait much longer. The service runs as its own process; a victim organization
 * sends Entra's lookup (`userName eq`) from 10 connections while an attacker organization, with a
 * valid token of its own, runs each attack of the security audit in turn. Printed: the victim's
 * throughput and p50/p99 alone and under each attack, as ratios to the victim alone and to a
 * bare node:http server measured in the same run, and what the attacker was answered.
 *
 *   npx tsx bench/noisy-neighbour.ts                      SQLite in a temporary file
 *   BENCH_STORE=postgres npx tsx bench/noisy-neighbour.ts  a throwaway embedded PostgreSQL
 *   BENCH_SECONDS=10 BENCH_ONLY=flood,filter-scan ...      longer runs, some attacks only
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { createServices } from '../src/services/index.js';
import { openStore } from '../src/store/open-store.js';
import { benchDatabase, type LoadResult, load, type Process, startBareServer, startService } from './support.js';

/** Who the bench's setup is by, for the audit trail. */
const BENCH_OPERATOR = { kind: 'cli', operator: 'bench' } as const;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const ONLY = process.env.BENCH_ONLY?.split(',');
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

interface Tenant {
  readonly orgId: string;
  readonly token: string;
}

/** An attack: started before the victim's measurement, stopped after it; returns what it was answered. */
type Attack = (service: Process, attacker: Tenant, signal: AbortSignal) => Promise<Map<string, number>>;

/**
 * The attacker runs in a process of its own (this file again, with BENCH_ATTACK set), so that
 * reading its large answers does not slow the victim's load generator in this process.
 */
function startAttack(name: string, service: Process, attacker: Tenant): { stop(): Promise<Map<string, number>> } {
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename], {
    env: {
      ...process.env,
      BENCH_ATTACK: name,
      BENCH_ORIGIN: service.origin,
      BENCH_TOKEN: attacker.token,
      BENCH_HEAVY_USER: heavyUserId,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    async stop() {
      child.kill('SIGTERM');
      await exited;
      return new Map(Object.entries(JSON.parse(output || '{}') as Record<string, number>));
    },
  };
}

/** In the attacker's process: run one attack until SIGTERM, then print what it was answered. */
async function runAttack(name: string): Promise<void> {
  const attack = ATTACKS[name];
  if (!attack) throw new Error(`no attack ${name}`);
  heavyUserId = process.env.BENCH_HEAVY_USER ?? '';
  const controller = new AbortController();
  process.once('SIGTERM', () => controller.abort());
  const service: Process = { origin: process.env.BENCH_ORIGIN ?? '', pid: 0, stop: async () => {} };
  const answered = await attack(service, { orgId: '', token: process.env.BENCH_TOKEN ?? '' }, controller.signal);
  process.stdout.write(JSON.stringify(Object.fromEntries(answered)));
  process.exit(0);
}

async function main(): Promise<void> {
  const database = await benchDatabase();
  const tenants = await seedTenants(database.url);
  const service = await startService(database.url, { RATE_LIMIT_REQUESTS: '0' });
  const bare = await startBareServer();
  try {
    await seedData(service, tenants);
    const victimUrl = `${service.origin}/scim/v2/Users?filter=${encodeURIComponent('userName eq "victim42@fabrikam.com"')}`;
    const victim = { Authorization: `Bearer ${tenants.victim.token}` };
    const measureVictim = () => load({ url: victimUrl, connections: 10, seconds: SECONDS, headers: victim });

    // Warm both servers, then measure the ceiling and the victim alone.
    await load({ url: `${bare.origin}/`, connections: 10, seconds: 1 });
    await load({ url: victimUrl, connections: 10, seconds: 2, headers: victim });
    const ceiling = await load({ url: `${bare.origin}/`, connections: 10, seconds: SECONDS });
    const alone = await measureVictim();

    const rows: Row[] = [{ scenario: 'victim alone', victim: alone, attacker: new Map() }];
    for (const name of Object.keys(ATTACKS)) {
      if (ONLY && !ONLY.includes(name)) continue;
      const attack = startAttack(name, service, tenants.attacker);
      await new Promise((r) => setTimeout(r, 500));
      const underAttack = await measureVictim();
      rows.push({ scenario: name, victim: underAttack, attacker: await attack.stop() });
    }
    report(database.store, ceiling, rows);
  } finally {
    await service.stop();
    await bare.stop();
    await database.drop();
  }
}

interface Row {
  readonly scenario: string;
  readonly victim: LoadResult;
  readonly attacker: Map<string, number>;
}

async function seedTenants(databaseUrl: string): Promise<{ attacker: Tenant; victim: Tenant }> {
  const store = await openStore(databaseUrl);
  const services = createServices(store);
  const make = async (name: string) => {
    const org = await services.organizations.create(BENCH_OPERATOR, name);
    return { orgId: org.id, token: (await services.tokens.issue(BENCH_OPERATOR, org.id)).token };
  };
  const tenants = { attacker: await make('Attacker'), victim: await make('Fabrikam') };
  await store.close();
  return tenants;
}

/** Through SCIM, as an IdP would: the victim's directory, and the attacker's users at the caps. */
async function seedData(service: Process, tenants: { attacker: Tenant; victim: Tenant }): Promise<void> {
  const post = (tenant: Tenant, body: unknown) =>
    fetch(`${service.origin}/scim/v2/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify(body),
    }).then(async (res) => {
      await res.arrayBuffer();
      if (res.status !== 201) throw new Error(`seed create answered ${res.status}`);
    });
  const inBatches = async (count: number, make: (i: number) => Promise<void>) => {
    for (let i = 0; i < count; i += 4) await Promise.all([0, 1, 2, 3].map((k) => (i + k < count ? make(i + k) : 0)));
  };
  await inBatches(500, (i) =>
    post(tenants.victim, { schemas: [USER], userName: `victim${i}@fabrikam.com`, externalId: `v-${i}` }),
  );
  // Users as large as the caps allow: 100 e-mails of ~500 characters of crafted content.
  await inBatches(200, (i) =>
    post(tenants.attacker, {
      schemas: [USER],
      userName: `heavy${i}@attacker.example`,
      emails: Array.from({ length: 100 }, (_, k) => ({
        value: `${'a'.repeat(470)}${i}.${k}@attacker.example`,
        display: 'd',
      })),
    }),
  );
  const res = await fetch(
    `${service.origin}/scim/v2/Users?count=1&filter=userName%20eq%20%22heavy0@attacker.example%22`,
    {
      headers: { authorization: `Bearer ${tenants.attacker.token}` },
    },
  );
  heavyUserId = ((await res.json()) as { Resources: { id: string }[] }).Resources[0]?.id ?? '';
}

let heavyUserId = '';

/** Runs `send` from `parallel` loops until aborted, counting answers by status (or error). */
async function hammer(
  parallel: number,
  signal: AbortSignal,
  send: () => Promise<Response>,
): Promise<Map<string, number>> {
  const answered = new Map<string, number>();
  const count = (key: string) => answered.set(key, (answered.get(key) ?? 0) + 1);
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (!signal.aborted) {
        try {
          const res = await send();
          await res.arrayBuffer();
          count(String(res.status));
        } catch {
          count('error');
        }
      }
    }),
  );
  return answered;
}

const scim = (service: Process, attacker: Tenant, path: string, init: RequestInit = {}) =>
  fetch(`${service.origin}/scim/v2${path}`, {
    ...init,
    headers: { authorization: `Bearer ${attacker.token}`, 'content-type': 'application/scim+json' },
  });

const ATTACKS: Record<string, Attack> = {
  /** 64 connections of bulk page reads at once: the tenant bulkhead queues them behind each other. */
  flood: (service, attacker, signal) => hammer(64, signal, () => scim(service, attacker, '/Users?count=200')),

  /** The audit's PATCH: value filters with long `or` chains over a user with 100 long e-mails. */
  'patch-value-filters': (service, attacker, signal) => {
    const terms = Array.from({ length: 50 }, (_, i) => `value co "${'a'.repeat(40)}b${i}"`).join(' or ');
    const body = JSON.stringify({
      schemas: [PATCH],
      Operations: Array.from({ length: 60 }, () => ({ op: 'remove', path: `emails[${terms}].display` })),
    });
    return hammer(8, signal, () => scim(service, attacker, `/Users/${heavyUserId}`, { method: 'PATCH', body }));
  },

  /** The audit's scan: a long substring over every e-mail of the attacker's users. */
  'filter-scan': (service, attacker, signal) => {
    const filter = encodeURIComponent(`emails co "${'a'.repeat(255)}b"`);
    return hammer(10, signal, () => scim(service, attacker, `/Users?filter=${filter}`));
  },

  /** The audit's big pages: count=1000 over the attacker's largest users. */
  'big-pages': (service, attacker, signal) => hammer(10, signal, () => scim(service, attacker, '/Users?count=1000')),

  /** Bodies built to make validation expensive: deep nesting, repeated URN prefixes, 30,000 schemas. */
  'hostile-bodies': (service, attacker, signal) => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const prefix = 'urn:ietf:params:scim:schemas:core:2.0:User:'.repeat(5000);
    const bodies = [
      deep,
      JSON.stringify({ schemas: [USER], userName: 'x@y.z', [`${prefix}userName`]: 'x' }),
      JSON.stringify({
        schemas: [USER, ...Array.from({ length: 30_000 }, (_, i) => `urn:x:${i}`)],
        userName: 'x@y.z',
      }),
    ];
    let next = 0;
    return hammer(8, signal, () =>
      scim(service, attacker, '/Users', { method: 'POST', body: bodies[next++ % bodies.length] as string }),
    );
  },

  /** 300 connections that trickle their headers or body and never finish. */
  slowloris: async (service, attacker, signal) => {
    const { port } = new URL(service.origin);
    const sockets: Socket[] = [];
    const answered = new Map<string, number>();
    const open = (i: number) => {
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('error', () => undefined);
      socket.on('close', () => answered.set('closed by server', (answered.get('closed by server') ?? 0) + 1));
      socket.write(
        i % 2 === 0
          ? 'GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\n'
          : `POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${attacker.token}\r\nContent-Type: application/scim+json\r\nContent-Length: 100000\r\n\r\n{`,
      );
      sockets.push(socket);
    };
    for (let i = 0; i < 300; i++) open(i);
    const drip = setInterval(() => {
      for (const socket of sockets) if (!socket.destroyed) socket.write(' ');
    }, 500);
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    clearInterval(drip);
    for (const socket of sockets) socket.destroy();
    return answered;
  },
};

function report(store: string, ceiling: LoadResult, rows: readonly Row[]): void {
  const alone = rows[0]?.victim as LoadResult;
  const lines = [
    `noisy neighbour on ${store}: the victim sends "userName eq" lookups from 10 connections for ${SECONDS} s (autocannon) while the attacker runs each attack from its own connections; service and bare server are separate processes on loopback; Node ${process.version}, ${cpus().length} CPUs`,
    `bare node:http ceiling in this run: ${ceiling.requestsPerSecond.toFixed(0)} req/s, p50 ${ceiling.p50} ms, p99 ${ceiling.p99} ms`,
    '',
    '| scenario | victim req/s | % of ceiling | p50 ms | p99 ms | max ms | p99 vs alone | victim non-2xx | attacker answered |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((row) => {
      const v = row.victim;
      const answered = [...row.attacker].map(([k, n]) => `${k}×${n}`).join(' ') || '-';
      return `| ${row.scenario} | ${v.requestsPerSecond.toFixed(0)} | ${((100 * v.requestsPerSecond) / ceiling.requestsPerSecond).toFixed(1)} % | ${v.p50} | ${v.p99} | ${v.max} | ${(v.p99 / Math.max(alone.p99, 1)).toFixed(2)}x | ${v.non2xx + v.errors + v.timeouts} | ${answered} |`;
    }),
  ];
  console.log(lines.join('\n'));
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `noisy-neighbour-${store}.json`);
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        measuredAt: new Date().toISOString(),
        store,
        seconds: SECONDS,
        node: process.version,
        cpus: cpus().length,
        ceiling,
        rows: rows.map((r) => ({ ...r, attacker: Object.fromEntries(r.attacker) })),
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\n(written to ${file})`);
}

const role = process.env.BENCH_ATTACK ? runAttack(process.env.BENCH_ATTACK) : main();
role.catch((error) => {
  console.error(error);
  process.exit(1);
});
