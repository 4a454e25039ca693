import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCliInProcess } from '../helpers/cli.js';
import { apiGet, type Json } from '../helpers/feed.js';
import { TEST_OPERATOR } from '../helpers/records.js';
import { newTenant, type RunningServer, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

/**
 * Service keys (docs/events.md "Service keys"): they open the event API and nothing else, nothing
 * else opens it, and support issues, lists and revokes them from the CLI.
 */
for (const backend of testStores()) {
  describe(`service keys on ${backend.name}`, () => {
    let server: RunningServer;
    let key: string;

    before(async () => {
      server = await startServer(backend);
      key = (await server.services.serviceKeys.issue(TEST_OPERATOR, { label: 'tests' })).key;
    });
    after(async () => {
      await server.close();
    });

    const tenant = (name: string) => newTenant(server.services, name);

    test('a service key opens the feed; nothing else does, and it opens nothing else', async () => {
      const t = await tenant('Auth');
      const ask = (k: string | undefined) => apiGet(server.origin, 'events', { org: t.orgId }, k);
      const refused = async (k: string | undefined, code: string) => {
        const res = await ask(k);
        assert.equal(res.status, 401, res.text);
        assert.equal(res.body.code, code);
        assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
        assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      };
      await refused(undefined, 'serviceKey.missing');
      await refused('pscimsk_wrong', 'serviceKey.invalid');
      await refused(t.token, 'serviceKey.scimToken');
      const other = await server.services.serviceKeys.issue(TEST_OPERATOR);
      assert.equal((await ask(other.key)).status, 200);
      await server.services.serviceKeys.revoke(TEST_OPERATOR, other.record.id);
      await refused(other.key, 'serviceKey.revoked');
      const scim = await scimRequest(`${server.scimUrl}/Users`, { token: key });
      assert.equal(scim.status, 401, 'a service key does not open SCIM');
      const listed = await server.services.serviceKeys.list();
      assert.ok(listed.find((k) => k.id === other.record.id)?.lastUsedAt, 'its last use is recorded');
    });

    test('service-key issue, list and revoke from the CLI', async () => {
      const issued = await runCliInProcess(server.databaseUrl, ['service-key', 'issue', '--label', 'cli', '--json']);
      assert.equal(issued.code, 0, issued.stderr);
      const { id, key: secret } = JSON.parse(issued.stdout) as { id: string; key: string };
      assert.match(secret, /^pscimsk_/);
      const t = await tenant('Cli keys');
      assert.equal((await apiGet(server.origin, 'events', { org: t.orgId }, secret)).status, 200);
      const listed = await runCliInProcess(server.databaseUrl, ['service-key', 'list', '--json']);
      const row = (JSON.parse(listed.stdout) as Json[]).find((k) => k.id === id);
      assert.deepEqual([row.label, row.state, row.hint], ['cli', 'active', `${secret.slice(0, 12)}…`]);
      assert.ok(!listed.stdout.includes(secret), 'never the secret');
      const revoked = await runCliInProcess(server.databaseUrl, ['service-key', 'revoke', id]);
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.equal((await apiGet(server.origin, 'events', { org: t.orgId }, secret)).status, 401);
      const missing = await runCliInProcess(server.databaseUrl, ['service-key', 'revoke', 'no-such-key']);
      assert.equal(missing.code, 3);
      const badExpiry = await runCliInProcess(server.databaseUrl, ['service-key', 'issue', '--expires-in', 'soon']);
      assert.equal(badExpiry.code, 2);
    });
  });
}
