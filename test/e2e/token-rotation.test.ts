import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCliInProcess } from '../helpers/cli.js';
import { scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const OPERATOR = 'support-jane';

// biome-ignore lint/suspicious/noExplicitAny: errors and CLI JSON are asserted field by field
type Json = any;

/**
 * `token rotate` (issue 10): a new token with the same label, the old one still working for the
 * grace and refused after it. The services' clock is injected, so the grace ends when the test
 * says.
 */
describe('token rotation', () => {
  for (const backend of testStores()) {
    test(`both tokens work during the grace and the old one fails after it (${backend.name})`, async () => {
      let now = Date.UTC(2026, 0, 1);
      const server = await startServer(backend, { clock: () => now });
      try {
        const operator = { kind: 'cli', operator: OPERATOR } as const;
        const org = await server.services.organizations.create(operator, 'Rotating');
        const old = await server.services.tokens.issue(operator, org.id, { label: 'Entra production' });
        const rotated = await server.services.tokens.rotate(operator, old.record.id, { graceMs: 3_600_000 });
        assert.equal(rotated.record.label, 'Entra production', 'the same label');
        assert.equal(rotated.previous.expiresAt, now + 3_600_000);
        const get = (token: string) => scimRequest(`${server.scimUrl}/Users`, { token });
        assert.equal((await get(old.token)).status, 200, 'the old token during the grace');
        assert.equal((await get(rotated.token)).status, 200, 'the new token at once');
        now += 3_600_000 - 1;
        assert.equal((await get(old.token)).status, 200, 'until the last millisecond');
        now += 1;
        const refused = await get(old.token);
        assert.equal(refused.status, 401);
        assert.match(refused.body.detail, /expired/);
        assert.equal((await get(rotated.token)).status, 200);
        await assert.rejects(
          server.services.tokens.rotate(operator, old.record.id),
          (e: Json) => e.code === 'token.notActive',
          'an expired token cannot be rotated',
        );
        await assert.rejects(
          server.services.tokens.rotate(operator, rotated.record.id, { graceMs: 31 * 86_400_000 }),
          (e: Json) => e.code === 'token.grace',
        );
        const [entry] = await server.services.auditTrail.list({ orgId: org.id, action: 'token.rotated', limit: 5 });
        assert.equal(entry?.targetId, old.record.id);
        assert.equal(entry?.detail?.newTokenId, rotated.record.id);
      } finally {
        await server.close();
      }
    });
  }

  test('the CLI rotates with a grace and prints the new secret once', async () => {
    const [backend] = testStores();
    assert.ok(backend);
    const server = await startServer(backend);
    try {
      const cli = (...args: string[]) => runCliInProcess(server.databaseUrl, args);
      const org = JSON.parse((await cli('org', 'create', '--name', 'CliRotate', '--json')).stdout);
      const old = JSON.parse((await cli('token', 'issue', '--org', org.id, '--label', 'okta', '--json')).stdout);
      const rotated = await cli('token', 'rotate', '--token', old.id, '--grace', '2h', '--json');
      assert.equal(rotated.code, 0, rotated.stderr);
      const out = JSON.parse(rotated.stdout);
      assert.match(out.token, /^pscim_/);
      assert.equal(out.previous.id, old.id);
      assert.equal(out.previous.label, 'okta');
      const expires = Date.parse(out.previous.expiresAt) - Date.now();
      assert.ok(expires > 7_100_000 && expires <= 7_200_000, `expires in ${expires} ms`);
      assert.equal((await cli('token', 'rotate', '--token', old.id, '--grace', 'soon')).code, 2);
      const listed = JSON.parse((await cli('token', 'list', '--org', org.id, '--json')).stdout);
      assert.deepEqual(
        listed.map((x: Json) => x.label),
        ['okta', 'okta'],
      );
    } finally {
      await server.close();
    }
  });
});
