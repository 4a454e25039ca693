import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCliInProcess } from '../../../test/helpers/cli.js';
import { testStores } from '../../../test/helpers/stores.js';
import { type Audit, createServices, type OrgRecord, type Services } from '../../services/index.js';

for (const backend of testStores()) {
  describe(`org health on ${backend.name}`, () => {
    let db: Awaited<ReturnType<typeof backend.open>>;
    let services: Services;
    let org: OrgRecord;
    before(async () => {
      db = await backend.open();
      services = createServices(db.store);
      org = await services.organizations.create({ kind: 'cli', operator: 'test' }, 'Contoso');
      const at = Date.now() - 60_000;
      const audit = (i: number): Audit => ({
        org,
        actor: { kind: 'token', tokenId: 'tok-1' },
        requestId: `req-${i}`,
        userAgent: 'Azure-AD-SCIM-Service/1.0',
        origin: { method: 'POST', path: '/scim/v2/Users', startedAt: at + i },
        baseUrl: 'https://scim.example/scim/v2',
      });
      for (let i = 0; i < 18; i++) await services.log.record(audit(i), undefined, { status: 201 });
      for (let i = 18; i < 20; i++) {
        await services.log.record(
          audit(i),
          { resourceType: 'User', resourceId: null, name: 'jane@contoso.test', externalId: null },
          { status: 409, errorCode: 'user.userNameTaken', errorDetail: 'userName "jane@contoso.test" is already used' },
        );
      }
      // The CLI reads through a store of its own: the batched entries are written first.
      await services.log.flush();
    });
    after(async () => {
      await db.close();
    });

    test('prints the verdict, the figures and each frequent error with its cause and remedy', async () => {
      const run = await runCliInProcess(db.databaseUrl, ['org', 'health', '--org', org.id]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stdout,
        /health: +UNHEALTHY\n {2}- 10\.0 % of 20 requests in the last 24 h were refused or failed/,
      );
      assert.match(run.stdout, /last request: +\S+Z 409 POST \/scim\/v2\/Users \(user\.userNameTaken\)/);
      assert.match(run.stdout, /last 24 h: +20 requests, 2 errors \(10\.0 %\), 0 5xx/);
      assert.match(run.stdout, /user\.userNameTaken +409 +2 +\S+ +Another user of the organization already holds/);
      assert.match(run.stdout, /what to do:\n {2}user\.userNameTaken: Find the other user/);
      assert.match(run.stdout, /webhooks: +none/);
    });

    test('--json gives the same report for scripts', async () => {
      const run = await runCliInProcess(db.databaseUrl, ['org', 'health', '--org', org.id, '--json']);
      assert.equal(run.code, 0, run.stderr);
      const report = JSON.parse(run.stdout);
      assert.equal(report.unhealthy, true);
      assert.equal(report.requests, 20);
      assert.equal(report.errors, 2);
      assert.equal(report.topErrors[0].code, 'user.userNameTaken');
      assert.match(report.topErrors[0].cause, /already holds this userName/);
      assert.match(report.lastRequest.at, /^\d{4}-\d\d-\d\dT/);
    });

    test('an unknown organization exits 3 with a message', async () => {
      const run = await runCliInProcess(db.databaseUrl, ['org', 'health', '--org', 'nope']);
      assert.equal(run.code, 3);
      assert.match(run.stderr, /No organization with id nope/);
    });
  });
}
