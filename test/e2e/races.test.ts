import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pg from 'pg';
import { newTenant, scimRequest, startServer } from '../helpers/start-server.js';
import { type TestStore, testStores } from '../helpers/stores.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/**
 * PostgreSQL runs requests truly concurrently: a member add racing the erase of that user used
 * to pass the "is it a user?" check, then fail the foreign key at insert (500). Now the check
 * locks the users it finds, so the add either waits for the erase and finds nobody (400), or
 * wins and the erase cascades its membership away.
 */
/** A server on PostgreSQL with a user and an empty team, and a second connection to race it. */
async function raceSetup(backend: TestStore, userName: string) {
  const server = await startServer(backend);
  const admin = new pg.Client({ connectionString: stripSchema(server.databaseUrl) });
  await admin.connect();
  const { token } = await newTenant(server.services);
  const send = (method: string, path: string, body?: unknown) =>
    scimRequest(`${server.scimUrl}${path}`, { method, token, ...(body !== undefined ? { body } : {}) });
  const user = (await send('POST', '/Users', { schemas: [USER], userName })).body.id as string;
  const team = (await send('POST', '/Groups', { schemas: [GROUP], displayName: 'Team' })).body.id as string;
  await admin.query(`set search_path = ${new URL(server.databaseUrl).searchParams.get('schema')}`);
  const addMember = () =>
    send('PATCH', `/Groups/${team}`, {
      schemas: [PATCH],
      Operations: [{ op: 'add', path: 'members', value: [{ value: user }] }],
    });
  return {
    admin,
    user,
    addMember,
    members: async () => (await send('GET', `/Groups/${team}`)).body.members ?? [],
    async close() {
      await admin.end();
      await server.close();
    },
  };
}

const postgres = testStores().find((s) => s.name === 'postgres');
if (postgres) {
  describe('races on postgres', () => {
    test('a member add racing an uncommitted erase of that user is 400 unknown member, never 500', async () => {
      const race = await raceSetup(postgres, 'leaving@contoso.com');
      try {
        // The erase, as another instance would run it, holds the user's row until it commits.
        await race.admin.query('begin');
        await race.admin.query('delete from user_values where user_id = $1', [race.user]);
        await race.admin.query('delete from users where id = $1', [race.user]);
        const add = race.addMember();
        await new Promise((r) => setTimeout(r, 300));
        await race.admin.query('commit');
        const res = await add;
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.scimType, 'invalidValue');
        assert.match(res.body.detail, new RegExp(race.user));
        assert.deepEqual(await race.members(), []);
      } finally {
        await race.close();
      }
    });

    test('a member add racing an uncommitted retain (DELETE keeping the account) is 400, never a member who is gone', async () => {
      const race = await raceSetup(postgres, 'retained@contoso.com');
      try {
        // A retain updates a non-key column: the lock a foreign key takes (FOR KEY SHARE) would not
        // wait for it, and the membership would land after the retain had ended them all.
        await race.admin.query('begin');
        await race.admin.query('update users set deleted_at = 1, active = 0, external_id = null where id = $1', [
          race.user,
        ]);
        const add = race.addMember();
        await new Promise((r) => setTimeout(r, 300));
        await race.admin.query('commit');
        const res = await add;
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.scimType, 'invalidValue');
        assert.deepEqual(await race.members(), []);
      } finally {
        await race.close();
      }
    });
  });
}

function stripSchema(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.delete('schema');
  return url.toString();
}
