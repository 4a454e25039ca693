import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newTenant, type RunningServer, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/**
 * Issue 3: adding or removing one member costs the same for a team of 10 and of 10,000. Counted
 * in SQL statements (never in time), and no statement may read the team's member list whole.
 */
for (const backend of testStores()) {
  describe(`one member change on a big team, ${backend.name}`, () => {
    let server: RunningServer;
    let statements: string[] = [];
    let recording = false;
    let tenant: { orgId: string; token: string };
    const userIds: string[] = [];

    before(async () => {
      server = await startServer(backend, {
        onQuery: (sql) => {
          // The token's lookup is left out: whether the credential cache still trusts its entry
          // (at most 1 s on PostgreSQL) depends on the clock, not on the team's size.
          if (recording && !/ from "tokens" /.test(sql)) statements.push(sql);
        },
      });
      tenant = await newTenant(server.services);
      const now = Date.now();
      // Users written straight through the store: 10,002 SCIM creates would only make this slow.
      await server.store.transaction(async (tx) => {
        for (let i = 0; i < 10_002; i++) {
          const id = `u-${String(i).padStart(6, '0')}`;
          userIds.push(id);
          await tx.insertUser({
            orgId: tenant.orgId,
            id,
            userName: `user${i}@x.com`,
            externalId: `ext-${i}`,
            active: true,
            scimManaged: true,
            doc: { userName: `user${i}@x.com`, externalId: `ext-${i}`, active: true },
            version: 1,
            createdAt: now,
            updatedAt: now,
          });
        }
      });
    });
    after(async () => {
      await server.close();
    });

    async function team(name: string, size: number): Promise<string> {
      const created = await scimRequest(`${server.scimUrl}/Groups`, {
        method: 'POST',
        token: tenant.token,
        body: { schemas: [GROUP], displayName: name },
      });
      assert.equal(created.status, 201);
      const id = created.body.id as string;
      await server.store.transaction((tx) => tx.addMembers(tenant.orgId, id, userIds.slice(0, size), Date.now()));
      return id;
    }

    async function measure(teamId: string, operation: object): Promise<string[]> {
      statements = [];
      recording = true;
      const res = await scimRequest(`${server.scimUrl}/Groups/${teamId}`, {
        method: 'PATCH',
        token: tenant.token,
        body: { schemas: [PATCH], Operations: [operation] },
      });
      recording = false;
      assert.equal(res.status, 204, res.text);
      return statements;
    }

    test('add one member, then remove it: the same statements for 10 and 10,000 members', async () => {
      const small = await team('Small', 10);
      const big = await team('Big', 10_000);
      const newcomer = userIds[10_001] as string;
      const add = { op: 'add', path: 'members', value: [{ value: newcomer }] };
      const remove = { op: 'remove', path: `members[value eq "${newcomer}"]` };

      const addSmall = await measure(small, add);
      const addBig = await measure(big, add);
      assert.deepEqual(addBig, addSmall, 'the same statements, whatever the team size');
      const removeSmall = await measure(small, remove);
      const removeBig = await measure(big, remove);
      assert.deepEqual(removeBig, removeSmall);
      if (process.env.SHOW_SQL) console.log(addBig.join('\n'));
      assert.ok(addBig.length <= 12, `a handful of statements, got ${addBig.length}:\n${addBig.join('\n')}`);

      for (const sql of [...addBig, ...removeBig]) {
        if (/team_members/.test(sql)) {
          assert.match(sql, /user_id/, `every member statement names its user rows: ${sql}`);
          assert.doesNotMatch(sql, /^select/i, `no member rows are read back: ${sql}`);
        }
      }
      const members = await server.store.memberIds(tenant.orgId, big);
      assert.equal(members.length, 10_000);
    });

    test('excludedAttributes=members never touches the member table; a full GET streams every member', async () => {
      const big = await team('Big read', 10_000);
      statements = [];
      recording = true;
      const slim = await scimRequest(`${server.scimUrl}/Groups/${big}?excludedAttributes=members`, {
        token: tenant.token,
      });
      recording = false;
      assert.equal(slim.status, 200);
      assert.equal(slim.body.members, undefined);
      assert.ok(!statements.some((s) => /team_members/.test(s)), statements.join('\n'));

      const full = await scimRequest(`${server.scimUrl}/Groups/${big}`, { token: tenant.token });
      assert.equal(full.status, 200);
      assert.equal(full.body.members.length, 10_000);
      assert.equal(new Set(full.body.members.map((m: { value: string }) => m.value)).size, 10_000);
      assert.equal(full.body.displayName, 'Big read');
    });
  });
}
