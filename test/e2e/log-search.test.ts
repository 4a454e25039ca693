import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCliInProcess } from '../helpers/cli.js';
import { newTenant, type RunningServer, type ScimResponse, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

// biome-ignore lint/suspicious/noExplicitAny: log entries are asserted field by field
type Json = any;

/**
 * Issue 10, section 3: a refused create has no resource id, so its entry is found by the
 * userName, displayName or externalId the request carried, through `parallel-scim log --find`.
 */
for (const backend of testStores()) {
  describe(`log search by subject on ${backend.name}`, () => {
    let server: RunningServer;
    before(async () => {
      server = await startServer(backend);
    });
    after(async () => {
      await server.close();
    });

    async function tenant(name: string) {
      const t = await newTenant(server.services, name);
      const call = (method: string, path: string, body?: unknown): Promise<ScimResponse> =>
        scimRequest(`${server.scimUrl}${path}`, { token: t.token, method, ...(body !== undefined ? { body } : {}) });
      const log = async (...args: string[]): Promise<Json[]> => {
        // Read entries are batched (written within 50 ms): the CLI, another store, waits for them.
        await server.services.log.flush();
        const run = await runCliInProcess(server.databaseUrl, ['log', '--org', t.orgId, '--json', ...args]);
        assert.equal(run.code, 0, run.stderr);
        return JSON.parse(run.stdout);
      };
      return { ...t, call, log };
    }

    test('a 409 and a 400 create are found by userName (any case) and by externalId', async () => {
      const t = await tenant('find-user');
      const created = await t.call('POST', '/Users', {
        schemas: [USER],
        userName: 'jane@contoso.com',
        externalId: 'e-1',
      });
      assert.equal(created.status, 201);
      const taken = await t.call('POST', '/Users', {
        schemas: [USER],
        userName: 'Jane@Contoso.com',
        externalId: 'e-2',
      });
      assert.equal(taken.status, 409);
      const bad = await t.call('POST', '/Users', {
        schemas: [USER],
        USERNAME: 'jane@contoso.com',
        externalId: 'e-3',
        emails: 'jane@contoso.com',
      });
      assert.equal(bad.status, 400);

      const found = await t.log('--find', 'JANE@contoso.com');
      assert.deepEqual(
        found.map((e) => [e.status, e.subjectName, e.subjectExternalId, e.resourceId === null]),
        [
          [400, 'jane@contoso.com', 'e-3', true],
          [409, 'Jane@Contoso.com', 'e-2', true],
          [201, 'jane@contoso.com', 'e-1', false],
        ],
      );
      assert.deepEqual(
        (await t.log('--find', 'e-2')).map((e) => e.status),
        [409],
      );
      assert.deepEqual(
        (await t.log('--find', 'e-3', '--status', '4xx')).map((e) => e.errorCode !== null),
        [true],
      );
      const byRequest = await t.log('--request-id', found[1].requestId);
      assert.deepEqual(
        byRequest.map((e) => e.status),
        [409],
      );

      await server.services.log.flush();
      const table = await runCliInProcess(server.databaseUrl, ['log', '--org', t.orgId, '--find', 'e-2']);
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /Jane@Contoso\.com \/ e-2/);
      assert.ok(table.stdout.includes(found[1].requestId), 'the table shows the request id');
    });

    test('a successful PATCH logs the user it changed, found by externalId', async () => {
      const t = await tenant('find-patch');
      const created = await t.call('POST', '/Users', {
        schemas: [USER],
        userName: 'ada@contoso.com',
        externalId: 'e-ada',
      });
      const patched = await t.call('PATCH', `/Users/${created.body.id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'replace', path: 'active', value: false }],
      });
      assert.equal(patched.status, 200);
      const [latest] = await t.log('--find', 'e-ada', '--method', 'PATCH');
      assert.equal(latest.subjectName, 'ada@contoso.com');
      assert.equal(latest.resourceId, created.body.id);
    });

    test('a Group create refused with 400 is found by displayName', async () => {
      const t = await tenant('find-group');
      const refused = await t.call('POST', '/Groups', {
        schemas: [GROUP],
        displayName: 'Sales EMEA',
        members: [{ value: 'no-such-member' }],
      });
      assert.equal(refused.status, 400);
      const found = await t.log('--find', 'sales emea');
      assert.deepEqual(
        found.map((e) => [e.status, e.resourceType, e.subjectName]),
        [[400, 'Group', 'Sales EMEA']],
      );
    });

    test('neither a password nor a huge value reaches the log; the subject is clipped', async () => {
      const t = await tenant('find-hostile');
      const secret = 'S3cret-never-logged';
      const huge = `${'x'.repeat(5000)}@contoso.com`;
      const refused = await t.call('POST', '/Users', {
        schemas: [USER],
        userName: huge,
        externalId: huge,
        password: secret,
      });
      assert.equal(refused.status, 400);
      const rows = await server.logEntries(t.orgId, { limit: 10 });
      assert.equal(rows.length, 1);
      const [row] = rows;
      assert.ok(row);
      assert.ok(!JSON.stringify(row).includes(secret), 'no password in the entry');
      assert.equal(row.subjectName, huge.slice(0, 512));
      assert.equal(row.subjectExternalId, huge.slice(0, 512));
      assert.deepEqual(
        (await t.log('--find', huge.slice(0, 512))).map((e) => e.status),
        [400],
      );
    });
  });
}
