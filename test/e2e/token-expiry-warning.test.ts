import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createServices } from '../../src/services/index.js';
import { DAY_MS } from '../../src/services/token-expiry.js';
import { TEST_OPERATOR } from '../helpers/records.js';
import { type ServiceProcess, spawnService } from '../helpers/service-process.js';
import { scimRequest } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

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
    let service: ServiceProcess | undefined;
    try {
      const services = createServices(db.store);
      const org = await services.organizations.create(TEST_OPERATOR, 'Ending soon');
      const ending = await services.tokens.issue(TEST_OPERATOR, org.id, {
        expiresInMs: 10 * DAY_MS,
        label: 'Entra production',
      });
      const yearLong = await services.tokens.issue(TEST_OPERATOR, org.id, { label: 'Okta' });
      service = await spawnService({ databaseUrl: db.databaseUrl, logs: true, env: { LOG_LEVEL: 'warn' } });
      const isWarning = (l: Json) => l.level === 40 && typeof l.daysLeft === 'number';

      const base = service.origin;
      for (let i = 0; i < 3; i++) {
        const res = await scimRequest(`${base}/scim/v2/Users`, { token: ending.token });
        assert.equal(res.status, 200);
      }
      assert.equal((await scimRequest(`${base}/scim/v2/Users`, { token: yearLong.token })).status, 200);
      await service.line(isWarning, 'the warning');

      // Everything the process logged is out once it has exited.
      await service.stop();
      const [warning, ...more]: Json[] = service.lines.filter(isWarning);
      assert.deepEqual(more, [], 'one warning for three uses within the hour, none for the other token');
      assert.equal(warning.orgId, org.id);
      assert.equal(warning.tokenId, ending.record.id);
      assert.equal(warning.label, 'Entra production');
      assert.equal(warning.expiresAt, new Date(ending.record.expiresAt ?? 0).toISOString());
      assert.equal(warning.daysLeft, 10, 'to the nearest day');
      assert.match(warning.msg, /expires in \d+ days: rotate it \(parallel-scim token rotate --token \S+\)/);
      const all = service.output;
      assert.ok(!all.includes(ending.token) && !all.includes(yearLong.token), 'no secret anywhere in the log');
    } finally {
      await service?.stop('SIGKILL');
      await db.close();
    }
  });
}
