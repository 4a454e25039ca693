import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newTenant, type RunningServer, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Input no IdP sends on purpose: always a 4xx SCIM error, never a 500, and nothing written. */
for (const backend of testStores()) {
  describe(`hostile input on ${backend.name}`, () => {
    let server: RunningServer;
    let token: string;
    let orgId: string;
    before(async () => {
      server = await startServer(backend);
      ({ token, orgId } = await newTenant(server.services));
    });
    after(async () => {
      await server.close();
    });
    const url = (path: string) => `${server.scimUrl}${path}`;

    test('NUL characters and odd ids in paths, filters and bodies', async () => {
      const requests: [string, string, unknown?][] = [
        ['GET', '/Users/%00'],
        ['GET', '/Users/%E2%80%AE'],
        ['GET', `/Users/${'x'.repeat(5000)}`],
        ['GET', '/Groups/%00?excludedAttributes=members'],
        ['GET', `/Users?filter=${encodeURIComponent('userName eq "a\\u0000b"')}`],
        ['GET', `/Users?filter=${encodeURIComponent('emails[value co "\\u0000"]')}`],
        ['GET', `/Users?filter=${encodeURIComponent('userName eq "\\ud800"')}`],
        ['GET', '/Users?startIndex=99999999999999999999&count=5'],
        ['GET', '/Users?count=-5&startIndex=-3'],
        ['GET', '/Users?sortBy=emails&sortOrder=descending'],
        ['POST', '/Users', { schemas: [USER], userName: 'nul\u0000user@x.com' }],
        ['POST', '/Users', { schemas: [USER], userName: 'ok@x.com', name: { givenName: 'a\u0000' } }],
        ['POST', '/Users', { schemas: [USER], userName: 'ok@x.com', externalId: 'e\u0000' }],
        [
          'POST',
          '/Users',
          { schemas: [USER], userName: 'ok@x.com', emails: [{ value: 'e\u0000@x.com', type: 'work' }] },
        ],
        ['POST', '/Groups', { schemas: [GROUP], displayName: 'team\u0000' }],
        ['POST', '/Groups', { schemas: [GROUP], displayName: 'team', members: [{ value: '\u0000' }] }],
        ['POST', '/Users', { schemas: [USER], userName: 'x'.repeat(100_000) }],
        ['POST', '/Users', { schemas: [USER], userName: { nested: true } }],
        ['POST', '/Users', { raw: `${'['.repeat(100_000)}${']'.repeat(100_000)}` }],
        ['POST', '/Users', { raw: `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}` }],
        [
          'PATCH',
          '/Users/nobody',
          { schemas: [PATCH], Operations: [{ op: 'replace', path: 'userName', value: 'a\u0000' }] },
        ],
        ['POST', '/Users/.search', { filter: 'userName eq "a\\u0000"' }],
      ];
      for (const [method, path, body] of requests) {
        const raw = (body as { raw?: string } | undefined)?.raw;
        const res = await scimRequest(url(path), {
          method,
          token,
          ...(raw !== undefined
            ? { rawBody: raw, headers: { 'content-type': 'application/scim+json' } }
            : body !== undefined
              ? { body }
              : {}),
        });
        assert.ok(
          (res.status >= 400 && res.status < 500) || res.status === 200,
          `${method} ${path.slice(0, 60)}: ${res.status} ${res.text.slice(0, 300)}`,
        );
        if (res.status >= 400) {
          assert.equal(
            res.body?.schemas?.[0],
            'urn:ietf:params:scim:api:messages:2.0:Error',
            `${method} ${path.slice(0, 60)}`,
          );
        }
      }
      const users = await server.store.listUsers(orgId, { sortOrder: 'ascending', offset: 0, limit: 10 });
      assert.equal(users.total, 0, 'nothing was written');
    });
  });
}
