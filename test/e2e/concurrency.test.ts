import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newTenant, type RunningServer, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/**
 * Entra keeps several requests in flight. On PostgreSQL they may land on different instances
 * of the service: two instances on one database are driven at once here. (SQLite serves one
 * instance; its requests still run concurrently within it.)
 */
for (const backend of testStores()) {
  describe(`concurrent requests on ${backend.name}`, () => {
    const servers: RunningServer[] = [];
    let tenant: { orgId: string; token: string };
    before(async () => {
      const first = await startServer(backend);
      servers.push(first);
      if (backend.name === 'postgres') servers.push(await startServer(backend, { databaseUrl: first.databaseUrl }));
      tenant = await newTenant(first.services);
    });
    after(async () => {
      for (const server of servers.reverse()) await server.close();
    });

    /** Spreads request i over the instances, round robin. */
    const url = (i: number, path: string) => `${servers[i % servers.length]?.scimUrl}${path}`;

    test('parallel creates of one userName: exactly one 201, every other 409 uniqueness', async () => {
      const attempts = Array.from({ length: 16 }, (_, i) =>
        scimRequest(url(i, '/Users'), {
          method: 'POST',
          token: tenant.token,
          body: { schemas: [USER], userName: i % 2 ? 'Race@X.com' : 'race@x.com', externalId: `race-${i}` },
        }),
      );
      const results = await Promise.all(attempts);
      const statuses = results.map((r) => r.status).sort();
      assert.equal(statuses.filter((s) => s === 201).length, 1, JSON.stringify(results.map((r) => r.body)));
      assert.equal(statuses.filter((s) => s === 409).length, 15);
      for (const r of results.filter((r) => r.status === 409)) assert.equal(r.body.scimType, 'uniqueness');
    });

    test('parallel member adds to one team lose nothing', async () => {
      const users = await Promise.all(
        Array.from({ length: 30 }, async (_, i) => {
          const res = await scimRequest(url(i, '/Users'), {
            method: 'POST',
            token: tenant.token,
            body: { schemas: [USER], userName: `member${i}@x.com`, externalId: `m-${i}` },
          });
          assert.equal(res.status, 201, res.text);
          return res.body.id as string;
        }),
      );
      const team = await scimRequest(url(0, '/Groups'), {
        method: 'POST',
        token: tenant.token,
        body: { schemas: [GROUP], displayName: 'Busy' },
      });
      assert.equal(team.status, 201);
      const adds = users.map((id, i) =>
        scimRequest(url(i, `/Groups/${team.body.id}`), {
          method: 'PATCH',
          token: tenant.token,
          body: { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }] },
        }),
      );
      const results = await Promise.all(adds);
      assert.deepEqual(
        results.map((r) => r.status),
        users.map(() => 204),
        results.map((r) => r.text).join('\n'),
      );
      const members = await servers[0]?.store.memberIds(tenant.orgId, team.body.id);
      assert.deepEqual([...(members ?? [])].sort(), [...users].sort());
      const final = await scimRequest(url(1, `/Groups/${team.body.id}?excludedAttributes=members`), {
        token: tenant.token,
      });
      // Every change bumped the version exactly once: no update was lost.
      assert.equal(final.body.meta.version, `W/"${1 + users.length}"`);
    });

    test('parallel PATCHes of one user all apply, each once', async () => {
      const created = await scimRequest(url(0, '/Users'), {
        method: 'POST',
        token: tenant.token,
        body: { schemas: [USER], userName: 'busy@x.com', externalId: 'busy' },
      });
      const id = created.body.id as string;
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          scimRequest(url(i, `/Users/${id}`), {
            method: 'PATCH',
            token: tenant.token,
            body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: `title ${i}` }] },
          }),
        ),
      );
      assert.deepEqual(
        results.map((r) => r.status),
        results.map(() => 200),
      );
      const final = await scimRequest(url(1, `/Users/${id}`), { token: tenant.token });
      assert.equal(final.body.meta.version, 'W/"13"');
    });
  });
}

describe('several instances starting at once on a new PostgreSQL database', () => {
  const postgres = testStores().find((s) => s.name === 'postgres');
  test('all migrate without error and see one schema', {
    skip: postgres ? false : 'no PostgreSQL in this run',
  }, async () => {
    if (!postgres) return;
    const first = await postgres.open();
    // The same URL (and schema) opened four times concurrently, as a fleet starting together.
    const { openStore } = await import('../../src/store/open-store.js');
    const url = new URL(first.databaseUrl);
    url.searchParams.set('schema', `${url.searchParams.get('schema')}_fleet`);
    const stores = await Promise.all(Array.from({ length: 4 }, () => openStore(url.toString())));
    try {
      const org = {
        id: 'o1',
        name: 'Fleet',
        scimEnabled: true,
        deleteMode: 'retain' as const,
        externalRef: null,
        createdAt: 1,
        updatedAt: 1,
      };
      await stores[0]?.insertOrg(org);
      for (const store of stores) assert.deepEqual(await store.getOrg('o1'), org);
    } finally {
      for (const store of stores) await store.close();
      const pg = await import('pg');
      const admin = new pg.default.Client({ connectionString: process.env.TEST_POSTGRES_URL });
      await admin.connect();
      await admin.query(`drop schema if exists ${url.searchParams.get('schema')} cascade`);
      await admin.end();
      await first.close();
    }
  });
});
