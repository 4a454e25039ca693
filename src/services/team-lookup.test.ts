import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testStores } from '../../test/helpers/stores.js';
import type { OrgRecord } from '../store/store.js';
import type { Audit } from './audit.js';
import { createServices, ScimError, type Services } from './index.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

for (const backend of testStores()) {
  describe(`team lookup on ${backend.name}`, () => {
    let db: Awaited<ReturnType<typeof backend.open>>;
    let services: Services;
    let org: OrgRecord;
    let audit: Audit;
    before(async () => {
      db = await backend.open();
      services = createServices(db.store);
      org = await services.organizations.create({ kind: 'cli', operator: 'test' }, 'Contoso');
      audit = {
        org,
        actor: { kind: 'token', tokenId: 't' },
        requestId: 'r',
        userAgent: null,
        origin: { method: 'POST', path: '/scim/v2/Groups', startedAt: Date.now() },
        baseUrl: 'https://scim.example/scim/v2',
      };
    });
    after(async () => {
      await db.close();
    });

    test('finds teams by the start of the displayName, ignoring case, in name order', async () => {
      for (const name of ['Sales EMEA', 'marketing', 'SALES US', 'Salt']) {
        await services.teams.create(audit, { schemas: [GROUP], displayName: name });
      }
      const found = await services.teamLookup.search(org.id, ' sales ', { offset: 0, limit: 10 });
      assert.deepEqual(
        found.items.map((t) => t.displayName),
        ['Sales EMEA', 'SALES US'],
      );
      assert.equal(found.total, 2);
      const all = await services.teamLookup.search(org.id, '', { offset: 1, limit: 2 });
      assert.equal(all.total, 4);
      assert.equal(all.items.length, 2);
      await assert.rejects(
        services.teamLookup.search(org.id, 'x', { offset: 0, limit: 1000 }),
        (e: unknown) => e instanceof ScimError && e.status === 400,
      );
      await assert.rejects(
        services.teamLookup.search('nope', 'x', { offset: 0, limit: 10 }),
        (e: unknown) => e instanceof ScimError && e.status === 404,
      );
    });

    test("pages a team's members by keyset until the last page says there is no next", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const created = await services.users.create(audit, { schemas: [USER], userName: `m${i}@contoso.test` });
        ids.push(String(created.result.id));
      }
      const team = await services.teams.create(audit, {
        schemas: [GROUP],
        displayName: 'Everyone',
        members: ids.map((value) => ({ value })),
      });
      const teamId = team.result.team.id;
      const seen: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < 10; page++) {
        const got = await services.teamLookup.members(org.id, teamId, { ...(after ? { after } : {}), limit: 2 });
        seen.push(...got.members.map((m) => (m.kind === 'user' ? m.userId : m.teamId)));
        if (got.next === undefined) break;
        after = got.next;
      }
      assert.deepEqual(seen, [...ids].sort());
      await assert.rejects(
        services.teamLookup.members(org.id, 'nope', { limit: 2 }),
        (e: unknown) => e instanceof ScimError && e.status === 404,
      );
    });
  });
}
