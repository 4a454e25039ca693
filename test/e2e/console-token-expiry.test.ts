import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DAY_MS, DEFAULT_TOKEN_LIFETIME_MS } from '../../src/services/token-expiry.js';
import { type ConsoleRig, openConsole, PASSWORD } from '../helpers/console.js';
import { testStores } from '../helpers/stores.js';

/** Token lifetimes as support chooses them in the console, in a real Chromium (issue 12 item 4). */
for (const backend of testStores()) {
  describe(`token lifetimes in the console on ${backend.name}`, () => {
    let rig: ConsoleRig;
    before(async () => {
      rig = await openConsole(backend);
      await rig.newStaff('Bea@Example.com', rig.staff);
      await rig.signIn(rig.page, 'bea@example.com', PASSWORD);
      await rig.page.waitForURL(/\/admin\/orgs$/);
    });
    after(async () => {
      await rig?.close();
    });

    test('a token lasts a year unless "never" is chosen; the list shows the time left; a rotation picks its own', async () => {
      const org = await rig.newOrg('Lifetimes Ltd');
      const issued = async (label: string, lifetime: string) => {
        await rig.page.goto(org.url);
        await rig.page.fill('form[action$="/tokens"] input[name=label]', label);
        await rig.page.selectOption('form[action$="/tokens"] select[name=expiresIn]', lifetime);
        await rig.page.click('form[action$="/tokens"] button[type=submit]');
        return (await rig.page.textContent('main')) ?? '';
      };
      const started = Date.now();
      assert.match(await issued('entra', ''), /issued, expires \d{4}-\d\d-\d\d/);
      assert.match(await issued('legacy', 'never'), /issued, never expires/);
      const tokens = await rig.server.services.tokens.list(org.id);
      const byLabel = new Map(tokens.map((t) => [t.label, t]));
      const entra = byLabel.get('entra');
      assert.ok(entra?.expiresAt && entra.expiresAt >= started + DEFAULT_TOKEN_LIFETIME_MS);
      assert.ok(entra.expiresAt <= Date.now() + DEFAULT_TOKEN_LIFETIME_MS);
      assert.equal(byLabel.get('legacy')?.expiresAt, null);

      await rig.page.goto(org.url);
      const row = (label: string) => rig.page.locator('#tokens + table tr', { hasText: label }).first();
      assert.match((await row('entra').textContent()) ?? '', /active.*\(in 365 d\)/s);
      assert.match((await row('legacy').textContent()) ?? '', /active.*never/s);

      // Rotate the never-expiring token, choosing 30 days for its replacement.
      await row('legacy').locator('select[name=expiresIn]').selectOption('30d');
      await row('legacy').locator('select[name=grace]').selectOption('1h');
      await row('legacy').locator('button', { hasText: 'Rotate' }).click();
      assert.match((await rig.page.textContent('main')) ?? '', /this is its replacement, expiring \d{4}-/);
      const listed = await rig.server.services.tokens.list(org.id);
      const replacement = listed.filter((t) => t.label === 'legacy').at(-1);
      assert.ok(replacement?.expiresAt);
      const left = replacement.expiresAt - Date.now();
      assert.ok(left > 29 * DAY_MS && left <= 30 * DAY_MS, `expires in ${left} ms`);
      await rig.page.goto(org.url);
      assert.match(
        (await rig.page.locator('#tokens + table tr', { hasText: 'legacy' }).last().textContent()) ?? '',
        /active, expires soon.*\(in 30 d\)/s,
      );
    });
  });
}
