import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { foldCase } from '../../src/scim/fold-case.js';
import { newTenant, type RunningServer, type ScimResponse, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

// biome-ignore lint/suspicious/noExplicitAny: resources are asserted field by field
type Resource = any;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function assertError(res: ScimResponse, status: number, scimType?: string): void {
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/scim\+json/);
  assert.deepEqual(res.body.schemas, [ERROR]);
  assert.equal(res.body.status, String(status));
  assert.equal(res.body.scimType, scimType);
}

/** The order the stores sort in, written out independently: absent last, then value, then id. */
function sorted(resources: readonly Resource[], key: (r: Resource) => string | number | undefined, desc: boolean) {
  const sign = desc ? -1 : 1;
  return [...resources].sort((x, y) => {
    const [a, b] = [key(x), key(y)];
    if (a === undefined || b === undefined) {
      if (a !== b) return a === undefined ? 1 : -1;
    } else if (a !== b) {
      return (a < b ? -1 : 1) * sign;
    }
    return (x.id < y.id ? -1 : 1) * sign;
  });
}

const KEYS: Record<string, (r: Resource) => string | number | undefined> = {
  id: (r) => r.id,
  externalId: (r) => r.externalId,
  displayName: (r) => (typeof r.displayName === 'string' ? foldCase(r.displayName) : undefined),
  'meta.created': (r) => Date.parse(r.meta.created),
  'meta.lastModified': (r) => Date.parse(r.meta.lastModified),
};

/**
 * RFC 7644 §3.4.3: POST /.search at the root searches Users and Groups together, with the filter
 * applied per resource type, paging and sorting over the union, and each resource projected and
 * described (schemas, meta.resourceType) by its own type.
 */
