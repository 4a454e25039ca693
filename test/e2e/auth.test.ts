import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ERROR_SCHEMA } from '../../src/http/scim-error-body.js';
import { TEST_OPERATOR } from '../helpers/records.js';
import { newTenant, type RunningServer, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

for (const backend of testStores()) {
  describe(`bearer tokens on ${backend.name}`, () => {
    let server: RunningServer;
    before(async () => {
      server = await startServer(backend);
    });
    after(async () => {
      await server.close();
    });

    const users = () => `${server.scimUrl}/Users`;

    test('no token, a malformed header, or an unknown token: 401 with WWW-Authenticate and a SCIM body', async () => {
      const cases: Record<string, string | undefined>[] = [
        {},
        { authorization: 'Basic dXNlcjpwYXNz' },
        { authorization: 'Bearer' },
        { authorization: 'Bearer pscim_not-a-real-token' },
      ];
      for (const headers of cases) {
        const res = await scimRequest(users(), { headers: headers as Record<string, string> });
        assert.equal(res.status, 401, JSON.stringify(headers));
        assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
        assert.match(res.headers.get('content-type') ?? '', /^application\/scim\+json/);
        assert.deepEqual(res.body.schemas, [ERROR_SCHEMA]);
        assert.equal(res.body.status, '401');
        assert.equal(typeof res.body.detail, 'string');
      }
    });

    test('a token works for its organization and records its last use', async () => {
      const { token, orgId, tokenId } = await newTenant(server.services);
      const res = await scimRequest(users(), { token });
      assert.equal(res.status, 200);
      const [record] = await server.services.tokens.list(orgId);
      assert.equal(record?.id, tokenId);
      assert.equal(typeof record?.lastUsedAt, 'number');
      assert.equal(record?.tokenHash.length, 64, 'only a SHA-256 hex digest is stored');
      assert.ok(!JSON.stringify(record).includes(token.slice(6)), 'the secret is not stored');
    });

    test('several tokens are active at once; a revoked one gets 401 and the other keeps working (rotation)', async () => {
      const { token: oldToken, orgId, tokenId } = await newTenant(server.services);
      const { token: newToken } = await server.services.tokens.issue(TEST_OPERATOR, orgId);
      assert.equal((await scimRequest(users(), { token: oldToken })).status, 200);
      assert.equal((await scimRequest(users(), { token: newToken })).status, 200);
      await server.services.tokens.revoke(TEST_OPERATOR, tokenId);
      const refused = await scimRequest(users(), { token: oldToken });
      assert.equal(refused.status, 401);
      assert.match(refused.body.detail, /revoked/);
      assert.equal((await scimRequest(users(), { token: newToken })).status, 200);
      const log = await server.services.log.query(orgId, { limit: 10 });
      const refusal = log.find((e) => e.status === 401);
      assert.equal(refusal?.errorCode, 'auth.revoked', 'the refusal is in the organization log');
      assert.equal(refusal?.tokenId, tokenId);
    });

    test('an expired token gets 401', async () => {
      const org = await server.services.organizations.create(TEST_OPERATOR, 'Expiring');
      const issued = await server.services.tokens.issue(TEST_OPERATOR, org.id, { expiresInMs: 1 });
      await new Promise((r) => setTimeout(r, 5));
      const res = await scimRequest(users(), { token: issued.token });
      assert.equal(res.status, 401);
      assert.match(res.body.detail, /expired/);
    });

    test('an organization without SCIM in its plan gets 403 that says so, and the log shows it', async () => {
      const { token, orgId } = await newTenant(server.services);
      await server.services.organizations.update(TEST_OPERATOR, orgId, { scimEnabled: false });
      const res = await scimRequest(users(), { token });
      assert.equal(res.status, 403);
      assert.deepEqual(res.body.schemas, [ERROR_SCHEMA]);
      assert.match(res.body.detail, /plan/);
      const [entry] = await server.services.log.query(orgId, { limit: 1 });
      assert.equal(entry?.status, 403);
      await server.services.organizations.update(TEST_OPERATOR, orgId, { scimEnabled: true });
      assert.equal((await scimRequest(users(), { token })).status, 200);
    });

    test('discovery endpoints answer without a token', async () => {
      for (const path of ['/ServiceProviderConfig', '/ResourceTypes', '/Schemas']) {
        const res = await scimRequest(`${server.scimUrl}${path}`);
        assert.equal(res.status, 200, path);
      }
    });
  });
}
