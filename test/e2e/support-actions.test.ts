import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCliInProcess } from '../helpers/cli.js';
import { type RunningServer, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
/** The CLI names its operator by SUDO_USER when set: the trail and the events must say this. */
const OPERATOR = 'support-jane';

// biome-ignore lint/suspicious/noExplicitAny: CLI JSON is asserted field by field
type Json = any;

/**
 * Issue 10 §3: support finds and fixes users and organizations from the CLI, through the same
 * use cases as SCIM, each action with its directory event and its audit-trail entry.
 */
for (const backend of testStores()) {
  describe(`support actions on ${backend.name}`, () => {
    let server: RunningServer;
    let savedSudoUser: string | undefined;
    before(async () => {
      savedSudoUser = process.env.SUDO_USER;
      process.env.SUDO_USER = OPERATOR;
      server = await startServer(backend);
    });
    after(async () => {
      await server.close();
      if (savedSudoUser === undefined) delete process.env.SUDO_USER;
      else process.env.SUDO_USER = savedSudoUser;
    });

    // The server batches read and refusal log entries (written within 50 ms); another process reading
    // the log waits for that batch, here deterministically.
    const cli = async (...args: string[]) => {
      await server.services.log.flush();
      return runCliInProcess(server.databaseUrl, args);
    };
    const json = async (...args: string[]): Promise<Json> => {
      const out = await cli(...args, '--json');
      assert.equal(out.code, 0, `${args.join(' ')}: ${out.stderr}`);
      return JSON.parse(out.stdout);
    };
    async function tenant(name: string): Promise<{ orgId: string; token: string; tokenId: string }> {
      const org = await json('org', 'create', '--name', name);
      const issued = await json('token', 'issue', '--org', org.id);
      return { orgId: org.id, token: issued.token, tokenId: issued.id };
    }
    const scim = (token: string, path: string, init: { method?: string; body?: unknown } = {}) =>
      scimRequest(`${server.scimUrl}${path}`, { token, ...init });
    async function createUser(token: string, userName: string, externalId: string, email = userName) {
      const res = await scim(token, '/Users', {
        method: 'POST',
        body: { schemas: [USER], userName, externalId, emails: [{ value: email, type: 'work', primary: true }] },
      });
      assert.equal(res.status, 201, res.text);
      return res.body.id as string;
    }

    test('user find by e-mail, userName (any case) and externalId; show gives state, link, manager, teams', async () => {
      const t = await tenant('Finders');
      const id = await createUser(t.token, 'Jane.Doe@contoso.com', 'entra-jane', 'jane@contoso.com');
      await createUser(t.token, 'someone.else@contoso.com', 'entra-else');
      const team = await scim(t.token, '/Groups', {
        method: 'POST',
        body: { schemas: [GROUP], displayName: 'Sales', members: [{ value: id }] },
      });
      assert.equal(team.status, 201, team.text);

      for (const value of ['jane.doe@CONTOSO.com', 'JANE@contoso.com', 'entra-jane']) {
        const found = await json('user', 'find', value, '--org', t.orgId);
        assert.deepEqual(
          found.map((u: Json) => u.id),
          [id],
          `find ${value}`,
        );
      }
      assert.deepEqual(await json('user', 'find', 'ENTRA-JANE', '--org', t.orgId), [], 'externalId matches exactly');
      const none = await cli('user', 'find', 'nobody@contoso.com', '--org', t.orgId);
      assert.equal(none.code, 0);
      assert.match(none.stdout, /no user has/);

      const shown = await json('user', 'show', id, '--org', t.orgId);
      assert.equal(shown.state, 'active');
      assert.equal(shown.externalId, 'entra-jane');
      assert.equal(shown.managedBy, 'idp');
      assert.deepEqual(
        shown.teams.map((x: Json) => [x.displayName, x.type]),
        [['Sales', 'direct']],
      );
      const table = await cli('user', 'show', id, '--org', t.orgId);
      assert.match(table.stdout, /managed by:\s+the IdP/);
      assert.match(table.stdout, /last change:/);
      const missing = await cli('user', 'show', 'no-such-user', '--org', t.orgId);
      assert.equal(missing.code, 3);
    });

    test('deactivate: SCIM GET says active false, and the event and the trail say who did it', async () => {
      const t = await tenant('Deactivators');
      const id = await createUser(t.token, 'leaver@contoso.com', 'entra-leaver');
      const done = await json('user', 'deactivate', id, '--org', t.orgId);
      assert.equal(done.changed, true);
      const got = await scim(t.token, `/Users/${id}`);
      assert.equal(got.status, 200);
      assert.equal(got.body.active, false);

      const events = await server.store.events.list(t.orgId, 0, 100);
      const event = events.find((e) => e.type === 'user.deactivated');
      assert.ok(event, 'a user.deactivated event');
      assert.deepEqual(event.actor, { kind: 'cli', operator: OPERATOR });
      const [entry] = await json('audit', '--org', t.orgId, '--action', 'user.deactivated');
      assert.equal(entry.actor, OPERATOR);
      assert.equal(entry.targetId, id);
      assert.equal(entry.requestId, event.requestId, 'one command, one request id');

      const again = await json('user', 'deactivate', id, '--org', t.orgId);
      assert.equal(again.changed, false, 'nothing to do the second time');
      assert.equal(
        (await server.store.events.list(t.orgId, 0, 100)).filter((e) => e.type === 'user.deactivated').length,
        1,
      );

      assert.equal((await json('user', 'reactivate', id, '--org', t.orgId)).changed, true);
      assert.equal((await scim(t.token, `/Users/${id}`)).body.active, true);
      const log = await json('log', '--org', t.orgId, '--resource', id);
      assert.ok(
        log.some((e: Json) => e.method === 'CLI' && /deactivated by support/.test(e.summary)),
        'the provisioning log tells the user story',
      );
    });

    test('unlink: the IdP, reconnected with a new externalId, links the same account by userName', async () => {
      const t = await tenant('Reconnectors');
      const id = await createUser(t.token, 'stale@contoso.com', 'old-app-object');
      const body = { schemas: [USER], userName: 'stale@contoso.com', externalId: 'new-app-object' };
      const refused = await scim(t.token, '/Users', { method: 'POST', body });
      assert.equal(refused.status, 409, 'the stale link holds the name');

      const unlinked = await json('user', 'unlink', id, '--org', t.orgId);
      assert.equal(unlinked.changed, true);
      assert.equal(unlinked.externalId, null);
      assert.equal(unlinked.managedBy, 'parallel');
      const linked = await scim(t.token, '/Users', { method: 'POST', body });
      assert.equal(linked.status, 201, linked.text);
      assert.equal(linked.body.id, id, 'the same account, the same history');
      assert.equal(linked.body.externalId, 'new-app-object');
      const [entry] = await json('audit', '--org', t.orgId, '--action', 'user.unlinked');
      assert.equal(entry.detail.previousExternalId, 'old-app-object');
    });

    test('erase asks for the userName, then leaves nothing of the user', async () => {
      const t = await tenant('Erasers');
      const id = await createUser(t.token, 'gone@contoso.com', 'entra-gone');
      const team = await scim(t.token, '/Groups', {
        method: 'POST',
        body: { schemas: [GROUP], displayName: 'Ops', members: [{ value: id }] },
      });
      const wrong = await cli('user', 'erase', id, '--org', t.orgId, '--confirm', 'someone@contoso.com');
      assert.equal(wrong.code, 2);
      assert.match(wrong.stderr, /--confirm "gone@contoso.com"/);
      assert.equal((await scim(t.token, `/Users/${id}`)).status, 200, 'a wrong confirmation changes nothing');
      const missing = await cli('user', 'erase', id, '--org', t.orgId);
      assert.notEqual(missing.code, 0, 'no confirmation, no erase');

      assert.equal((await cli('user', 'erase', id, '--org', t.orgId, '--confirm', 'GONE@contoso.com')).code, 0);
      assert.equal((await scim(t.token, `/Users/${id}`)).status, 404);
      assert.equal((await cli('user', 'show', id, '--org', t.orgId)).code, 3, 'not even a retained account');
      const [erased] = await json('audit', '--org', t.orgId, '--action', 'user.erased');
      assert.equal(erased.targetId, id);
      assert.ok(!JSON.stringify(erased).includes('gone@contoso.com'), 'the trail keeps the id, not the person');
      assert.deepEqual(await json('user', 'find', 'gone@contoso.com', '--org', t.orgId), []);
      const group = await scim(t.token, `/Groups/${team.body.id}`);
      assert.deepEqual(group.body.members ?? [], [], 'its memberships went with it');
      const types = (await server.store.events.list(t.orgId, 0, 100)).map((e) => e.type);
      assert.ok(types.includes('team.member_removed') && types.includes('user.deleted'), types.join());
      const again = await scim(t.token, '/Users', {
        method: 'POST',
        body: { schemas: [USER], userName: 'gone@contoso.com', externalId: 'entra-gone' },
      });
      assert.equal(again.status, 201, 'the name and externalId are free');
      assert.notEqual(again.body.id, id);
    });

    test('audit lists each action with its operator, filtered by organization, actor and action', async () => {
      const t = await tenant('Audited');
      assert.equal(
        (await cli('org', 'set', t.orgId, '--scim', 'off', '--delete', 'erase', '--name', 'Audited2')).code,
        0,
      );
      assert.equal((await cli('token', 'revoke', t.tokenId)).code, 0);
      const entries = await json('audit', '--org', t.orgId);
      assert.deepEqual(entries.map((e: Json) => e.action).sort(), [
        'org.created',
        'org.deleteModeChanged',
        'org.renamed',
        'org.scimDisabled',
        'token.issued',
        'token.revoked',
      ]);
      assert.ok(entries.every((e: Json) => e.actor === OPERATOR && e.actorKind === 'cli'));
      assert.ok(
        entries.every((e: Json) => !JSON.stringify(e).includes('pscim_') || e.detail.hint),
        'never a secret',
      );
      assert.deepEqual(
        (await json('audit', '--org', t.orgId, '--actor', 'somebody-else')).length,
        0,
        'the actor filter narrows',
      );
      const table = await cli('audit', '--org', t.orgId, '--since', '1h');
      assert.match(table.stdout, new RegExp(`cli:${OPERATOR}\\s+token\\.revoked`));
      assert.equal((await cli('audit', '--limit', '0')).code, 2);
    });

    test('org delete: SCIM stops, every row goes, another organization is untouched, the trail keeps it', async () => {
      const doomed = await tenant('Doomed');
      const kept = await tenant('Kept');
      for (const t of [doomed, kept]) {
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) ids.push(await createUser(t.token, `u${i}@example.com`, `ext-${i}`));
        const team = await scim(t.token, '/Groups', {
          method: 'POST',
          body: { schemas: [GROUP], displayName: 'All', members: ids.map((value) => ({ value })) },
        });
        assert.equal(team.status, 201);
      }
      const refused = await cli('org', 'delete', '--org', doomed.orgId, '--confirm', 'doomed');
      assert.equal(refused.code, 2, 'the name exactly');
      assert.equal((await scim(doomed.token, '/Users')).status, 200, 'a refused delete changes nothing');

      const done = await json('org', 'delete', '--org', doomed.orgId, '--confirm', 'Doomed');
      assert.equal(done.tokensRevoked, 1);
      assert.ok(done.rowsDeleted > 20, `rows deleted: ${done.rowsDeleted}`);
      assert.equal((await scim(doomed.token, '/Users')).status, 401);
      assert.equal(await server.store.getOrg(doomed.orgId), undefined);
      assert.deepEqual(await server.store.listTokens(doomed.orgId), []);
      assert.deepEqual(await server.logEntries(doomed.orgId, { limit: 10 }), []);
      assert.deepEqual(await server.store.events.list(doomed.orgId, 0, 10), []);
      const rows = { sortOrder: 'ascending', offset: 0, limit: 10 } as const;
      assert.equal((await server.store.listUsers(doomed.orgId, { ...rows, withDeleted: true })).total, 0);
      assert.equal((await server.store.listTeams(doomed.orgId, rows)).total, 0);

      const users = await scim(kept.token, '/Users');
      assert.equal(users.status, 200);
      assert.equal(users.body.totalResults, 5, 'another organization keeps its users');
      assert.equal((await scim(kept.token, '/Groups')).body.Resources[0].members.length, 5);
      assert.ok((await server.logEntries(kept.orgId, { limit: 100 })).length > 0);

      const [entry] = await json('audit', '--org', doomed.orgId, '--action', 'org.deleted');
      assert.equal(entry.actor, OPERATOR);
      assert.equal(entry.detail.name, 'Doomed');
      assert.equal((await cli('org', 'show', doomed.orgId)).code, 3);
    });

    test('the store purges an organization in batches no larger than asked', async () => {
      const t = await tenant('Batched');
      for (let i = 0; i < 4; i++) await createUser(t.token, `b${i}@example.com`, `b-${i}`);
      const sizes: number[] = [];
      for (let n = await server.store.purgeOrg(t.orgId, 3); n > 0; n = await server.store.purgeOrg(t.orgId, 3)) {
        sizes.push(n);
        assert.ok(sizes.length < 100, 'the purge ends');
      }
      assert.ok(
        sizes.every((n) => n <= 3),
        sizes.join(),
      );
      assert.ok(sizes.length >= 4, 'several batches');
      assert.equal(await server.store.getOrg(t.orgId), undefined);
    });

    test('external ref: unique with an error naming the holder, findable, settable and clearable', async () => {
      const first = await json('org', 'create', '--name', 'Northwind Traders', '--external-ref', 'acct-42');
      assert.equal(first.externalRef, 'acct-42');
      const clash = await cli('org', 'create', '--name', 'Copycat', '--external-ref', 'acct-42');
      assert.equal(clash.code, 2);
      assert.match(clash.stderr, new RegExp(`acct-42.*${first.id}.*Northwind Traders`));
      assert.equal((await json('org', 'find', 'Copycat')).length, 0, 'a refused create creates nothing');

      for (const value of ['acct-42', 'northwind TRADERS', first.id]) {
        assert.deepEqual(
          (await json('org', 'find', value)).map((o: Json) => o.id),
          [first.id],
          `find ${value}`,
        );
      }
      const list = await cli('org', 'list');
      assert.match(list.stdout, /Northwind Traders\s+acct-42/);

      const other = await json('org', 'create', '--name', 'Other');
      const taken = await cli('org', 'set', other.id, '--external-ref', 'acct-42');
      assert.equal(taken.code, 2);
      assert.match(taken.stderr, /Northwind Traders/);
      assert.equal((await cli('org', 'set', first.id, '--clear-external-ref')).code, 0);
      assert.equal((await json('org', 'set', other.id, '--external-ref', 'acct-42')).externalRef, 'acct-42');
      assert.deepEqual(
        (await json('org', 'find', 'acct-42')).map((o: Json) => o.id),
        [other.id],
      );
      for (const bad of [' ', 'x'.repeat(201), 'a\u0007b']) {
        const refusedRef = await cli('org', 'create', '--name', 'Bad ref', '--external-ref', bad);
        assert.equal(refusedRef.code, 2, JSON.stringify(bad));
        assert.match(refusedRef.stderr, /external ref/);
      }
      assert.deepEqual(await json('org', 'find', 'Bad ref'), []);
      const [changed] = await json('audit', '--org', other.id, '--action', 'org.externalRefChanged');
      assert.deepEqual(changed.detail, { from: null, to: 'acct-42' });
    });

    test('the log table keeps the looked-up value, the user agent and the request id, and neutralises controls', async () => {
      const t = await tenant('Logged');
      const padding = `${'name.givenName,'.repeat(200)}userName`;
      const res = await scimRequest(
        `${server.scimUrl}/Users?attributes=${padding}&filter=${encodeURIComponent('userName eq "needle@contoso.com"')}`,
        // C1 CSI (U+009B) is a byte HTTP lets through, and a terminal obeys like ESC [.
        { token: t.token, headers: { 'user-agent': 'Evil\u009b2JAgent/1.0' } },
      );
      assert.equal(res.status, 200);
      const requestId = res.headers.get('x-request-id');
      assert.ok(requestId);
      const table = await cli('log', '--org', t.orgId, '--method', 'GET');
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /userName eq "needle@contoso\.com"/, 'the filter value is visible');
      assert.ok(table.stdout.includes(requestId), 'the request id is shown');
      assert.ok(table.stdout.includes('Evil\\u009B2JAgent/1.0'), 'the user agent is shown, escaped');
      assert.ok(!table.stdout.includes('\u009b'), 'no raw control character reaches the terminal');
      const [entry] = await json('log', '--org', t.orgId, '--request-id', requestId);
      assert.ok(entry.path.length <= 2000, 'the stored path is clipped');
      assert.ok(entry.path.endsWith('userName eq "needle@contoso.com"'), 'in the middle, never at the end');
    });
  });
}
