import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ConsoleRig, openConsole, PASSWORD } from '../helpers/console.js';
import { scimRequest } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
/** Markup a hostile IdP admin might put in a name; each would set window.__xss or open a dialog if run. */
const XSS = [
  '<script>window.__xss = "script"; alert(1)</script>',
  '<img src=x onerror="window.__xss = \'img\'; alert(2)">',
  '"><svg onload="alert(3)">',
];

/** Organizations, tokens, setup links and webhooks, driven through the console in a real Chromium. */
for (const backend of testStores()) {
  describe(`support console organizations in Chromium on ${backend.name}`, () => {
    let rig: ConsoleRig;
    before(async () => {
      rig = await openConsole(backend);
      await rig.newStaff('Ann@Example.com', rig.staff);
      await rig.signIn(rig.page, 'ann@example.com', PASSWORD);
      await rig.page.waitForURL(/\/admin\/orgs$/);
    });

    const users = () => `${rig.server.scimUrl}/Users`;
    after(async () => {
      await rig?.close();
    });

    test('organizations are found by name, id or external ref, paged, and their settings saved', async () => {
      await rig.page.goto(`${rig.server.origin}/admin/orgs`);
      await rig.page.fill('form[method=post][action="/admin/orgs"] input[name=name]', 'Woodgrove Bank');
      await rig.page.fill('form[method=post][action="/admin/orgs"] input[name=externalRef]', 'par-7781');
      await rig.page.click('form[method=post][action="/admin/orgs"] button[type=submit]');
      await rig.page.waitForURL(/\/admin\/orgs\/[\w-]+$/);
      const id = rig.page.url().split('/').at(-1) ?? '';
      for (const q of ['par-7781', id, 'woodgrove bank']) {
        await rig.page.goto(`${rig.server.origin}/admin/orgs?q=${encodeURIComponent(q)}`);
        assert.deepEqual(await rig.page.locator('tbody tr td:first-child').allTextContents(), ['Woodgrove Bank'], q);
      }
      for (let i = 0; i < 50; i++) await rig.server.services.organizations.create({ kind: 'cli' }, `Filler ${i}`);
      await rig.page.goto(`${rig.server.origin}/admin/orgs`);
      assert.equal(await rig.page.locator('tbody tr').count(), 50);
      const firstPage = await rig.page.locator('tbody tr td:last-child').allTextContents();
      await rig.page.click('.pager a:has-text("Next")');
      assert.match(rig.page.url(), /after=/);
      const secondPage = await rig.page.locator('tbody tr td:last-child').allTextContents();
      assert.ok(secondPage.length >= 1);
      assert.deepEqual(
        secondPage.filter((id) => firstPage.includes(id)),
        [],
        'the second page continues after the first',
      );

      await rig.page.goto(`${rig.server.origin}/admin/orgs/${id}`);
      await rig.page.selectOption('select[name=scim]', 'off');
      await rig.page.selectOption('select[name=deleteMode]', 'erase');
      await rig.page.click('form[action$="/settings"] button[type=submit]');
      await rig.page.waitForURL(/\/admin\/orgs\/[\w-]+$/);
      assert.match((await rig.page.textContent('.notice')) ?? '', /saved/);
      const saved = await rig.server.services.organizations.get(id);
      assert.equal(saved.scimEnabled, false);
      assert.equal(saved.deleteMode, 'erase');
    });

    test('a token issued in the console works on SCIM until it is revoked there', async () => {
      const org = await rig.newOrg('Contoso');
      const token = await rig.issueToken(org.url);
      assert.match(token, /^pscim_/);
      assert.equal((await scimRequest(users(), { token })).status, 200);
      await rig.page.goto(org.url);
      assert.ok(!((await rig.page.content()) ?? '').includes(token), 'the secret is shown on the next page only');
      await rig.page.click('form[action$="/revoke"] button[type=submit]');
      await rig.page.waitForURL(/\/admin\/orgs\/[\w-]+(#tokens)?$/);
      assert.match((await rig.page.textContent('.notice')) ?? '', /revoked/);
      assert.equal((await scimRequest(users(), { token })).status, 401);
      const trail = await rig.server.services.auditTrail.list({ orgId: org.id, limit: 50 });
      const revoked = trail.find((e) => e.action === 'token.revoked');
      assert.equal(revoked?.actorKind, 'staff');
      assert.equal(revoked?.actorLabel, 'Ann@Example.com');
      // Support asks for a colleague's actions by e-mail as they type it, in any case.
      const byEmail = await rig.server.services.auditTrail.list({ actorLabel: 'ANN@example.COM', limit: 500 });
      assert.ok(byEmail.some((e) => e.id === revoked?.id));
      assert.ok(byEmail.every((e) => e.actorLabel === 'Ann@Example.com'));
    });

    test('a rotated token keeps the old one working for the chosen grace', async () => {
      const org = await rig.newOrg('Fabrikam');
      const old = await rig.issueToken(org.url);
      await rig.page.goto(org.url);
      await rig.page.selectOption('select[name=grace]', '1h');
      await rig.page.click('form[action$="/rotate"] button[type=submit]');
      const replacement = ((await rig.page.textContent('[data-testid=token-secret]')) ?? '').trim();
      assert.notEqual(replacement, old);
      assert.equal((await scimRequest(users(), { token: replacement })).status, 200);
      assert.equal((await scimRequest(users(), { token: old })).status, 200, 'still within its grace');
      const [previous] = (await rig.server.services.tokens.list(org.id)).filter((t) => t.expiresAt !== null);
      assert.ok(previous?.expiresAt && previous.expiresAt - Date.now() <= 3_600_000 + 5_000);
    });

    test('a setup link shows a new token once; opened again it says it was used', async () => {
      const org = await rig.newOrg('Northwind');
      await rig.page.goto(org.url);
      await rig.page.click('form[action$="/setup-links"] button[type=submit]');
      const link = ((await rig.page.textContent('[data-testid=setup-link]')) ?? '').trim();
      assert.match(link, /\/setup\/[\w-]+$/);
      const customer = await rig.browser.newContext();
      const p = await customer.newPage();
      const first = await p.goto(link);
      assert.equal(first?.status(), 200);
      assert.equal(first?.headers()['referrer-policy'], 'no-referrer');
      assert.equal(first?.headers()['cache-control'], 'no-store');
      assert.equal(((await p.textContent('[data-testid=tenant-url]')) ?? '').trim(), rig.server.scimUrl);
      assert.match((await p.textContent('main')) ?? '', /Test connection/);
      const token = ((await p.textContent('[data-testid=setup-token]')) ?? '').trim();
      assert.equal((await scimRequest(users(), { token })).status, 200);
      const second = await p.goto(link);
      assert.equal(second?.status(), 410);
      assert.match((await p.textContent('main')) ?? '', /was used on/);
      assert.ok(!(await p.content()).includes(token));
      assert.equal((await p.goto(`${rig.server.origin}/setup/not-a-link`))?.status(), 404);
      await customer.close();
      const actions = (await rig.server.services.auditTrail.list({ orgId: org.id, limit: 50 })).map((e) => e.action);
      assert.ok(actions.includes('setupLink.created') && actions.includes('setupLink.used'), actions.join());
    });

    test("an organization's webhooks show their state and are disabled and enabled from the console", async () => {
      const org = await rig.newOrg('Hooked');
      const added = await rig.server.services.webhooks.add(
        { kind: 'cli', operator: 'test' },
        { url: 'http://127.0.0.1:9/receiver', orgId: org.id, description: 'Parallel app' },
      );
      await rig.page.goto(`${org.url}/webhooks`);
      assert.match((await rig.page.textContent('table')) ?? '', /127\.0\.0\.1:9\/receiver[\s\S]*enabled/);
      await rig.page.click('form[action$="/disable"] button[type=submit]');
      await rig.page.waitForURL(/\/webhooks$/);
      assert.match((await rig.page.textContent('table')) ?? '', /disabled by Ann@Example\.com/);
      assert.equal((await rig.server.services.webhooks.get(added.webhook.id)).enabled, false);
      await rig.page.click('form[action$="/enable"] button[type=submit]');
      await rig.page.waitForURL(/\/webhooks$/);
      assert.equal((await rig.server.services.webhooks.get(added.webhook.id)).enabled, true);
      const actions = (await rig.server.services.auditTrail.list({ orgId: org.id, limit: 50 })).map((e) => e.action);
      assert.ok(actions.includes('webhook.disabled') && actions.includes('webhook.enabled'), actions.join());
    });

    test('a webhook added in the console: secret once, a signed test ping, its delivery log, rotation, removal', async () => {
      const org = await rig.newOrg('Hooked from the console');
      const receiver = new WebhookReceiver([]);
      await receiver.start();
      try {
        await rig.page.goto(`${org.url}/webhooks`);
        await rig.page.fill('form[action$="/webhooks"] input[name=url]', receiver.url);
        await rig.page.fill('form[action$="/webhooks"] input[name=description]', 'the Parallel app');
        await rig.page.click('form[action$="/webhooks"] button[type=submit]');
        const secret = (await rig.page.textContent('[data-testid=webhook-secret]'))?.trim() ?? '';
        assert.match(secret, /^whsec_/);
        receiver.secrets = [secret];
        const [hook] = await rig.server.services.webhooks.list({ orgId: org.id });
        assert.equal(hook?.orgId, org.id);
        await rig.page.goto(`${org.url}/webhooks`);
        // As text, not a pattern: a base64 secret holds `+` and `/`.
        assert.equal((await rig.page.content()).includes(secret), false, 'the secret is shown on its own page only');

        await rig.page.click('form[action$="/test"] button[type=submit]');
        await rig.page.waitForURL(/\/webhooks$/);
        assert.match((await rig.page.textContent('body')) ?? '', /Test ping delivered: the receiver answered 200/);
        const ping = receiver.received.at(-1);
        assert.equal(ping?.body?.type, 'webhook.test');
        assert.deepEqual(ping?.verifiedBy, [0], 'signed with the secret the console showed');

        await rig.page.click('a:has-text("Delivery log")');
        assert.match((await rig.page.textContent('table')) ?? '', /webhook\.test[\s\S]*200/);

        await rig.page.goto(`${org.url}/webhooks`);
        await rig.page.selectOption('form[action$="/rotate-secret"] select[name=grace]', '1d');
        await rig.page.click('form[action$="/rotate-secret"] button[type=submit]');
        const rotated = (await rig.page.textContent('[data-testid=webhook-secret]'))?.trim() ?? '';
        assert.match(rotated, /^whsec_/);
        assert.notEqual(rotated, secret);
        assert.match((await rig.page.textContent('body')) ?? '', /both signatures until/);

        await rig.page.goto(`${org.url}/webhooks`);
        await rig.page.click('form[action$="/remove"] button[type=submit]');
        await rig.page.waitForURL(/\/webhooks$/);
        assert.deepEqual(await rig.server.services.webhooks.list({ orgId: org.id }), []);
        const actions = (await rig.server.services.auditTrail.list({ orgId: org.id, limit: 50 })).map((e) => e.action);
        for (const action of ['webhook.added', 'webhook.tested', 'webhook.secretRotated', 'webhook.removed']) {
          assert.ok(actions.includes(action), `${action} in ${actions.join()}`);
        }
      } finally {
        await receiver.stop();
      }
    });

    test("a deployment-wide webhook is shown on an organization's page but not removed from it", async () => {
      const org = await rig.newOrg('Sees every-org hook');
      const everyOrg = await rig.server.services.webhooks.add(
        { kind: 'cli', operator: 'test' },
        { url: 'http://127.0.0.1:9/every-org' },
      );
      try {
        await rig.page.goto(`${org.url}/webhooks`);
        assert.match((await rig.page.textContent('table')) ?? '', /every-org[\s\S]*every organization/);
        const row = rig.page.locator('tr', { hasText: 'every-org' });
        assert.equal(await row.locator('form[action$="/remove"]').count(), 0, 'no remove button for it');
        const csrf = (await rig.page.locator('input[name=_csrf]').first().getAttribute('value')) ?? '';
        const forged = await rig.page.request.post(`${org.url}/webhooks/${everyOrg.webhook.id}/remove`, {
          form: { _csrf: csrf },
        });
        assert.equal(forged.status(), 403);
        assert.match(await forged.text(), /changed with the CLI/, 'refused as deployment-wide, not as a bad form');
        assert.ok((await rig.server.services.webhooks.get(everyOrg.webhook.id)).id, 'still there');
      } finally {
        await rig.server.services.webhooks.remove({ kind: 'cli', operator: 'test' }, everyOrg.webhook.id);
      }
    });

    test('markup in SCIM names and an organization name renders as text', async () => {
      const org = await rig.newOrg(XSS[1] ?? '');
      const token = await rig.issueToken(org.url);
      for (const [i, name] of XSS.entries()) {
        const user = await scimRequest(users(), {
          method: 'POST',
          token,
          body: { schemas: [USER], userName: `xss${i}@example.com`, displayName: name, name: { givenName: name } },
        });
        assert.equal(user.status, 201, user.text);
        const team = await scimRequest(`${rig.server.scimUrl}/Groups`, {
          method: 'POST',
          token,
          body: { schemas: [GROUP], displayName: name },
        });
        assert.equal(team.status, 201, team.text);
      }
      for (const path of ['', '/users', '/teams', '/log']) {
        const response = await rig.page.goto(`${org.url}${path}`);
        assert.equal(response?.status(), 200, `${org.url}${path}`);
        assert.equal(
          await rig.page.locator('script, svg, img').count(),
          0,
          `no injected element on ${path || 'the page'}`,
        );
        assert.equal(await rig.page.evaluate(() => (globalThis as { __xss?: unknown }).__xss), undefined);
      }
      await rig.page.goto(`${org.url}/users`);
      assert.ok(((await rig.page.textContent('main')) ?? '').includes('<img src=x'), 'the name is shown, as text');
      await rig.page.goto(`${rig.server.origin}/admin/orgs?q=${encodeURIComponent(XSS[1] ?? '')}`);
      assert.ok(
        ((await rig.page.textContent('tbody')) ?? '').includes(XSS[1] ?? ''),
        'the list shows the name as text',
      );
      assert.equal(await rig.page.locator('script, svg, img').count(), 0);
      assert.deepEqual(rig.dialogs, []);
    });
  });
}
