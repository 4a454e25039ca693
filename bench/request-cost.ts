/**
 * `npm run bench:request-cost`: what one request of each kind costs the service in CPU, from the
 * cheapest Fastify answer up to a GET by id, beside the bare node:http server in the same run. The
 * differences between rows say what each layer costs: Fastify's cycle (/healthz), the SCIM
 * routes' hooks without a database (/ServiceProviderConfig), a refused token (401), then the
 * authenticated reads. One organization with one user (every read finds its pages in the cache):
 * this is the per-request overhead, not the cost of a large directory (`npm run bench:scale`).
 *
 *   BENCH_SECONDS (5) per row, BENCH_CONNECTIONS (10), BENCH_LOG_LEVEL (info: as production
 *   runs; stdout is discarded), BENCH_ONLY=get,miss (row keys)
 */
import { benchDatabase, cliTenant, load, type Process, startBareServer, startService, withCpu } from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'info';
const ONLY = process.env.BENCH_ONLY?.split(',').filter(Boolean);

async function main(): Promise<void> {
  const database = await benchDatabase();
  const service = await startService(database.url, { LOG_LEVEL }, { discardStdout: true });
  const bare = await startBareServer();
  try {
    const tenant = await cliTenant(database.url);
    const headers = { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/scim+json' };
    const created = await fetch(`${service.origin}/scim/v2/Users`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'ada@example.com',
        externalId: 'ada',
        active: true,
        displayName: 'Ada Lovelace',
        name: { givenName: 'Ada', familyName: 'Lovelace' },
        emails: [{ primary: true, type: 'work', value: 'ada@example.com' }],
        title: 'Engineer',
      }),
    });
    if (created.status !== 201) throw new Error(`seeding the user: ${created.status} ${await created.text()}`);
    const { id } = (await created.json()) as { id: string };
    const filter = (expression: string) => `/scim/v2/Users?filter=${encodeURIComponent(expression)}`;
    const rows: [key: string, label: string, target: Process, path: string, auth: boolean, status: number][] = [
      ['bare', 'bare node:http server', bare, '/', false, 200],
      ['healthz', 'GET /healthz (Fastify, no hooks of ours but the global ones)', service, '/healthz', false, 200],
      [
        'spc',
        'GET /scim/v2/ServiceProviderConfig (no token, no database)',
        service,
        '/scim/v2/ServiceProviderConfig',
        false,
        200,
      ],
      ['401', 'GET /scim/v2/Users/x without a token (401)', service, '/scim/v2/Users/x', false, 401],
      [
        '404',
        'GET /scim/v2/Users/<unknown id> (404)',
        service,
        '/scim/v2/Users/00000000-0000-7000-8000-000000000000',
        true,
        404,
      ],
      ['get', 'GET /scim/v2/Users/<id>', service, `/scim/v2/Users/${id}`, true, 200],
      [
        'miss',
        'GET /scim/v2/Users?filter=userName eq (a miss)',
        service,
        filter('userName eq "nobody@example.com"'),
        true,
        200,
      ],
      [
        'hit',
        'GET /scim/v2/Users?filter=userName eq (a hit)',
        service,
        filter('userName eq "ada@example.com"'),
        true,
        200,
      ],
    ];
    console.log(`CPU per request, ${CONNECTIONS} connections, ${SECONDS} s a row, service at LOG_LEVEL=${LOG_LEVEL}`);
    console.log('| request | req/s | CPU µs/req |\n|---|---:|---:|');
    for (const [key, label, target, path, auth, status] of rows) {
      if (ONLY && !ONLY.includes(key)) continue;
      const options = { url: target.origin + path, connections: CONNECTIONS, ...(auth ? { headers } : {}) };
      await load({ ...options, seconds: 1 });
      const result = await withCpu(target.pid, () => load({ ...options, seconds: SECONDS }));
      const unexpected = Object.keys(result.statusCodes).filter((code) => code !== String(status));
      const alarm = unexpected.length > 0 ? ` !!! expected only ${status}, got ${unexpected.join(', ')}` : '';
      console.log(
        `| ${label} | ${Math.round(result.requestsPerSecond)} | ${result.cpuMicrosPerRequest ?? '?'} |${alarm}`,
      );
    }
  } finally {
    await service.stop();
    await bare.stop();
    await database.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
