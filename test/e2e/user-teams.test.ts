import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newTenant, type RunningServer, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** A user's readOnly `groups` comes from the membership rows; teams are found by member. */
for (const backend of testStores()) {
  describe(`users and their teams on ${backend.name}`, () => {
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

    test('groups on GET and list, filters by membership, deactivated members stay, rename shows', async () => {
      const alice = (
        await scimRequest(url('/Users'), { method: 'POST', token, body: { schemas: [USER], userName: 'alice@x.com' } })
      ).body;
      const bob = (
        await scimRequest(url('/Users'), { method: 'POST', token, body: { schemas: [USER], userName: 'bob@x.com' } })
      ).body;
      const team = await scimRequest(url('/Groups'), {
        method: 'POST',
        token,
        body: { schemas: [GROUP], displayName: 'Legal', members: [{ value: alice.id }] },
      });
      assert.equal(team.status, 201);
      const teamId = team.body.id as string;

      const got = await scimRequest(url(`/Users/${alice.id}`), { token });
      assert.deepEqual(got.body.groups, [
        { value: teamId, $ref: `${server.scimUrl}/Groups/${teamId}`, display: 'Legal', type: 'direct' },
      ]);
      assert.equal((await scimRequest(url(`/Users/${bob.id}`), { token })).body.groups, undefined);
      assert.equal(
        (await scimRequest(url(`/Users/${alice.id}?excludedAttributes=groups`), { token })).body.groups,
        undefined,
      );

      const members = await scimRequest(url(`/Users?filter=${encodeURIComponent(`groups[value eq "${teamId}"]`)}`), {
        token,
      });
      assert.deepEqual(
        members.body.Resources.map((u: { id: string }) => u.id),
        [alice.id],
      );
      const teamsOfAlice = await scimRequest(
        url(`/Groups?filter=${encodeURIComponent(`members[value eq "${alice.id}"]`)}&excludedAttributes=members`),
        { token },
      );
      assert.deepEqual(
        teamsOfAlice.body.Resources.map((g: { id: string }) => g.id),
        [teamId],
      );

      // Deprovisioning keeps the membership (SPEC "Deprovisioning").
      const off = await scimRequest(url(`/Users/${alice.id}`), {
        method: 'PATCH',
        token,
        body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] },
      });
      assert.equal(off.body.active, false);
      assert.equal(off.body.groups.length, 1);
      const rename = await scimRequest(url(`/Groups/${teamId}`), {
        method: 'PATCH',
        token,
        body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: 'Legal & Compliance' }] },
      });
      assert.equal(rename.status, 204);
      const listed = await scimRequest(url('/Users?filter=userName sw "alice"'), { token });
      assert.equal(listed.body.Resources[0].groups[0].display, 'Legal & Compliance');
      const group = await scimRequest(url(`/Groups/${teamId}`), { token });
      assert.equal(group.body.id, teamId, 'a rename keeps the id');
      assert.deepEqual(
        group.body.members.map((m: { value: string }) => m.value),
        [alice.id],
      );
    });
  });
}
