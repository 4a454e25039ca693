// `npm run screenshots`: the console's main pages as docs/console/*.png, from a throwaway SQLite
// database with a small Entra-like sync in it, in the same Chromium the browser tests use.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../test/helpers/browser.js';
import { scimRequest, startServer } from '../test/helpers/start-server.js';
import { testStores } from '../test/helpers/stores.js';

const OUT = join(import.meta.dirname, '..', 'docs', 'console');
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const CLI = { kind: 'cli', operator: 'screenshots' } as const;
const PASSWORD = 'screenshots only, never reused';

const sqlite = testStores().find((s) => s.name === 'sqlite');
if (!sqlite) throw new Error('the screenshots need the SQLite store');
const server = await startServer(sqlite);
const browser = await launchBrowser();
try {
  const { services } = server;
  const link = await services.staff.create('support@parallel.example', CLI);
  await services.staff.setPassword(link.secret, PASSWORD);
  const org = await services.organizations.create(CLI, 'Contoso Ltd', { externalRef: 'par-org-1042' });
  await services.organizations.create(CLI, 'Fabrikam Inc');
  const { token } = await services.tokens.issue(CLI, org.id, { label: 'Entra production' });
  const users = `${server.scimUrl}/Users`;
  const ids: string[] = [];
  for (const [given, family] of [
    ['Adele', 'Vance'],
    ['Alex', 'Wilber'],
    ['Megan', 'Bowen'],
  ] as const) {
    const userName = `${given.toLowerCase()}@contoso.example`;
    const created = await scimRequest(users, {
      method: 'POST',
      token,
      body: { schemas: [USER], userName, externalId: `${given}-oid`, name: { givenName: given, familyName: family } },
    });
    ids.push(created.body.id);
  }
  // A clash, as support sees them: the same userName from a second IdP object.
  await scimRequest(users, {
    method: 'POST',
    token,
    body: { schemas: [USER], userName: 'adele@contoso.example', externalId: 'other-oid' },
  });
  await scimRequest(`${server.scimUrl}/Groups`, {
    method: 'POST',
    token,
    body: { schemas: [GROUP], displayName: 'Sales', members: ids.map((value) => ({ value })) },
  });
  const setup = await services.setupLinks.create(org.id, CLI);
  await services.webhooks.add(CLI, {
    url: 'http://127.0.0.1:9/parallel-events',
    orgId: org.id,
    description: 'Parallel app',
  });

  mkdirSync(OUT, { recursive: true });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const shot = async (p: Page, name: string) => {
    await p.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
    console.log(`docs/console/${name}.png`);
  };
  await page.goto(`${server.origin}/admin/sign-in`);
  await shot(page, 'sign-in');
  await page.fill('input[name=email]', 'support@parallel.example');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/admin\/orgs$/);
  await shot(page, 'organizations');
  const orgPage = `${server.origin}/admin/orgs/${org.id}`;
  for (const [path, name] of [
    ['', 'organization'],
    ['/log', 'log'],
    ['/users', 'users'],
    ['/teams', 'teams'],
    ['/health', 'health'],
    ['/webhooks', 'webhooks'],
  ] as const) {
    const response = await page.goto(`${orgPage}${path}`);
    if (response?.status() !== 200) throw new Error(`${orgPage}${path} answered ${response?.status()}`);
    await shot(page, name);
  }
  await page.goto(`${server.origin}/admin/audit`);
  await shot(page, 'audit');
  const customer = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await customer.goto(`${server.origin}/setup/${setup.secret}`);
  await shot(customer, 'setup-link');
} finally {
  await browser.close();
  await server.close();
}
