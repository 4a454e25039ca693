import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pg from 'pg';
import { newTenant, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/**
 * PostgreSQL runs requests truly concurrently: a member add racing the erase of that user used
 * to pass the "is it a user?" check, then fail the foreign key at insert (500). Now the check
 * locks the users it finds, so the add either waits for the erase and finds nobody (400), or
 * wins and the erase cascades its membership away.
 */
const postgres = testStores().find((s) => s.name === 'postgres');
if (postgres) {
  describe('races on postgres', () => {
    test('a member add racing an uncommitted erase of that user is 400 unknown member, never 500', async () => {
      const server = await startServer(postgres);
      const admin = new pg.Client({ connectionString: stripSchema(server.databaseUrl) });
      await admin.connect();
      try {
        const { token } = await newTenant(server.services);
        const send = (method: string, path: string, body?: unknown) =>
          scimRequest(`${server.scimUrl}${path}`, { method, token, ...(body !== undefined ? { body } : {}) });
        const user = (await send('POST', '/Users', { schemas: [USER], userName: 'leaving@contoso.com' })).body.id;
        const team = (await send('POST', '/Groups', { schemas: [GROUP], displayName: 'Team' })).body.id;
        await admin.query(`set search_path = ${new URL(server.databaseUrl).searchParams.get('schema')}`);
        // The erase, as another instance would run it, holds the user's row until it commits.
        await admin.query('begin');
        await admin.query('delete from user_values where user_id = $1', [user]);
        await admin.query('delete from users where id = $1', [user]);
        const add = send('PATCH', `/Groups/${team}`, {
          schemas: [PATCH],
          Operations: [{ op: 'add', path: 'members', value: [{ value: user }] }],
        });
        await new Promise((r) => setTimeout(r, 300));
        await admin.query('commit');
        const res = await add;
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.scimType, 'invalidValue');
        assert.match(res.body.detail, new RegExp(user));
        const members = await send('GET', `/Groups/${team}`);
        assert.deepEqual(members.body.members ?? [], []);
      } finally {
        await admin.end();
        await server.close();
      }
    });

    test('a member add racing an uncommitted retain (DELETE keeping the account) is 400, never a member who is gone', async () => {
      const server = await startServer(postgres);
      const admin = new pg.Client({ connectionString: stripSchema(server.databaseUrl) });
      await admin.connect();
      try {
        const { token } = await newTenant(server.services);
        const send = (method: string, path: string, body?: unknown) =>
          scimRequest(`${server.scimUrl}${path}`, { method, token, ...(body !== undefined ? { body } : {}) });
        const user = (await send('POST', '/Users', { schemas: [USER], userName: 'retained@contoso.com' })).body.id;
        const team = (await send('POST', '/Groups', { schemas: [GROUP], displayName: 'Team' })).body.id;
        await admin.query(`set search_path = ${new URL(server.databaseUrl).searchParams.get('schema')}`);
        // A retain updates a non-key column: the lock a foreign key takes (FOR KEY SHARE) would not
        // wait for it, and the membership would land after the retain had ended them all.
        await admin.query('begin');
        await admin.query('update users set deleted_at = 1, active = 0, external_id = null where id = $1', [user]);
        const add = send('PATCH', `/Groups/${team}`, {
          schemas: [PATCH],
          Operations: [{ op: 'add', path: 'members', value: [{ value: user }] }],
        });
        await new Promise((r) => setTimeout(r, 300));
        await admin.query('commit');
        const res = await add;
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.scimType, 'invalidValue');
        const members = await send('GET', `/Groups/${team}`);
        assert.deepEqual(members.body.members ?? [], []);
      } finally {
        await admin.end();
        await server.close();
      }
    });
  });
}

function stripSchema(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.delete('schema');
  return url.toString();
}
