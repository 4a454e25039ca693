import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { foldCase } from '../../src/scim/fold-case.js';
import { INDEXED_MAX_LENGTH } from '../../src/scim/limits.js';
import { newTenant, type RunningServer, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/**
 * userName is caseExact false (RFC 7643 §4.1.1), and "case" is Unicode full case folding: names
 * that fold alike are one name for uniqueness and for every filter, on both stores.
 */
for (const backend of testStores()) {
  describe(`case folding over HTTP on ${backend.name}`, () => {
    let server: RunningServer;
    let token: string;
    const url = (path: string) => `${server.scimUrl}${path}`;
    const create = (userName: string, extra: Record<string, unknown> = {}) =>
      scimRequest(url('/Users'), { method: 'POST', token, body: { schemas: [USER], userName, ...extra } });
    const find = async (filter: string) => {
      const list = await scimRequest(url(`/Users?filter=${encodeURIComponent(filter)}`), { token });
      assert.equal(list.status, 200, `${filter}: ${list.text}`);
      return (list.body.Resources ?? []).map((r: { id: string }) => r.id) as string[];
    };

    before(async () => {
      server = await startServer(backend);
      ({ token } = await newTenant(server.services));
    });
    after(async () => {
      await server.close();
    });

    test('Straße and STRASSE are one userName: 409 uniqueness, and every filter finds the first', async () => {
      const first = await create('Straße@Contoso.com', { emails: [{ type: 'work', value: 'Straße@Contoso.com' }] });
      assert.equal(first.status, 201, first.text);
      assert.equal(first.body.userName, 'Straße@Contoso.com', 'stored as sent');

      const clash = await create('STRASSE@contoso.com');
      assert.equal(clash.status, 409, clash.text);
      assert.equal(clash.body.scimType, 'uniqueness');
      assert.equal((await create('straẞe@CONTOSO.com')).status, 409);

      for (const filter of [
        'userName eq "strasse@contoso.com"',
        'userName eq "STRAẞE@contoso.com"',
        'userName sw "STRASS"',
        'userName co "ß"',
        'userName ew "SSE@CONTOSO.COM"',
        'emails[value eq "strasse@contoso.com"]',
      ]) {
        assert.deepEqual(await find(filter), [first.body.id], filter);
      }
      assert.deepEqual(await find('userName ne "STRASSE@contoso.com"'), []);
    });

    test('ſ (long s) is s', async () => {
      const sam = await create('sam@contoso.com');
      assert.equal(sam.status, 201, sam.text);
      const clash = await create('ſAM@contoso.com');
      assert.equal(clash.status, 409, clash.text);
      assert.equal(clash.body.scimType, 'uniqueness');
      assert.deepEqual(await find('userName eq "ſam@contoso.com"'), [sam.body.id]);
    });

    test('ﬁ is FI, and composed and decomposed é are one name', async () => {
      const fi = await create('ﬁnance@contoso.com');
      assert.equal(fi.status, 201, fi.text);
      assert.equal((await create('FINANCE@contoso.com')).status, 409);
      const jose = await create('jos\u00e9@contoso.com');
      assert.equal(jose.status, 201, jose.text);
      assert.equal((await create('JOSE\u0301@contoso.com')).status, 409);
      assert.deepEqual(await find('userName eq "JOSE\u0301@CONTOSO.COM"'), [jose.body.id]);
    });

    test(`a ${INDEXED_MAX_LENGTH}-character userName whose fold is twice as long still works`, async () => {
      const userName = `${'ß'.repeat(INDEXED_MAX_LENGTH - 12)}@contoso.com`;
      assert.equal(userName.length, INDEXED_MAX_LENGTH);
      assert.equal(foldCase(userName).length, 2 * INDEXED_MAX_LENGTH - 12);
      const created = await create(userName);
      assert.equal(created.status, 201, created.text);
      const shouted = `${'ẞ'.repeat(INDEXED_MAX_LENGTH - 12)}@CONTOSO.COM`;
      assert.equal((await create(shouted)).status, 409);
      assert.deepEqual(await find(`userName eq "${shouted}"`), [created.body.id]);
    });

    test(`a ${INDEXED_MAX_LENGTH}-character userName of the characters that grow most when folded`, async () => {
      // Every BMP character whose fold takes 5 or 6 UTF-8 bytes (the most there is), in a scrambled
      // order so that the value compresses as little as such a value can.
      const growing: string[] = [];
      for (let cp = 0x80; cp <= 0xffff; cp++) {
        const c = String.fromCharCode(cp);
        if (/[\p{Cn}\p{Cs}]/u.test(c)) continue;
        if (Buffer.byteLength(foldCase(c)) >= 5) growing.push(c);
      }
      assert.ok(growing.length > 50, `${growing.length}`);
      let seed = 7;
      let userName = '';
      while (userName.length < INDEXED_MAX_LENGTH) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        userName += growing[seed % growing.length];
      }
      assert.ok(Buffer.byteLength(foldCase(userName)) > 2700, 'more than a b-tree entry holds uncompressed');
      const created = await create(userName);
      assert.equal(created.status, 201, created.text);
      assert.deepEqual(await find(`userName eq "${userName}"`), [created.body.id]);
      assert.equal((await create(userName)).status, 409);
    });
  });
}
