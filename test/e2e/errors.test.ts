import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ERROR_SCHEMA } from '../../src/http/scim-error-body.js';
import { newTenant, type RunningServer, type ScimResponse, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

function assertScimError(res: ScimResponse, status: number, scimType?: string): void {
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/scim\+json/);
  assert.deepEqual(res.body.schemas, [ERROR_SCHEMA]);
  assert.equal(res.body.status, String(status));
  assert.equal(res.body.scimType, scimType);
  assert.equal(typeof res.body.detail, 'string');
  assert.ok(res.body.detail.length > 10, 'the detail says something a person can act on');
  assert.doesNotMatch(res.text, /\bat .*\.(ts|js):\d+|node_modules|SELECT |INSERT |sqlite/i, 'no stack trace or SQL');
}

for (const backend of testStores()) {
  describe(`errors and hostile input on ${backend.name}`, () => {
    let server: RunningServer;
    let token: string;
    let orgId: string;
    before(async () => {
      server = await startServer(backend, { bodyLimitBytes: 64 * 1024 });
      ({ token, orgId } = await newTenant(server.services));
    });
    after(async () => {
      await server.close();
    });

    const url = (path: string) => `${server.scimUrl}${path}`;
    const create = async (userName: string, extra: Record<string, unknown> = {}) => {
      const res = await scimRequest(url('/Users'), {
        method: 'POST',
        token,
        body: { schemas: [USER], userName, ...extra },
      });
      assert.equal(res.status, 201, res.text);
      return res.body;
    };

    test('framework-level failures are SCIM errors too', async () => {
      assertScimError(
        await scimRequest(url('/Users'), {
          method: 'POST',
          token,
          rawBody: '{"userName": ',
          headers: { 'content-type': 'application/scim+json' },
        }),
        400,
        'invalidSyntax',
      );
      assertScimError(
        await scimRequest(url('/Users'), {
          method: 'POST',
          token,
          rawBody: 'userName=x',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
        415,
      );
      assertScimError(
        await scimRequest(url('/Users'), {
          method: 'POST',
          token,
          rawBody: JSON.stringify({ schemas: [USER], userName: 'x'.repeat(70 * 1024) }),
          headers: { 'content-type': 'application/scim+json' },
        }),
        413,
      );
      assertScimError(
        await scimRequest(url('/Users'), {
          method: 'POST',
          token,
          rawBody: '',
          headers: { 'content-type': 'application/scim+json' },
        }),
        400,
        'invalidSyntax',
      );
      assertScimError(await scimRequest(url('/Nope'), { token }), 404);
      assertScimError(await scimRequest(url('/Users/no-such-id'), { token }), 404);
    });

    test('a wrong method is 405 with Allow', async () => {
      const res = await scimRequest(url('/Users'), { method: 'DELETE', token });
      assertScimError(res, 405);
      assert.equal(res.headers.get('allow'), 'GET, POST, HEAD');
      const search = await scimRequest(url('/Users/.search'), { method: 'GET', token });
      assertScimError(search, 405);
      assert.equal(search.headers.get('allow'), 'POST');
    });

    test('bad filters are 400 invalidFilter, with the position', async () => {
      for (const filter of [
        'userName eq',
        'userName equals "x"',
        '(userName eq "x"',
        'password eq "x"',
        'addresses.locality eq "x"',
        'active gt true',
        'meta.created gt "yesterday"',
        'userName eq 5',
        'x'.repeat(5000),
      ]) {
        const res = await scimRequest(url(`/Users?filter=${encodeURIComponent(filter)}`), { token });
        assertScimError(res, 400, 'invalidFilter');
      }
    });

    test('bad values are 400 and nothing is written', async () => {
      assertScimError(
        await scimRequest(url('/Users'), {
          method: 'POST',
          token,
          body: { schemas: [USER], userName: 'a@x.com', active: 'yes' },
        }),
        400,
        'invalidValue',
      );
      assertScimError(
        await scimRequest(url('/Users'), {
          method: 'POST',
          token,
          body: { schemas: [USER], name: { givenName: 'No userName' } },
        }),
        400,
        'invalidValue',
      );
      assertScimError(await scimRequest(url('/Users'), { method: 'POST', token, body: [1, 2] }), 400, 'invalidSyntax');
      const list = await scimRequest(url('/Users?filter=userName eq "a@x.com"'), { token });
      assert.equal(list.body.totalResults, 0);
    });

    test('a PATCH whose second operation fails leaves the first unapplied (all or nothing)', async () => {
      const user = await create('atomic@x.com', { name: { givenName: 'Before' } });
      const res = await scimRequest(url(`/Users/${user.id}`), {
        method: 'PATCH',
        token,
        body: {
          schemas: [PATCH],
          Operations: [
            { op: 'replace', path: 'name.givenName', value: 'After' },
            { op: 'replace', path: 'active', value: 'not a boolean' },
          ],
        },
      });
      assertScimError(res, 400, 'invalidValue');
      const after = await scimRequest(url(`/Users/${user.id}`), { token });
      assert.equal(after.body.name.givenName, 'Before');
      assert.equal(after.body.meta.version, user.meta.version);
      const log = await server.services.log.query(orgId, { resourceId: user.id, limit: 5 });
      assert.equal(log.find((e) => e.method === 'PATCH')?.status, 400, 'the failure is in the log');
    });

    test('If-Match: a stale version is 412 and changes nothing; the current one applies', async () => {
      const user = await create('etag@x.com');
      const patch = { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: 'New' }] };
      const stale = await scimRequest(url(`/Users/${user.id}`), {
        method: 'PATCH',
        token,
        body: patch,
        headers: { 'if-match': 'W/"999"' },
      });
      assertScimError(stale, 412);
      const ok = await scimRequest(url(`/Users/${user.id}`), {
        method: 'PATCH',
        token,
        body: patch,
        headers: { 'if-match': user.meta.version },
      });
      assert.equal(ok.status, 200);
      assert.equal(ok.body.displayName, 'New');
      assert.equal(ok.headers.get('etag'), ok.body.meta.version);
      assert.notEqual(ok.body.meta.version, user.meta.version);
    });

    test('uniqueness: userName ignoring case (beyond ASCII) and externalId are 409 uniqueness', async () => {
      await create('Ärger@x.com', { externalId: 'ext-1' });
      assertScimError(
        await scimRequest(url('/Users'), { method: 'POST', token, body: { schemas: [USER], userName: 'äRGER@X.COM' } }),
        409,
        'uniqueness',
      );
      assertScimError(
        await scimRequest(url('/Users'), {
          method: 'POST',
          token,
          body: { schemas: [USER], userName: 'other@x.com', externalId: 'ext-1' },
        }),
        409,
        'uniqueness',
      );
      const other = await create('renamed@x.com');
      const clash = await scimRequest(url(`/Users/${other.id}`), {
        method: 'PATCH',
        token,
        body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'userName', value: 'ärger@X.com' }] },
      });
      assertScimError(clash, 409, 'uniqueness');
    });

    test('/Me and /Bulk say 501, as ServiceProviderConfig advertises', async () => {
      assertScimError(await scimRequest(url('/Me'), { token }), 501);
      assertScimError(
        await scimRequest(url('/Bulk'), {
          method: 'POST',
          token,
          body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] },
        }),
        501,
      );
      const spc = await scimRequest(url('/ServiceProviderConfig'));
      assert.equal(spc.body.bulk.supported, false);
      assert.equal(spc.body.patch.supported, true);
    });
  });
}