for (const backend of testStores()) {
  describe(`root search (POST /.search), ${backend.name}`, () => {
    let server: RunningServer;
    let tenant: { orgId: string; token: string };
    let other: { orgId: string; token: string };
    const users: Record<string, Resource> = {};
    const groups: Record<string, Resource> = {};
    /** Every resource of the tenant as GET /Users and GET /Groups return it. */
    let all: Resource[] = [];
    /** Between the first resources and the two created last. */
    let cutoff = '';

    const search = (body: unknown, token = tenant.token) =>
      scimRequest(`${server.scimUrl}/.search`, { method: 'POST', token, body });

    async function createUser(body: Record<string, unknown>, token = tenant.token) {
      const res = await scimRequest(`${server.scimUrl}/Users`, {
        method: 'POST',
        token,
        body: { schemas: [USER], ...body },
      });
      assert.equal(res.status, 201, res.text);
      return res.body;
    }
    async function createGroup(body: Record<string, unknown>, token = tenant.token) {
      const res = await scimRequest(`${server.scimUrl}/Groups`, {
        method: 'POST',
        token,
        body: { schemas: [GROUP], ...body },
      });
      assert.equal(res.status, 201, res.text);
      return res.body;
    }

    before(async () => {
      server = await startServer(backend);
      tenant = await newTenant(server.services, 'Contoso');
      other = await newTenant(server.services, 'Fabrikam');
      // Interleaved, so that sorting by meta.created mixes the types.
      users.alice = await createUser({ userName: 'alice@contoso.com', externalId: 'ext-01', displayName: 'Alice' });
      users.aaron = await createUser({
        userName: 'Aaron@contoso.com',
        externalId: 'ext-03',
        // A user may carry a group's name: displayName is a filter both types understand.
        displayName: 'engineering',
      });
      groups.engineering = await createGroup({
        displayName: 'Engineering',
        externalId: 'ext-02',
        members: [{ value: users.alice.id }, { value: users.aaron.id }],
      });
      users.bob = await createUser({ userName: 'bob@contoso.com', externalId: 'ext-05', displayName: 'bob' });
      groups.sales = await createGroup({ displayName: 'Sales', externalId: 'ext-04' });
      users.carol = await createUser({ userName: 'carol@contoso.com', externalId: 'ext-07' });
      groups.admins = await createGroup({
        displayName: 'admins',
        externalId: 'ext-06',
        members: [{ value: users.bob.id }],
      });
      users.dave = await createUser({ userName: 'dave@contoso.com' });
      groups.zeta = await createGroup({ displayName: 'Zeta' });
      users.erin = await createUser({ userName: 'erin@contoso.com', externalId: 'ext-09', displayName: 'Érin' });
      await pause(20);
      cutoff = new Date().toISOString();
      await pause(20);
      users.frank = await createUser({ userName: 'frank@contoso.com', externalId: 'ext-10', displayName: 'Frank' });
      groups.late = await createGroup({ displayName: 'Late', externalId: 'ext-08' });
      // The other organization has look-alikes of everything: none may ever show.
      const stranger = await createUser(
        { userName: 'alice@fabrikam.com', externalId: 'ext-01', displayName: 'Alice' },
        other.token,
      );
      await createGroup(
        { displayName: 'Engineering', externalId: 'ext-02', members: [{ value: stranger.id }] },
        other.token,
      );
      const get = (path: string) => scimRequest(`${server.scimUrl}${path}`, { token: tenant.token });
      const listed = [(await get('/Users?count=1000')).body, (await get('/Groups?count=1000')).body];
      all = listed.flatMap((list) => list.Resources);
      assert.equal(all.length, 12);
    });
    after(async () => {
      await server.close();
    });

    const ids = (resources: readonly Resource[]) => resources.map((r) => r.id);
    const usersFirst = () => [
      ...all.filter((r) => r.meta.resourceType === 'User'),
      ...all.filter((r) => r.meta.resourceType === 'Group'),
    ];

    /** Pages by startIndex + itemsPerPage, as RFC 7644 §3.4.2.4 clients do. */
    async function pageThrough(body: Record<string, unknown>, token = tenant.token) {
      const resources: Resource[] = [];
      let startIndex = 1;
      let total = Number.POSITIVE_INFINITY;
      while (startIndex <= total) {
        const res = await search({ schemas: [SEARCH], ...body, startIndex }, token);
        assert.equal(res.status, 200, res.text);
        assert.equal(res.body.startIndex, startIndex);
        assert.equal(res.body.Resources.length, res.body.itemsPerPage);
        assert.ok(res.body.itemsPerPage > 0, `empty page at ${startIndex}`);
        total = res.body.totalResults;
        resources.push(...res.body.Resources);
        startIndex += res.body.itemsPerPage;
      }
      return { resources, total };
    }

    test('without a filter: every User, then every Group, each keeping its schemas and meta', async () => {
      const res = await search({ schemas: [SEARCH] });
      assert.equal(res.status, 200, res.text);
      assert.match(res.headers.get('content-type') ?? '', /^application\/scim\+json/);
      assert.deepEqual(Object.keys(res.body), ['schemas', 'totalResults', 'startIndex', 'Resources', 'itemsPerPage']);
      assert.deepEqual(res.body.schemas, [LIST]);
      assert.equal(res.body.totalResults, 12);
      assert.equal(res.body.itemsPerPage, 12);
      assert.deepEqual(ids(res.body.Resources), ids(usersFirst()));
      for (const r of res.body.Resources) {
        const type = r.meta.resourceType;
        assert.deepEqual(r.schemas, [type === 'User' ? USER : GROUP]);
        assert.match(r.meta.location, type === 'User' ? /\/Users\/[^/]+$/ : /\/Groups\/[^/]+$/);
      }
      // An empty SearchRequest is a search for everything, too.
      assert.equal((await search({})).body.totalResults, 12);
    });

    test('a group carries its members, streamed as on /Groups, unless excluded', async () => {
      const res = await search({ filter: `externalId eq "ext-02"` });
      assert.equal(res.body.totalResults, 1);
      const [engineering] = res.body.Resources;
      assert.equal(engineering.id, groups.engineering.id);
      assert.deepEqual(
        engineering.members.map((m: Resource) => m.value).sort(),
        [users.alice.id, users.aaron.id].sort(),
      );
      for (const m of engineering.members) {
        assert.equal(m.type, 'User');
        assert.match(m.$ref, /\/Users\/[^/]+$/);
      }
      const lean = await search({ filter: `externalId eq "ext-02"`, excludedAttributes: ['members'] });
      assert.equal(lean.body.Resources[0].members, undefined);
      assert.equal(lean.body.Resources[0].displayName, 'Engineering');
    });

    test('a filter both types understand finds both', async () => {
      const both = await search({ filter: 'externalId eq "ext-03" or externalId eq "ext-04"' });
      assert.equal(both.status, 200, both.text);
      assert.deepEqual(ids(both.body.Resources), [users.aaron.id, groups.sales.id]);
      const recent = await search({ filter: `meta.lastModified gt "${cutoff}"` });
      assert.equal(recent.body.totalResults, 2);
      assert.deepEqual(ids(recent.body.Resources), [users.frank.id, groups.late.id]);
      // displayName is a User attribute too: the group and the user of that name both match.
      const named = await search({ filter: 'displayName eq "ENGINEERING"' });
      assert.deepEqual(ids(named.body.Resources), [users.aaron.id, groups.engineering.id]);
    });

    test('a filter on an attribute only Users have finds only users', async () => {
      const res = await search({ filter: 'userName sw "a"' });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.totalResults, 2);
      assert.deepEqual(ids(res.body.Resources), [users.alice.id, users.aaron.id].sort());
      const negated = await search({ filter: 'not (userName sw "a")' });
      assert.equal(negated.body.totalResults, 5);
      assert.ok(negated.body.Resources.every((r: Resource) => r.meta.resourceType === 'User'));
      const enterprise = await search({
        filter: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department pr or emails pr',
      });
      assert.equal(enterprise.status, 200, enterprise.text);
      assert.equal(enterprise.body.totalResults, 0);
    });

    test('a filter on an attribute only Groups have finds only groups', async () => {
      const res = await search({ filter: `members[value eq "${users.bob.id}"]` });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(ids(res.body.Resources), [groups.admins.id]);
      const dotted = await search({
        filter: `members.value eq "${users.alice.id}" or members.value eq "${users.bob.id}"`,
      });
      assert.deepEqual(ids(dotted.body.Resources), [groups.engineering.id, groups.admins.id].sort());
    });

    test('meta.resourceType narrows a root search to some types (RFC 7644 §3.4.2)', async () => {
      const onlyGroups = await search({ filter: 'meta.resourceType eq "Group"' });
      assert.equal(onlyGroups.status, 200, onlyGroups.text);
      assert.deepEqual(ids(onlyGroups.body.Resources), ids(all.filter((r) => r.meta.resourceType === 'Group')));
      const some = await search({
        filter: '(meta.resourceType eq "User" and externalId eq "ext-01") or displayName sw "S"',
      });
      assert.deepEqual(ids(some.body.Resources), [users.alice.id, groups.sales.id]);
      // Decided per type first: the groups never see the User attribute userName.
      const mixed = await search({ filter: '(meta.resourceType eq "User" and userName sw "b") or displayName sw "S"' });
      assert.deepEqual(ids(mixed.body.Resources), [users.bob.id, groups.sales.id]);
      const none = await search({ filter: 'meta.resourceType eq "Device"' });
      assert.equal(none.body.totalResults, 0);
      assertError(await search({ filter: 'meta.resourceType eq 5' }), 400, 'invalidFilter');
    });

    test('paging crosses from users into groups: totals right, every resource once', async () => {
      const expected = ids(usersFirst());
      // startIndex inside the users, continuing into the groups.
      const across = await search({ startIndex: 6, count: 4 });
      assert.equal(across.body.totalResults, 12);
      assert.equal(across.body.startIndex, 6);
      assert.equal(across.body.itemsPerPage, 4);
      assert.deepEqual(ids(across.body.Resources), expected.slice(5, 9));
      // Past all the users: the groups alone.
      const intoGroups = await search({ startIndex: 9, count: 10 });
      assert.deepEqual(ids(intoGroups.body.Resources), expected.slice(8));
      const past = await search({ startIndex: 13 });
      assert.equal(past.body.totalResults, 12);
      assert.equal(past.body.itemsPerPage, 0);
      const far = await search({ startIndex: Number.MAX_SAFE_INTEGER, sortBy: 'externalId' });
      assert.equal(far.status, 200, far.text);
      assert.equal(far.body.totalResults, 12);
      assert.equal(far.body.itemsPerPage, 0);
      const counted = await search({ count: 0 });
      assert.equal(counted.body.totalResults, 12);
      assert.deepEqual(counted.body.Resources, []);
      for (const count of [1, 3, 5]) {
        const { resources, total } = await pageThrough({ count });
        assert.equal(total, 12);
        assert.deepEqual(ids(resources), expected, `count ${count}`);
      }
    });

    test('sortBy externalId descending sorts across both types, absent values last', async () => {
      const expected = sorted(all, KEYS.externalId as (r: Resource) => string, true);
      const res = await search({ sortBy: 'externalId', sortOrder: 'descending' });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(
        res.body.Resources.map((r: Resource) => r.externalId ?? null),
        [
          'ext-10',
          'ext-09',
          'ext-08',
          'ext-07',
          'ext-06',
          'ext-05',
          'ext-04',
          'ext-03',
          'ext-02',
          'ext-01',
          null,
          null,
        ],
      );
      assert.deepEqual(ids(res.body.Resources), ids(expected));
    });

    test('every page of every cross-type sort is the slice of the whole order', async () => {
      for (const [name, key] of Object.entries(KEYS)) {
        for (const sortOrder of ['ascending', 'descending']) {
          const expected = ids(sorted(all, key, sortOrder === 'descending'));
          const whole = await search({ sortBy: name, sortOrder });
          assert.deepEqual(ids(whole.body.Resources), expected, `${name} ${sortOrder}`);
          // Each startIndex exercises a different split between the users and the groups.
          for (let startIndex = 1; startIndex <= 13; startIndex++) {
            const page = await search({ sortBy: name, sortOrder, startIndex, count: 3 });
            assert.equal(page.body.totalResults, 12);
            assert.deepEqual(
              ids(page.body.Resources),
              expected.slice(startIndex - 1, startIndex + 2),
              `${name} ${sortOrder} startIndex ${startIndex}`,
            );
          }
        }
      }
      // A filter narrows both sides of the merge.
      const narrowed = await search({ filter: 'externalId pr', sortBy: 'externalId', startIndex: 4, count: 2 });
      assert.equal(narrowed.body.totalResults, 10);
      assert.deepEqual(
        narrowed.body.Resources.map((r: Resource) => r.externalId),
        ['ext-04', 'ext-05'],
      );
    });

    test('sortBy an attribute one type lacks puts that type after the other', async () => {
      const res = await search({ sortBy: 'userName', sortOrder: 'descending' });
      assert.equal(res.status, 200, res.text);
      const byUserName = all
        .filter((r) => r.meta.resourceType === 'User')
        .sort((a, b) => (foldCase(a.userName) < foldCase(b.userName) ? 1 : -1));
      const groupsDesc = all.filter((r) => r.meta.resourceType === 'Group').sort((a, b) => (a.id < b.id ? 1 : -1));
      assert.deepEqual(ids(res.body.Resources), ids([...byUserName, ...groupsDesc]));
      const page = await search({ sortBy: 'userName', startIndex: 7, count: 2 });
      assert.equal(page.body.Resources[0].meta.resourceType, 'User');
      assert.equal(page.body.Resources[1].meta.resourceType, 'Group');
      const byType = await search({ sortBy: 'meta.resourceType', count: 1 });
      assert.equal(byType.body.Resources[0].meta.resourceType, 'Group');
      assertError(await search({ sortBy: 'nosuch' }), 400, 'invalidValue');
      assertError(await search({ sortBy: 'meta.location' }), 400, 'invalidValue');
      assertError(await search({ sortBy: 'emails' }), 400, 'invalidValue');
    });

    test('attributes and excludedAttributes apply to each resource by its own type', async () => {
      const res = await search({ attributes: ['userName', 'displayName'] });
      assert.equal(res.status, 200, res.text);
      for (const r of res.body.Resources) {
        const keys = Object.keys(r).sort();
        if (r.schemas[0] === USER) {
          assert.ok(['id,schemas,userName', 'displayName,id,schemas,userName'].includes(keys.join(',')), `${keys}`);
        } else {
          assert.deepEqual(keys, ['displayName', 'id', 'schemas']);
        }
      }
      const excluded = await search({ excludedAttributes: 'groups,members,meta' });
      for (const r of excluded.body.Resources) {
        assert.equal(r.groups, undefined);
        assert.equal(r.members, undefined);
        assert.equal(r.meta, undefined);
        assert.equal(typeof r.id, 'string');
      }
      const urn = await search({
        attributes: [`${GROUP}:displayName`],
        filter: 'externalId eq "ext-02" or externalId eq "ext-01"',
      });
      assert.deepEqual(
        urn.body.Resources.map((r: Resource) => Object.keys(r).sort().join(',')),
        ['id,schemas', 'displayName,id,schemas'],
      );
    });

    test('bad filters are 400 invalidFilter; a filter no type can match is an empty page', async () => {
      for (const filter of [
        'nosuch eq "x"',
        'userName eq',
        '(userName eq "x"',
        'emails[nosuch eq "x"]',
        // Users have it, but their store cannot filter on it: refused as on /Users.
        'x509Certificates.value eq "x"',
        'userName eq 5',
        'x'.repeat(5000),
      ]) {
        assertError(await search({ filter }), 400, 'invalidFilter');
      }
      const res = await search({ filter: 'userName eq "alice@contoso.com" and members.value eq "x"' });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.totalResults, 0);
    });

    test('a body that is not a SearchRequest object is 400; GET /.search is 405', async () => {
      for (const rawBody of ['', '[]', '"filter"', 'null', '42']) {
        const res = await scimRequest(`${server.scimUrl}/.search`, {
          method: 'POST',
          token: tenant.token,
          rawBody,
          headers: { 'content-type': 'application/scim+json' },
        });
        assertError(res, 400, 'invalidSyntax');
      }
      assertError(await search({ count: 'ten' }), 400, 'invalidValue');
      const get = await scimRequest(`${server.scimUrl}/.search`, { token: tenant.token });
      assertError(get, 405);
      assert.equal(get.headers.get('allow'), 'POST');
      assertError(await scimRequest(`${server.scimUrl}/.search`, { method: 'POST', body: {} }), 401);
    });

    test("another organization's resources never appear", async () => {
      const mine = await search({ filter: 'externalId eq "ext-01" or externalId eq "ext-02"' });
      assert.deepEqual(ids(mine.body.Resources), [users.alice.id, groups.engineering.id]);
      const theirs = await pageThrough({ count: 2, sortBy: 'externalId' }, other.token);
      assert.equal(theirs.total, 2);
      assert.deepEqual(
        theirs.resources.map((r) => [r.meta.resourceType, r.externalId]),
        [
          ['User', 'ext-01'],
          ['Group', 'ext-02'],
        ],
      );
      const known = new Set(ids(all));
      assert.ok(theirs.resources.every((r) => !known.has(r.id)));
      const probe = await search(
        { filter: `id eq "${users.alice.id}" or members.value eq "${users.alice.id}"` },
        other.token,
      );
      assert.equal(probe.body.totalResults, 0);
    });

    test('the provisioning log records the search with its total', async () => {
      await search({ filter: 'userName sw "a"' });
      const [entry] = await server.services.log.query(tenant.orgId, { limit: 1 });
      assert.equal(entry?.method, 'POST');
      assert.match(entry?.path ?? '', /\/\.search$/);
      assert.equal(entry?.status, 200);
      assert.equal(entry?.resourceType, 'User,Group');
      assert.match(entry?.summary ?? '', /^2 matches, up to 2 returned/);
      await search({ filter: 'nosuch eq 1' });
      const [refused] = await server.services.log.query(tenant.orgId, { limit: 1 });
      assert.equal(refused?.status, 400);
      assert.equal(refused?.summary, null);
      assert.equal(refused?.errorCode, 'filter.unknownAttribute');
    });
  });

  describe(`root search under a page byte budget, ${backend.name}`, () => {
    const BUDGET = 8 * 1024;
    const USERS = 40;
    const GROUPS = 6;
    let server: RunningServer;
    let tenant: { orgId: string; token: string };
    const userIds: string[] = [];
    const groupIds: string[] = [];

    before(async () => {
      server = await startServer(backend, { maxPageBytes: BUDGET });
      tenant = await newTenant(server.services);
      for (let i = 0; i < USERS; i++) {
        const res = await scimRequest(`${server.scimUrl}/Users`, {
          method: 'POST',
          token: tenant.token,
          // About 1 KB rendered each: the budget holds a handful.
          body: { schemas: [USER], userName: `user-${i}@example.com`, title: 'y'.repeat(800) },
        });
        assert.equal(res.status, 201, res.text);
        userIds.push(res.body.id);
      }
      for (let g = 0; g < GROUPS; g++) {
        // Forty members make a group about 6 KB: it fills a page nearly alone.
        const res = await scimRequest(`${server.scimUrl}/Groups`, {
          method: 'POST',
          token: tenant.token,
          body: { schemas: [GROUP], displayName: `team-${g}`, members: userIds.map((value) => ({ value })) },
        });
        assert.equal(res.status, 201, res.text);
        groupIds.push(res.body.id);
      }
    });
    after(async () => {
      await server.close();
    });

    const search = (body: Record<string, unknown>) =>
      scimRequest(`${server.scimUrl}/.search`, { method: 'POST', token: tenant.token, body });

    test('a page stops at the byte budget, streamed, and paging still sees everything once', async () => {
      const first = await search({ count: 1000 });
      assert.equal(first.status, 200, first.text);
      assert.equal(first.headers.get('transfer-encoding'), 'chunked');
      assert.deepEqual(Object.keys(first.body), ['schemas', 'totalResults', 'startIndex', 'Resources', 'itemsPerPage']);
      assert.equal(first.body.totalResults, USERS + GROUPS);
      assert.ok(first.body.itemsPerPage > 1 && first.body.itemsPerPage < 20, `itemsPerPage ${first.body.itemsPerPage}`);
      for (const sortBy of [undefined, 'meta.created']) {
        const seen: Resource[] = [];
        let startIndex = 1;
        let pages = 0;
        while (startIndex <= USERS + GROUPS) {
          const res = await search({ count: 1000, startIndex, ...(sortBy ? { sortBy } : {}) });
          assert.equal(res.status, 200, res.text);
          assert.ok(res.body.itemsPerPage > 0);
          seen.push(...res.body.Resources);
          startIndex += res.body.itemsPerPage;
          pages++;
        }
        assert.ok(pages > 4, `${pages} pages`);
        assert.deepEqual(seen.map((r) => r.id).sort(), [...userIds, ...groupIds].sort());
        // Created users first, then the groups: meta.created gives the same order as type then id.
        assert.deepEqual(
          seen.map((r) => r.id),
          [...userIds, ...groupIds],
        );
        // Each group whole, with every member, even the one that crossed the budget.
        for (const group of seen.filter((r) => r.meta.resourceType === 'Group')) {
          assert.equal(group.members.length, USERS);
        }
      }
    });

    test('a deep page sorted across both types reads about the page, not the rows before it', async () => {
      const store = server.store;
      const [listUsers, listTeams] = [store.listUsers, store.listTeams];
      let rows = 0;
      store.listUsers = async (orgId, query) => {
        const page = await listUsers.call(store, orgId, query);
        rows += page.items.length;
        return page;
      };
      store.listTeams = async (orgId, query) => {
        const page = await listTeams.call(store, orgId, query);
        rows += page.items.length;
        return page;
      };
      try {
        const res = await search({ sortBy: 'meta.created', sortOrder: 'descending', startIndex: 30, count: 3 });
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(
          res.body.Resources.map((r: Resource) => r.id),
          [...userIds, ...groupIds].reverse().slice(29, 32),
        );
        // Two rows per binary-search step (⌈log2(7)⌉ = 3 steps), and at most count per type.
        assert.ok(rows <= 2 * 3 + 2 * 3, `${rows} rows read`);
      } finally {
        store.listUsers = listUsers;
        store.listTeams = listTeams;
      }
    });
  });
}
