import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCliInProcess } from '../helpers/cli.js';
import { type ConsoleRig, linkOf, openConsole, PASSWORD } from '../helpers/console.js';
import { testStores } from '../helpers/stores.js';

/** What a stack trace or an internal error looks like in a page. */
const LEAKS = /\bat [\w.<>]+ \(|node:internal|\.ts:\d+|TypeError|ReferenceError|SQLITE_|"statusCode"|"schemas"/;

/*
 * The console's door in a real Chromium: accounts from the CLI, sign-in, throttling, CSRF,
 * sign-out, and errors that never show their insides. console-orgs.test.ts drives the pages behind it.
 */
for (const backend of testStores()) {
  describe(`support console sign-in in Chromium on ${backend.name}`, () => {
    let rig: ConsoleRig;
    before(async () => {
      rig = await openConsole(backend);
    });
    after(async () => {
      await rig?.close();
    });

    test('a staff account from the CLI sets its password through the link once, then signs in', async () => {
      const created = await runCliInProcess(rig.server.databaseUrl, [
        'admin',
        'create',
        '--email',
        'Ann@Example.com',
        '--base-url',
        rig.server.origin,
      ]);
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stdout, /valid until \d{4}-/);
      const link = linkOf(created.stdout);
      const again = await runCliInProcess(rig.server.databaseUrl, ['admin', 'create', '--email', 'ann@example.com']);
      assert.notEqual(again.code, 0, 'one account per e-mail, ignoring case');

      const response = await rig.page.goto(link);
      assert.equal(response?.status(), 200);
      const headers = response?.headers() ?? {};
      assert.match(headers['content-security-policy'] ?? '', /default-src 'self'/);
      assert.match(headers['content-security-policy'] ?? '', /frame-ancestors 'none'/);
      assert.equal(headers['referrer-policy'], 'no-referrer');
      assert.equal(headers['cache-control'], 'no-store');
      assert.equal(headers['x-content-type-options'], 'nosniff');
      await rig.page.fill('input[name=password]', 'short');
      await rig.page.fill('input[name=confirm]', 'short');
      // The browser's own minlength check keeps the form; the server refuses it too (below).
      await rig.page.fill('input[name=password]', PASSWORD);
      await rig.page.fill('input[name=confirm]', PASSWORD);
      await rig.page.click('button[type=submit]');
      await rig.page.waitForURL(/\/admin\/sign-in$/);

      const reused = await rig.page.goto(link);
      assert.equal(reused?.status(), 410);
      assert.match((await rig.page.textContent('main')) ?? '', /used on/);

      const listed = await runCliInProcess(rig.server.databaseUrl, ['admin', 'list', '--json']);
      assert.equal(JSON.parse(listed.stdout)[0].state, 'active');

      await rig.signIn(rig.page, 'ann@example.com', PASSWORD);
      await rig.page.waitForURL(/\/admin\/orgs$/);
      assert.equal(await rig.page.textContent('.who'), 'Ann@Example.com');
      const [cookie] = (await rig.staff.cookies()).filter((c) => c.name === 'pscim_session');
      assert.ok(cookie, 'a session cookie');
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, 'Strict');
      assert.equal(cookie.secure, false, 'plain HTTP on loopback: Secure would never be sent back');
      assert.equal(cookie.expires, -1, 'a browser-session cookie: the database decides when it ends');
    });

    test('a short password is refused by the server too, and the link still works after it', async () => {
      const created = await runCliInProcess(rig.server.databaseUrl, [
        'admin',
        'create',
        '--email',
        'short@example.com',
        '--base-url',
        rig.server.origin,
      ]);
      const link = linkOf(created.stdout);
      const context = await rig.browser.newContext();
      const p = await context.newPage();
      await p.goto(link);
      const form = await p.inputValue('input[name=_csrf]');
      const refused = await p.request.post(link, { form: { _csrf: form, password: 'short', confirm: 'short' } });
      assert.equal(refused.status(), 400);
      assert.match(await refused.text(), /at least 12 characters/);
      assert.equal((await p.goto(link))?.status(), 200, 'a refused password does not use the link');
      await context.close();
    });

    test('wrong passwords are throttled: then even the right one gets "try again in N minutes"', async () => {
      const context = await rig.browser.newContext();
      await rig.newStaff('bob@example.com', context);
      const p = await context.newPage();
      for (let i = 0; i < 5; i++) {
        await rig.signIn(p, 'bob@example.com', `wrong password ${i}`);
        assert.match((await p.textContent('[role=alert]')) ?? '', /Wrong e-mail or password/);
      }
      await rig.signIn(p, 'bob@example.com', PASSWORD);
      assert.match((await p.textContent('[role=alert]')) ?? '', /try again in \d+ minutes/);
      assert.ok(!p.url().endsWith('/admin/orgs'));
      const trail = await rig.server.services.auditTrail.list({ limit: 50 });
      assert.ok(trail.filter((e) => e.action === 'staff.signInFailed').length >= 5, 'failures are in the trail');
      assert.ok(trail.some((e) => e.action === 'staff.signInThrottled'));
      assert.ok(trail.some((e) => e.action === 'staff.signedIn' && e.actorLabel === 'Ann@Example.com'));
      await context.close();
    });

    test('a POST without the CSRF token, or from another site, is refused and changes nothing', async () => {
      const before = (await rig.server.services.organizations.list()).length;
      const noToken = await rig.page.request.post(`${rig.server.origin}/admin/orgs`, { form: { name: 'Forged' } });
      assert.equal(noToken.status(), 403);
      assert.match(noToken.headers()['content-type'] ?? '', /^text\/html/);
      await rig.page.goto(`${rig.server.origin}/admin/orgs`);
      const csrf = await rig.page.inputValue('form[method=post][action="/admin/orgs"] input[name=_csrf]');
      const wrongToken = await rig.page.request.post(`${rig.server.origin}/admin/orgs`, {
        form: { _csrf: `${csrf.slice(0, -2)}xx`, name: 'Forged' },
      });
      assert.equal(wrongToken.status(), 403);
      const crossSite = await rig.page.request.post(`${rig.server.origin}/admin/orgs`, {
        form: { _csrf: csrf, name: 'Forged' },
        headers: { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
      });
      assert.equal(crossSite.status(), 403);
      assert.equal((await rig.server.services.organizations.list()).length, before);
      const signedOut = await rig.browser.newContext();
      const anonymous = await signedOut.request.post(`${rig.server.origin}/admin/orgs`, {
        form: { _csrf: csrf, name: 'Forged' },
      });
      assert.equal(anonymous.status(), 401);
      await signedOut.close();
      assert.equal((await rig.server.services.organizations.list()).length, before);
    });

    test('no page leaks a stack trace, whatever is asked', async () => {
      const probes = [
        '/admin/orgs/not-an-org',
        `/admin/orgs?after=${'x'.repeat(300)}`,
        `/admin/orgs?q=${'x'.repeat(300)}`,
        '/admin/orgs/%E0%A4%A',
        '/admin/nowhere',
        '/admin/set-password/not-a-link',
        '/setup/',
        `/setup/${'a'.repeat(500)}`,
      ];
      for (const path of probes) {
        const response = await rig.page.goto(`${rig.server.origin}${path}`);
        const status = response?.status() ?? 0;
        assert.ok(status >= 400 && status < 500, `${path}: ${status}`);
        assert.match(response?.headers()['content-type'] ?? '', /^text\/html/, path);
        assert.doesNotMatch(await rig.page.content(), LEAKS, path);
      }
      const malformed = await rig.page.request.post(`${rig.server.origin}/admin/orgs`, {
        headers: { 'content-type': 'application/json' },
        data: '{"name": ',
      });
      assert.ok(malformed.status() >= 400 && malformed.status() < 500);
      assert.doesNotMatch(await malformed.text(), LEAKS);
    });

    test('sign-out ends the session in the database: the old cookie no longer opens a page', async () => {
      const [cookie] = (await rig.staff.cookies()).filter((c) => c.name === 'pscim_session');
      await rig.page.goto(`${rig.server.origin}/admin/orgs`);
      await rig.page.click('form.signout button[type=submit]');
      await rig.page.waitForURL(/\/admin\/sign-in$/);
      const replay = await rig.browser.newContext();
      await replay.addCookies([{ ...(cookie as NonNullable<typeof cookie>) }]);
      const p = await replay.newPage();
      await p.goto(`${rig.server.origin}/admin/orgs`);
      assert.match(p.url(), /\/admin\/sign-in/);
      await replay.close();
    });
  });
}
