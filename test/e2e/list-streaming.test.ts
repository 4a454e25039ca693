import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newTenant, type RunningServer, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const BUDGET = 16 * 1024;
const USERS = 60;
const GROUPS = 8;

/**
 * Issue: `GET /Users?count=1000` over large users built the whole ListResponse in memory (1.9 GB,
 * then a 500 "Invalid string length"; ten at once ran the process out of heap). A list now streams
 * chunk by chunk and stops at a byte budget (MAX_PAGE_BYTES), which RFC 7644 §3.4.2.4 allows: a
 * page may hold fewer resources than `count`, `itemsPerPage` says how many, and a client paging by
 * startIndex + itemsPerPage still sees every resource once.
 */
for (const backend of testStores()) {
  describe(`streamed ListResponse under a byte budget, ${backend.name}`, () => {
    let server: RunningServer;
    let tenant: { orgId: string; token: string };
    let statements: string[] = [];
    let recording = false;
    /** In creation order; user i is inactive when i % 6 === 5. */
    const users: { id: string; userName: string; active: boolean }[] = [];
    const groupIds: string[] = [];

    before(async () => {
      server = await startServer(backend, {
        maxPageBytes: BUDGET,
        onQuery: (sql) => {
          if (recording) statements.push(sql);
        },
      });
      tenant = await newTenant(server.services);
      for (let i = 0; i < USERS; i++) {
        const userName = `user-${String(i).padStart(2, '0')}@example.com`;
        const active = i % 6 !== 5;
        const res = await scimRequest(`${server.scimUrl}/Users`, {
          method: 'POST',
          token: tenant.token,
          // About 1 KB rendered: sixty of them are well over the 16 KiB budget.
          body: {
            schemas: [USER],
            userName,
            active,
            displayName: `${userName} ${'x'.repeat(400)}`,
            title: 'y'.repeat(400),
          },
        });
        assert.equal(res.status, 201, res.text);
        users.push({ id: res.body.id, userName, active });
      }
      for (let g = 0; g < GROUPS; g++) {
        // Sixty members make a group about 9 KB: two of them reach the budget.
        const res = await scimRequest(`${server.scimUrl}/Groups`, {
          method: 'POST',
          token: tenant.token,
          body: {
            schemas: [GROUP],
            displayName: `team-${g}`,
            members: users.map((u) => ({ value: u.id })),
          },
        });
        assert.equal(res.status, 201, res.text);
        groupIds.push(res.body.id);
      }
    });
    after(async () => {
      await server.close();
    });

    const get = (path: string) => scimRequest(`${server.scimUrl}${path}`, { token: tenant.token });

    /** Pages through `path` by startIndex + itemsPerPage, as RFC 7644 §3.4.2.4 clients do. */
    async function pageThrough(
      request: (startIndex: number) => ReturnType<typeof get>,
      // biome-ignore lint/suspicious/noExplicitAny: ListResponse bodies are asserted field by field
    ): Promise<{ resources: any[]; pages: number[]; total: number }> {
      // biome-ignore lint/suspicious/noExplicitAny: as above
      const resources: any[] = [];
      const pages: number[] = [];
      let startIndex = 1;
      let total = Number.POSITIVE_INFINITY;
      while (startIndex <= total) {
        const res = await request(startIndex);
        assert.equal(res.status, 200, res.text);
        assert.equal(res.body.startIndex, startIndex);
        assert.equal(res.body.Resources.length, res.body.itemsPerPage);
        assert.ok(res.body.itemsPerPage > 0, `page at ${startIndex} is empty: ${res.text.slice(0, 300)}`);
        total = res.body.totalResults;
        resources.push(...res.body.Resources);
        pages.push(res.body.itemsPerPage);
        startIndex += res.body.itemsPerPage;
      }
      return { resources, pages, total };
    }

    test('a page stops at the byte budget: fewer than count, chunked, itemsPerPage last', async () => {
      const res = await get('/Users?count=1000');
      assert.equal(res.status, 200, res.text);
      assert.match(res.headers.get('content-type') ?? '', /^application\/scim\+json/);
      assert.equal(res.headers.get('content-length'), null);
      assert.equal(res.headers.get('transfer-encoding'), 'chunked');
      assert.equal(res.body.totalResults, USERS);
      assert.ok(res.body.itemsPerPage > 1 && res.body.itemsPerPage < USERS, `itemsPerPage ${res.body.itemsPerPage}`);
      assert.equal(res.body.Resources.length, res.body.itemsPerPage);
      assert.deepEqual(Object.keys(res.body), ['schemas', 'totalResults', 'startIndex', 'Resources', 'itemsPerPage']);
      // The budget is crossed by one resource at most.
      const sizes = res.body.Resources.map((r: unknown) => Buffer.byteLength(JSON.stringify(r)));
      const largest = Math.max(...sizes);
      assert.ok(Buffer.byteLength(res.text) < BUDGET + largest + 500, `${Buffer.byteLength(res.text)} bytes`);
      // Users come with their groups (read once per chunk), as on GET /Users/{id}.
      assert.equal(res.body.Resources[0].groups.length, GROUPS);
    });

    test('paging by startIndex + itemsPerPage visits every user exactly once, in order', async () => {
      const { resources, pages, total } = await pageThrough((s) => get(`/Users?count=1000&startIndex=${s}`));
      assert.equal(total, USERS);
      assert.ok(pages.length > 2, `pages ${pages}`);
      assert.deepEqual(
        resources.map((r) => r.id),
        users.map((u) => u.id).sort(),
      );
    });

    test('count below what the budget allows is honoured', async () => {
      const res = await get('/Users?count=5&startIndex=11');
      assert.equal(res.body.itemsPerPage, 5);
      assert.equal(res.body.totalResults, USERS);
      assert.deepEqual(
        res.body.Resources.map((r: { id: string }) => r.id),
        users
          .map((u) => u.id)
          .sort()
          .slice(10, 15),
      );
      const none = await get('/Users?count=0');
      assert.deepEqual(none.body, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
        totalResults: USERS,
        startIndex: 1,
        Resources: [],
        itemsPerPage: 0,
      });
      const past = await get('/Users?startIndex=61');
      assert.equal(past.body.itemsPerPage, 0);
      assert.equal(past.body.totalResults, USERS);
    });

    test('attributes and excludedAttributes apply to every streamed user', async () => {
      // Small resources: the whole result fits the budget, read in two chunks.
      const narrow = await get('/Users?attributes=userName');
      assert.equal(narrow.body.itemsPerPage, USERS);
      for (const r of narrow.body.Resources) {
        assert.deepEqual(Object.keys(r).sort(), ['id', 'schemas', 'userName']);
      }
      assert.deepEqual(
        narrow.body.Resources.map((r: { userName: string }) => r.userName),
        [...users].sort((a, b) => (a.id < b.id ? -1 : 1)).map((u) => u.userName),
      );
      const excluded = await pageThrough((s) =>
        get(`/Users?excludedAttributes=displayName,title,groups&startIndex=${s}`),
      );
      assert.equal(excluded.resources.length, USERS);
      for (const r of excluded.resources) {
        assert.equal(r.displayName, undefined);
        assert.equal(r.title, undefined);
        assert.equal(r.groups, undefined);
        assert.equal(typeof r.userName, 'string');
      }
    });

    test('a filter sorted descending pages right, on GET and on POST /.search', async () => {
      const active = users.filter((u) => u.active).map((u) => u.userName);
      const expected = [...active].sort().reverse();
      const viaGet = await pageThrough((s) =>
        get(
          `/Users?filter=${encodeURIComponent('active eq true')}&sortBy=userName&sortOrder=descending&startIndex=${s}`,
        ),
      );
      assert.equal(viaGet.total, active.length);
      assert.ok(viaGet.pages.length > 2);
      assert.deepEqual(
        viaGet.resources.map((r) => r.userName),
        expected,
      );
      const viaSearch = await pageThrough((s) =>
        scimRequest(`${server.scimUrl}/Users/.search`, {
          method: 'POST',
          token: tenant.token,
          body: {
            schemas: [SEARCH],
            filter: 'active eq true',
            sortBy: 'userName',
            sortOrder: 'descending',
            startIndex: s,
            count: 1000,
            attributes: ['userName', 'displayName'],
          },
        }),
      );
      assert.deepEqual(
        viaSearch.resources.map((r) => r.userName),
        expected,
      );
      assert.equal(viaSearch.resources[0].groups, undefined);
    });

    test('a sortBy the store rejects is still an ordinary 400, not a broken stream', async () => {
      // The first chunk is read before the head is written, so its errors keep their status.
      const res = await get('/Users?sortBy=emails');
      assert.equal(res.status, 400);
      assert.equal(res.body.scimType, 'invalidValue');
      assert.equal(res.body.schemas[0], 'urn:ietf:params:scim:api:messages:2.0:Error');
    });

    test('the match count is read once per page, not once per chunk', async () => {
      statements = [];
      recording = true;
      const res = await get('/Users?attributes=userName');
      recording = false;
      assert.equal(res.body.itemsPerPage, USERS);
      const counts = statements.filter((s) => /count\(\*\)/i.test(s));
      const reads = statements.filter((s) => /from "users" as "r"/i.test(s) && !/count\(\*\)/i.test(s));
      // At most once: an earlier page of the same list may have counted already
      // (store/sql/list-positions.ts remembers the count for a few seconds).
      assert.ok(counts.length <= 1, counts.join('\n'));
      // A first chunk of 8, then the rest of the 60 light users by weight: 50, then 2.
      assert.equal(reads.length, 3, reads.join('\n'));
    });

    test('a lookup by userName, hit or miss, is one statement: a first page that is not full is its own count', async () => {
      for (const userName of ['user-03@example.com', 'nobody@example.com']) {
        statements = [];
        recording = true;
        const res = await get(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
        recording = false;
        assert.equal(res.status, 200);
        const reads = statements.filter((s) => /from "users" as "r"/i.test(s));
        assert.equal(reads.length, 1, reads.join('\n'));
        assert.doesNotMatch(reads[0] ?? '', /count\(\*\)/i);
        assert.equal(res.body.totalResults, userName.startsWith('user-') ? 1 : 0);
        assert.equal(res.body.Resources.length, res.body.totalResults);
      }
    });

    test('the provisioning log says how many matched', async () => {
      await get(`/Users?filter=${encodeURIComponent('active eq false')}`);
      const [entry] = await server.services.log.query(tenant.orgId, { limit: 1 });
      assert.equal(entry?.status, 200);
      assert.match(entry?.summary ?? '', /^10 matches, up to 10 returned/);
    });

    test('Groups stop at the budget too, each group whole with all its members', async () => {
      const first = await get('/Groups?count=100');
      assert.equal(first.status, 200);
      assert.equal(first.headers.get('content-length'), null);
      assert.deepEqual(Object.keys(first.body), ['schemas', 'totalResults', 'startIndex', 'Resources', 'itemsPerPage']);
      assert.equal(first.body.totalResults, GROUPS);
      assert.ok(first.body.itemsPerPage < GROUPS, `itemsPerPage ${first.body.itemsPerPage}`);
      const { resources } = await pageThrough((s) => get(`/Groups?count=100&startIndex=${s}`));
      assert.deepEqual(
        resources.map((g) => g.id),
        [...groupIds].sort(),
      );
      for (const group of resources) assert.equal(group.members.length, USERS);
      // Without members every group fits.
      const lean = await scimRequest(`${server.scimUrl}/Groups/.search`, {
        method: 'POST',
        token: tenant.token,
        body: { schemas: [SEARCH], excludedAttributes: ['members'] },
      });
      assert.equal(lean.body.itemsPerPage, GROUPS);
      assert.equal(lean.body.Resources[0].members, undefined);
    });

    test('a store failure mid-stream cuts the connection and the server carries on', async () => {
      const store = server.store;
      const listUsers = store.listUsers;
      store.listUsers = async (orgId, query) => {
        if (query.offset > 0) {
          // Fails as a real database does, a moment later: by then the head and the first chunk
          // have reached the client.
          await new Promise((resolve) => setTimeout(resolve, 50));
          throw new Error('connection to the database lost');
        }
        return listUsers.call(store, orgId, query);
      };
      try {
        const response = await fetch(`${server.scimUrl}/Users?attributes=userName`, {
          headers: { authorization: `Bearer ${tenant.token}` },
        });
        assert.equal(response.status, 200);
        await assert.rejects(response.text());
      } finally {
        store.listUsers = listUsers;
      }
      const again = await get('/Users?attributes=userName');
      assert.equal(again.status, 200);
      assert.equal(again.body.itemsPerPage, USERS);
    });
  });
}
