import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  addMemberBody,
  createGroupBody,
  createUserBody,
  legacyActiveBody,
  person,
  removeMemberBody,
  rfcActiveBody,
} from '../bench/entra-shapes.js';
import { replaceBlock } from '../bench/readme-table.js';
import { scenarios } from '../bench/scenarios.js';
import { ScimClient } from '../bench/scim-client.js';
import { row } from '../bench/scim-report.js';
import { percentile, seedEntraCycle, seedTeams } from '../bench/seed-entra.js';
import type { LoadResult } from '../bench/support.js';
import { newTenant, type RunningServer, startServer } from './helpers/start-server.js';
import { testStores } from './helpers/stores.js';

/**
 * `npm run bench` is only as good as the requests it sends: these check that they are Entra's as
 * the fixtures record them, that the service answers each scenario as the bench expects, and that
 * a run with a wrong status is marked invalid. No timing is asserted here or anywhere.
 */
const FIXTURES = join(import.meta.dirname, 'fixtures');

// biome-ignore lint/suspicious/noExplicitAny: fixture steps are JSON read field by field
function fixtureBodies(file: string): any[] {
  const fixture = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8'));
  // biome-ignore lint/suspicious/noExplicitAny: as above
  return fixture.steps.map((step: any) => step.request.body).filter((body: unknown) => body !== undefined);
}

describe('the bench sends the fixtures’ Entra shapes', () => {
  test('PATCH active in both dialects, as the re-enable fixtures send it', () => {
    const legacy = fixtureBodies('entra-legacy/reenable-user.json').slice(1);
    assert.deepEqual(
      [legacyActiveBody(false), legacyActiveBody(true)].map((b) => JSON.parse(b)),
      legacy,
    );
    const rfc = fixtureBodies('entra-compliant/reenable-user.json').slice(1);
    assert.deepEqual(
      [rfcActiveBody(false), rfcActiveBody(true)].map((b) => JSON.parse(b)),
      rfc,
    );
  });

  // biome-ignore lint/suspicious/noExplicitAny: fixture bodies are JSON
  const patchWith = (file: string, op: string): any =>
    fixtureBodies(file).find((body) => body.Operations?.[0]?.op === op);

  test('one member added and removed, as the compliant group fixtures send it', () => {
    const add = patchWith('entra-compliant-groups/add-members.json', 'add');
    const expectedAdd = { ...add, Operations: [{ ...add.Operations[0], value: [{ value: 'u1' }] }] };
    assert.deepEqual(JSON.parse(addMemberBody('u1')), expectedAdd);
    const remove = patchWith('entra-compliant-groups/remove-members.json', 'remove');
    assert.deepEqual(JSON.parse(removeMemberBody('u1')), {
      ...remove,
      Operations: [{ ...remove.Operations[0], path: 'members[value eq "u1"]' }],
    });
  });

  test('user and group creates carry the attributes and schemas of the fixtures', () => {
    const [fixtureUser] = fixtureBodies('entra-compliant/replace-multiple-attributes.json');
    const user = JSON.parse(createUserBody(person('abcdef12', 7), 7));
    assert.deepEqual(user.schemas, fixtureUser.schemas);
    for (const key of Object.keys(fixtureUser)) assert.ok(key in user, `the bench's user lacks ${key}`);
    assert.equal(user.emails[0].value, user.userName);
    const fixtureGroup = fixtureBodies('entra-legacy-groups/create-group.json').find((body) => body.displayName);
    assert.deepEqual(JSON.parse(createGroupBody('x', 'Litigation')).schemas, fixtureGroup.schemas);
  });
});

describe('the bench’s bookkeeping', () => {
  const result = (statusCodes: Record<string, number>, errors = 0): LoadResult => ({
    requestsPerSecond: 500,
    p50: 2,
    p99: 9,
    max: 20,
    non2xx: 0,
    errors,
    timeouts: 0,
    statusCodes,
  });

  test('a row is valid only when every answer has the expected status', () => {
    assert.equal(row('k', 'l', result({ 200: 10 }), 1000, 200, undefined).valid, true);
    assert.equal(row('k', 'l', result({ 200: 10 }), 1000, 200, undefined).ratio, 0.5);
    const wrong = row('k', 'l', result({ 200: 9, 404: 1 }), 1000, 200, undefined);
    assert.equal(wrong.valid, false);
    assert.match(wrong.problems.join(), /1 answers with status 404/);
    assert.equal(row('k', 'l', result({ 201: 10 }), 1000, 200, undefined).valid, false);
    assert.equal(row('k', 'l', result({ 200: 10 }, 1), 1000, 200, undefined).valid, false);
    assert.equal(row('k', 'l', result({ 200: 10 }), 1000, 200, 'totalResults 0').valid, false);
    assert.equal(row('k', 'l', result({}), 1000, 200, undefined).valid, false);
  });

  test('the README table is replaced between its markers only', () => {
    const readme = 'a\n<!-- scim-bench:sqlite -->\nold\n<!-- /scim-bench:sqlite -->\nb';
    assert.equal(
      replaceBlock(readme, 'sqlite', 'new'),
      'a\n<!-- scim-bench:sqlite -->\nnew\n<!-- /scim-bench:sqlite -->\nb',
    );
    assert.equal(replaceBlock(readme, 'postgres', 'new'), readme);
  });

  test('percentiles by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(values, 50), 50);
    assert.equal(percentile(values, 99), 99);
    assert.equal(percentile([], 50), 0);
  });
});

for (const backend of testStores()) {
  describe(`every bench scenario is answered as the bench expects, on ${backend.name}`, () => {
    let server: RunningServer;
    let client: ScimClient;
    before(async () => {
      server = await startServer(backend);
      client = new ScimClient(server.origin, (await newTenant(server.services)).token, 4);
    });
    after(async () => {
      client.close();
      await server.close();
    });

    test('seeded as an Entra cycle, then each scenario probed', async () => {
      const { users, figures } = await seedEntraCycle(client, 'feedbeef', 160, 4);
      assert.equal(figures.users, 160);
      assert.equal(new Set(users.map((u) => u.id)).size, 160);
      const { teams } = await seedTeams(
        client,
        'feedbeef',
        users,
        [
          ['Small', 10],
          ['Big', 40],
        ],
        15,
      );
      const [small, big] = teams as [(typeof teams)[0], (typeof teams)[0]];
      const all = scenarios({ run: 'feedbeef', users, small, big, spare: users.slice(-30) });
      assert.equal(all.length, 12);
      for (const scenario of all) {
        assert.equal(await scenario.probe(client), undefined, scenario.key);
        // A second probe of the toggling scenarios must flip the state back, and still succeed.
        assert.equal(await scenario.probe(client), undefined, `${scenario.key}, again`);
      }
    });

    test('the cycle can look users up by userName instead', async () => {
      const other = new ScimClient(server.origin, (await newTenant(server.services, 'Fabrikam')).token, 2);
      const { figures } = await seedEntraCycle(other, 'cafe0042', 5, 2, 'userName');
      other.close();
      assert.equal(figures.matchAttribute, 'userName');
      assert.equal(figures.users, 5);
    });
  });
}
