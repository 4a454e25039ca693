import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from './browser.js';
import { runCliInProcess } from './cli.js';
import { type RunningServer, startServer } from './start-server.js';
import type { TestStore } from './stores.js';

/** The password every console test account gets. */
export const PASSWORD = 'correct horse battery staple';

/** The one-time link a CLI run printed (its last line). */
export function linkOf(stdout: string): string {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  assert.match(line, /^http:\/\/127\.0\.0\.1:\d+\/admin\/set-password\/[\w-]+$/, stdout);
  return line;
}

/**
 * A server on a fresh database and a Chromium in front of it, with one browser context for
 * support (`page`) whose dialogs are recorded, never accepted.
 */
export interface ConsoleRig {
  readonly server: RunningServer;
  readonly browser: Browser;
  readonly staff: BrowserContext;
  readonly page: Page;
  /** Messages of every dialog `page` opened: a script that ran. */
  readonly dialogs: string[];
  /** `admin create` through the CLI, then the printed link opened and a password set in `context`. */
  newStaff(email: string, context: BrowserContext): Promise<void>;
  signIn(p: Page, email: string, password: string): Promise<void>;
  /** A new organization through the console's form; its page's URL and id. */
  newOrg(name: string): Promise<{ url: string; id: string }>;
  /** A token issued from the organization page; the secret the next page showed. */
  issueToken(orgUrl: string): Promise<string>;
  close(): Promise<void>;
}

export async function openConsole(backend: TestStore): Promise<ConsoleRig> {
  const server = await startServer(backend);
  const browser = await launchBrowser().catch(async (error: unknown) => {
    await server.close();
    throw error;
  });
  const staff = await browser.newContext();
  const page = await staff.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const rig: ConsoleRig = {
    server,
    browser,
    staff,
    page,
    dialogs,
    async newStaff(email, context) {
      const created = await runCliInProcess(server.databaseUrl, [
        'admin',
        'create',
        '--email',
        email,
        '--base-url',
        server.origin,
      ]);
      assert.equal(created.code, 0, created.stderr);
      const p = await context.newPage();
      await p.goto(linkOf(created.stdout));
      await p.fill('input[name=password]', PASSWORD);
      await p.fill('input[name=confirm]', PASSWORD);
      await p.click('button[type=submit]');
      await p.waitForURL(/\/admin\/sign-in$/);
      assert.match((await p.textContent('.notice')) ?? '', /Password set/);
      await p.close();
    },
    async signIn(p, email, password) {
      await p.goto(`${server.origin}/admin/sign-in`);
      await p.fill('input[name=email]', email);
      await p.fill('input[name=password]', password);
      await p.click('button[type=submit]');
    },
    async newOrg(name) {
      await page.goto(`${server.origin}/admin/orgs`);
      await page.fill('form[method=post][action="/admin/orgs"] input[name=name]', name);
      await page.click('form[method=post][action="/admin/orgs"] button[type=submit]');
      await page.waitForURL(/\/admin\/orgs\/[\w-]+$/);
      const url = page.url();
      return { url, id: url.split('/').at(-1) ?? '' };
    },
    async issueToken(orgUrl) {
      await page.goto(orgUrl);
      await page.click('form[action$="/tokens"] button[type=submit]');
      return ((await page.textContent('[data-testid=token-secret]')) ?? '').trim();
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
  return rig;
}
