import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newTenant, type RunningServer, type ScimResponse, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/**
 * RFC 7643 / RFC 7644 read exactly where an IdP does not need otherwise: types are strict, what a
 * client leaves out stays out, a PUT does not re-enable a deprovisioned user, and `attributes`
 * takes the value filters Microsoft's reference server sends.
 */
for (const backend of testStores()) {
  describe(`RFC exactness on ${backend.name}`, () => {
    let server: RunningServer;
    let token: string;
    before(async () => {
      server = await startServer(backend);
      ({ token } = await newTenant(server.services));
    });
    after(async () => {
      await server.close();
    });

    const url = (path: string) => `${server.scimUrl}${path}`;
    const q = (text: string) => encodeURIComponent(text);
    const send = (method: string, path: string, body?: unknown) =>
      scimRequest(url(path), { method, token, ...(body !== undefined ? { body } : {}) });
    const create = async (userName: string, extra: Record<string, unknown> = {}) => {
      const res = await send('POST', '/Users', { schemas: [USER], userName, ...extra });
      assert.equal(res.status, 201, res.text);
      return res.body as { id: string; meta: { version: string } } & Record<string, unknown>;
    };
    const patch = (id: string, ...operations: unknown[]) =>
      send('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: operations });
    const assertInvalid = (res: ScimResponse, scimType: string, detail: RegExp) => {
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.scimType, scimType, res.text);
      assert.match(res.body.detail, detail);
    };

    describe('strict types where RFC 7643 §2.3 and §2.4 are strict', () => {
      const wrong: [string, Record<string, unknown>, RegExp][] = [
        ['a bare string for emails', { emails: 'ada@example.com' }, /"emails" must be an array/],
        ['an array of strings for emails', { emails: ['ada@example.com'] }, /"emails\[0\]" must be an object/],
        ['a lone object for emails', { emails: { value: 'ada@example.com' } }, /"emails" must be an array/],
        ['a bare string for name', { name: 'Ada' }, /"name" must be an object/],
        ['a bare string for phoneNumbers', { phoneNumbers: '+1 555 0100' }, /"phoneNumbers" must be an array/],
      ];
      for (const [name, extra, detail] of wrong) {
        test(`POST and PUT refuse ${name}, and write nothing`, async () => {
          const userName = `strict-${name.replaceAll(' ', '-')}@example.com`;
          assertInvalid(await send('POST', '/Users', { schemas: [USER], userName, ...extra }), 'invalidValue', detail);
          const listed = await send('GET', `/Users?filter=${q(`userName eq "${userName}"`)}`);
          assert.equal(listed.body.totalResults, 0);

          const user = await create(userName);
          const put = await send('PUT', `/Users/${user.id}`, { schemas: [USER], userName, ...extra });
          assertInvalid(put, 'invalidValue', detail);
          assert.equal((await send('GET', `/Users/${user.id}`)).body.meta.version, user.meta.version);
        });
      }

      test('PATCH refuses the same shapes, by path and in a path-less value', async () => {
        const user = await create('strict-patch@example.com', {
          emails: [{ value: 'strict-patch@example.com', type: 'work' }],
        });
        const refused: [unknown, RegExp][] = [
          [{ op: 'add', path: 'emails', value: 'x@example.com' }, /"emails" must be an array/],
          [{ op: 'Add', path: 'emails', value: ['x@example.com'] }, /"emails\[0\]" must be an object/],
          [{ op: 'replace', path: 'emails', value: { value: 'x@example.com' } }, /"emails" must be an array/],
          [{ op: 'replace', path: 'name', value: 'Ada' }, /"name" must be an object/],
          [{ op: 'replace', value: { name: 'Ada' } }, /"name" must be an object/],
          [{ op: 'replace', value: { emails: 'x@example.com' } }, /"emails" must be an array/],
        ];
        for (const [op, detail] of refused) {
          assertInvalid(await patch(user.id, op), 'invalidValue', detail);
        }
        assert.equal((await send('GET', `/Users/${user.id}`)).body.meta.version, user.meta.version);
      });

      test('the documented leniencies stay: "True"/"False", capitalised ops, Entra legacy manager id', async () => {
        const boss = await create('strict-boss@example.com');
        const created = await create('strict-report@example.com', {
          schemas: [USER, ENTERPRISE],
          active: 'False',
          [ENTERPRISE]: { manager: boss.id },
        });
        assert.equal(created.active, false);
        assert.deepEqual(created[ENTERPRISE], { manager: { value: boss.id } });
        const res = await patch(
          created.id,
          { op: 'Replace', path: 'active', value: 'True' },
          { op: 'Replace', path: `${ENTERPRISE}:manager`, value: created.id },
        );
        assert.equal(res.status, 200, res.text);
        assert.equal(res.body.active, true);
        assert.deepEqual(res.body[ENTERPRISE], { manager: { value: created.id } });
      });

      test('group members are objects too (RFC 7643 §4.2)', async () => {
        const member = await create('strict-member@example.com');
        const res = await send('POST', '/Groups', { schemas: [GROUP], displayName: 'Strict', members: [member.id] });
        assertInvalid(res, 'invalidValue', /"members\[0\]" must be an object/);
      });
    });

    describe('absent stays absent: primary (RFC 7643 §2.4)', () => {
      test('e-mails sent without primary are returned without it, and a new primary drops the old one', async () => {
        const user = await create('absent@example.com', {
          emails: [
            { value: 'absent@example.com', type: 'work' },
            { value: 'absent@home.example', type: 'home' },
          ],
        });
        assert.deepEqual(user.emails, [
          { value: 'absent@example.com', type: 'work' },
          { value: 'absent@home.example', type: 'home' },
        ]);
        const primaryHome = await patch(user.id, {
          op: 'replace',
          path: 'emails[type eq "home"].primary',
          value: true,
        });
        assert.deepEqual(primaryHome.body.emails, [
          { value: 'absent@example.com', type: 'work' },
          { value: 'absent@home.example', type: 'home', primary: true },
        ]);
        // RFC 7644 §3.5.2: the server makes the others non-primary; §2.4: unassigned means false.
        const primaryWork = await patch(user.id, {
          op: 'add',
          path: 'emails',
          value: [{ value: 'absent.new@example.com', type: 'work', primary: true }],
        });
        assert.deepEqual(primaryWork.body.emails, [
          { value: 'absent@example.com', type: 'work' },
          { value: 'absent@home.example', type: 'home' },
          { value: 'absent.new@example.com', type: 'work', primary: true },
        ]);
        const got = await send('GET', `/Users/${user.id}?attributes=${q('emails[primary pr].value')}`);
        assert.deepEqual(got.body.emails, [{ value: 'absent.new@example.com' }]);

        const trimmed = await patch(user.id, { op: 'remove', path: 'emails[not (primary pr)]' });
        assert.deepEqual(trimmed.body.emails, [{ value: 'absent.new@example.com', type: 'work', primary: true }]);
      });

      test('a list filter emails[primary pr] does not match e-mails sent without primary', async () => {
        await create('absent-list@example.com', { emails: [{ value: 'absent-list@example.com', type: 'work' }] });
        const filter = q('userName eq "absent-list@example.com" and emails[primary pr]');
        assert.equal((await send('GET', `/Users?filter=${filter}`)).body.totalResults, 0);
      });

      test('list filters tell an absent primary from primary false (RFC 7644 §3.4.2.2)', async () => {
        await create('tri-absent@example.com', { emails: [{ value: 'tri-absent@example.com' }] });
        await create('tri-false@example.com', { emails: [{ value: 'tri-false@example.com', primary: false }] });
        await create('tri-true@example.com', { emails: [{ value: 'tri-true@example.com', primary: 'True' }] });
        await create('tri-none@example.com');
        const listed = async (filter: string) => {
          const res = await send('GET', `/Users?filter=${q(`userName sw "tri-" and (${filter})`)}&sortBy=userName`);
          assert.equal(res.status, 200, res.text);
          return (res.body.Resources ?? []).map((u: { userName: string }) => u.userName.split('@')[0]);
        };
        assert.deepEqual(await listed('emails[primary pr]'), ['tri-false', 'tri-true']);
        assert.deepEqual(await listed('emails.primary pr'), ['tri-false', 'tri-true']);
        assert.deepEqual(await listed('not (emails.primary pr)'), ['tri-absent', 'tri-none']);
        assert.deepEqual(await listed('emails[primary eq false]'), ['tri-false']);
        assert.deepEqual(await listed('emails[primary eq true]'), ['tri-true']);
        assert.deepEqual(await listed('emails[not (primary eq true)]'), ['tri-absent', 'tri-false']);
      });

      test('a PATCH path filter emails[primary pr] leaves the e-mails without primary as they are', async () => {
        const user = await create('tri-patch@example.com', {
          emails: [
            { value: 'tri-patch@example.com', type: 'work' },
            { value: 'tri-patch@home.example', type: 'home', primary: false },
          ],
        });
        // primary: false is a value, so pr selects it; the element without primary is not touched.
        const replaced = await patch(user.id, {
          op: 'replace',
          path: 'emails[primary pr].display',
          value: 'Home',
        });
        assert.equal(replaced.status, 200, replaced.text);
        assert.deepEqual(replaced.body.emails, [
          { value: 'tri-patch@example.com', type: 'work' },
          { value: 'tri-patch@home.example', type: 'home', primary: false, display: 'Home' },
        ]);
        const removed = await patch(user.id, { op: 'remove', path: 'emails[primary pr]' });
        assert.equal(removed.status, 200, removed.text);
        assert.deepEqual(removed.body.emails, [{ value: 'tri-patch@example.com', type: 'work' }]);
        // The store wrote the remaining element back without a primary, as the response shows it.
        const listed = async (filter: string) =>
          (await send('GET', `/Users?filter=${q(`userName eq "tri-patch@example.com" and ${filter}`)}`)).body
            .totalResults;
        assert.equal(await listed('emails[primary pr]'), 0);
        assert.equal(await listed('emails[primary eq false]'), 0);
        assert.equal(await listed('emails[not (primary pr)]'), 1);
        const got = await send('GET', `/Users/${user.id}`);
        assert.deepEqual(got.body.emails, [{ value: 'tri-patch@example.com', type: 'work' }]);
      });
    });

    describe('PUT without active keeps the current value (SPEC "Deprovisioning")', () => {
      test('a deactivated user stays deactivated, a create without active is active', async () => {
        const user = await create('put-active@example.com');
        assert.equal(user.active, true);
        const off = await patch(user.id, { op: 'replace', path: 'active', value: false });
        assert.equal(off.body.active, false);

        const put = await send('PUT', `/Users/${user.id}`, {
          schemas: [USER],
          userName: 'put-active@example.com',
          displayName: 'Put Active',
        });
        assert.equal(put.status, 200, put.text);
        assert.equal(put.body.active, false);
        assert.equal(put.body.displayName, 'Put Active');
        const listed = await send(
          'GET',
          `/Users?filter=${q('userName eq "put-active@example.com" and active eq false')}`,
        );
        assert.equal(listed.body.totalResults, 1);

        const on = await send('PUT', `/Users/${user.id}`, {
          schemas: [USER],
          userName: 'put-active@example.com',
          active: true,
        });
        assert.equal(on.body.active, true);
        const again = await send('PUT', `/Users/${user.id}`, { schemas: [USER], userName: 'put-active@example.com' });
        assert.equal(again.body.active, true);
      });
    });

    describe('attributes with a value filter (Microsoft reference server, Postman collection)', () => {
      let userId: string;
      const emails = [
        { value: 'vf@example.com', type: 'work', primary: true },
        { value: 'vf@home.example', type: 'home' },
      ];
      before(async () => {
        userId = (await create('vf@example.com', { emails, displayName: 'Value Filter' })).id;
      });

      test('GET /Users/{id}: the matching values whole, or one sub-attribute of them', async () => {
        const whole = await send('GET', `/Users/${userId}?attributes=${q('emails[type eq "work"]')}`);
        assert.equal(whole.status, 200, whole.text);
        assert.deepEqual(whole.body, { schemas: [USER], id: userId, emails: [emails[0]] });
        const value = await send('GET', `/Users/${userId}?attributes=${q('emails[type eq "work"].value,displayName')}`);
        assert.deepEqual(value.body, {
          schemas: [USER],
          id: userId,
          displayName: 'Value Filter',
          emails: [{ value: 'vf@example.com' }],
        });
      });

      test('GET /Users and POST /Users/.search', async () => {
        const filter = q('userName eq "vf@example.com"');
        const listed = await send('GET', `/Users?filter=${filter}&attributes=${q('emails[type eq "home"].value')}`);
        assert.equal(listed.status, 200, listed.text);
        assert.deepEqual(listed.body.Resources, [
          { schemas: [USER], id: userId, emails: [{ value: 'vf@home.example' }] },
        ]);
        const searched = await send('POST', '/Users/.search', {
          schemas: [SEARCH],
          filter: 'userName eq "vf@example.com"',
          attributes: ['emails[value co ","]', 'emails[type eq "work"].type'],
        });
        assert.equal(searched.status, 200, searched.text);
        assert.deepEqual(searched.body.Resources, [{ schemas: [USER], id: userId, emails: [{ type: 'work' }] }]);
      });

      test('PATCH answers with the projection asked for', async () => {
        const res = await scimRequest(url(`/Users/${userId}?attributes=${q('emails[type eq "work"].value')}`), {
          method: 'PATCH',
          token,
          body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'Engineer' }] },
        });
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.body, { schemas: [USER], id: userId, emails: [{ value: 'vf@example.com' }] });
      });

      test('Groups: members selected by a value filter', async () => {
        const other = await create('vf-other@example.com');
        const group = await send('POST', '/Groups', {
          schemas: [GROUP],
          displayName: 'Value Filter Team',
          members: [{ value: userId }, { value: other.id }],
        });
        assert.equal(group.status, 201, group.text);
        const res = await send(
          'GET',
          `/Groups/${group.body.id}?attributes=${q(`members[value eq "${other.id}"].value`)}`,
        );
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.body, { schemas: [GROUP], id: group.body.id, members: [{ value: other.id }] });
        const listed = await send(
          'GET',
          `/Groups?filter=${q('displayName eq "Value Filter Team"')}&attributes=${q('members[value eq "nobody"]')}`,
        );
        assert.equal(listed.status, 200, listed.text);
        // Whether no members reads as [] or as absent is the group stream's business, not pinned here.
        const [found] = listed.body.Resources;
        assert.deepEqual(
          { ...found, members: found.members ?? [] },
          { schemas: [GROUP], id: group.body.id, members: [] },
        );
      });

      test('refused before anything is read or written', async () => {
        assertInvalid(
          await send('GET', `/Users?excludedAttributes=${q('emails[type eq "work"]')}`),
          'invalidValue',
          /excludedAttributes takes attribute names only/,
        );
        assertInvalid(
          await send('GET', `/Users?attributes=${q('name[givenName eq "Ada"]')}`),
          'invalidFilter',
          /not a multi-valued complex attribute/,
        );
        assertInvalid(
          await send('GET', `/Users/${userId}?attributes=${q('emails[kind eq "work"]')}`),
          'invalidFilter',
          /"kind" is not a sub-attribute of "emails"/,
        );
        assertInvalid(
          await send('POST', '/Users/.search', { schemas: [SEARCH], attributes: ['emails[type eq "work"'] }),
          'invalidFilter',
          /Missing "\]"/,
        );
        const put = await scimRequest(url(`/Users/${userId}?attributes=${q('active[value eq true]')}`), {
          method: 'PUT',
          token,
          body: { schemas: [USER], userName: 'vf@example.com', displayName: 'Changed' },
        });
        assertInvalid(put, 'invalidFilter', /not a multi-valued complex attribute/);
        assert.equal((await send('GET', `/Users/${userId}`)).body.displayName, 'Value Filter');
      });
    });
  });
}
