import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { freePort } from '../../scripts/embedded-postgres.mjs';
import { createServices } from '../../src/services/index.js';
import { DAY_MS } from '../../src/services/token-expiry.js';
import { TEST_OPERATOR } from '../helpers/records.js';
import { scimRequest } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const MAIN = join(import.meta.dirname, '..', '..', 'src', 'main.ts');

// biome-ignore lint/suspicious/noExplicitAny: log lines are asserted field by field
type Json = any;

/**
 * The service log's warning about a token that ends within 30 days, from the real service as its
 * own process (its log is its stdout): the first use warns, with what names the token and never
 * the secret; the uses after it within the hour do not.
 */
for (const backend of testStores()) {
  test(`a token used within 30 days of its end is warned about once in the service log (${backend.name})`, async () => {
    const db = await backend.open();
    let child: ChildProcess | undefined;
    try {
      const services = createServices(db.store);
      const org = await services.organizations.create(TEST_OPERATOR, 'Ending soon');
      const ending = await services.tokens.issue(TEST_OPERATOR, org.id, {
        expiresInMs: 10 * DAY_MS,
        label: 'Entra production',
      });
      const yearLong = await services.tokens.issue(TEST_OPERATOR, org.id, { label: 'Okta' });
      const port = await freePort();
      child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
        env: { ...process.env, DATABASE_URL: db.databaseUrl, PORT: String(port), LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const lines: Json[] = [];
      const raw: string[] = [];
      let onLine: (() => void) | undefined;
      const stdout = child.stdout;
      assert.ok(stdout);
      createInterface({ input: stdout }).on('line', (line) => {
        raw.push(line);
        try {
          lines.push(JSON.parse(line));
        } catch {
          // not a log line
        }
        onLine?.();
      });
      const exited = once(child, 'exit');
      const warnings = () => lines.filter((l) => l.level === 40 && typeof l.daysLeft === 'number');
      const until = (done: () => boolean, what: string) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 30_000);
          onLine = () => {
            if (done()) {
              clearTimeout(timer);
              resolve();
            }
          };
          onLine();
        });

      const base = `http://127.0.0.1:${port}`;
      for (let i = 0; ; i++) {
        try {
          if ((await fetch(`${base}/readyz`)).ok) break;
        } catch {
          // not listening yet
        }
        assert.ok(i < 300, 'the service became ready');
        await new Promise((r) => setTimeout(r, 100));
      }
      for (let i = 0; i < 3; i++) {
        const res = await scimRequest(`${base}/scim/v2/Users`, { token: ending.token });
        assert.equal(res.status, 200);
      }
      assert.equal((await scimRequest(`${base}/scim/v2/Users`, { token: yearLong.token })).status, 200);
      await until(() => warnings().length > 0, 'the warning');

      // Everything the process logged is out once it has exited.
      child.kill('SIGTERM');
      await exited;
      child = undefined;
      const [warning, ...more] = warnings();
      assert.deepEqual(more, [], 'one warning for three uses within the hour, none for the other token');
      assert.equal(warning.orgId, org.id);
      assert.equal(warning.tokenId, ending.record.id);
      assert.equal(warning.label, 'Entra production');
      assert.equal(warning.expiresAt, new Date(ending.record.expiresAt ?? 0).toISOString());
      assert.equal(warning.daysLeft, 10, 'to the nearest day');
      assert.match(warning.msg, /expires in \d+ days: rotate it \(parallel-scim token rotate --token \S+\)/);
      const all = raw.join('\n');
      assert.ok(!all.includes(ending.token) && !all.includes(yearLong.token), 'no secret anywhere in the log');
    } finally {
      child?.kill('SIGKILL');
      await db.close();
    }
  });
}
