import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testStores } from '../../test/helpers/stores.js';
import type { OrgRecord } from '../store/store.js';
import type { Audit } from './audit.js';
import { uuidv7 } from './ids.js';
import { createServices, ScimError, type Services } from './index.js';
import { HEALTH_WINDOW_MS } from './org-health.js';

const HOUR = 60 * 60 * 1000;
const USER = ['urn:ietf:params:scim:schemas:core:2.0:User'];

for (const backend of testStores()) {
  describe(`organization health on ${backend.name}`, () => {
    let db: Awaited<ReturnType<typeof backend.open>>;
    let services: Services;
    // Ahead of the wall clock: log ids are UUIDv7 from the entry's time and must follow it.
    const now = Date.now() + 30 * 24 * HOUR;
    before(async () => {
      db = await backend.open();
      services = createServices(db.store, () => now);
    });
    after(async () => {
      await db.close();
    });

    const audit = (org: OrgRecord, at: number, method = 'POST', path = '/scim/v2/Users'): Audit => ({
      org,
      actor: { kind: 'token', tokenId: 'tok-1' },
      requestId: `req-${uuidv7(at)}`,
      userAgent: 'Azure-AD-SCIM-Service/1.0',
      origin: { method, path, startedAt: at },
      baseUrl: 'https://scim.example/scim/v2',
    });
    const ok = (org: OrgRecord, at: number) =>
      services.log.record(audit(org, at, 'GET', '/scim/v2/Users?filter=x'), undefined, { status: 200 });
    /** A create refused by the real use case, logged the way the SCIM route logs a failure. */
    async function refusedCreate(org: OrgRecord, at: number, userName: string): Promise<ScimError> {
      const context = audit(org, at);
      const error = await services.users.create(context, { schemas: USER, userName }).then(
        () => assert.fail('the create should be refused'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof ScimError);
      await services.log.record(
        context,
        { resourceType: 'User', resourceId: null, name: userName, externalId: null },
        { status: error.status, errorCode: error.code, errorDetail: error.detail },
      );
      return error;
    }

    const newOrg = (name: string) => services.organizations.create({ kind: 'cli', operator: 'test' }, name);
    let busy: OrgRecord;
    let revoked: OrgRecord;
    let quiet: OrgRecord;

    test('figures over 24 h: requests, error rate, top codes with their cause, last request', async () => {
      busy = await newOrg('Busy');
      const start = now;
      // Outside the window: never counted.
      await services.log.record(audit(busy, start - HEALTH_WINDOW_MS - HOUR), undefined, {
        status: 500,
        errorCode: 'internal',
        errorDetail: 'x',
      });
      for (let i = 0; i < 25; i++) await ok(busy, start - 20 * HOUR + i * 1000);
      await services.users.create(audit(busy, start - 10 * HOUR), { schemas: USER, userName: 'jane@contoso.test' });
      for (let i = 0; i < 3; i++) {
        const error = await refusedCreate(busy, start - 9 * HOUR + i, 'JANE@contoso.test');
        assert.equal(error.code, 'user.userNameTaken');
      }
      assert.equal((await refusedCreate(busy, start - 2 * HOUR, '')).status, 400);

      const report = await services.health.report(busy.id);
      assert.equal(report.requests, 30, '25 reads, one create, four refusals');
      assert.equal(report.errors, 4);
      assert.equal(report.serverErrors, 0);
      assert.equal(report.alarms, 0);
      assert.equal(report.cut, false);
      assert.ok(Math.abs(report.errorRate - 4 / 30) < 1e-9);
      assert.equal(report.lastRequest?.status, 400);
      assert.equal(report.lastRequest?.at, start - 2 * HOUR);
      const [first, second] = report.topErrors;
      assert.equal(first?.code, 'user.userNameTaken');
      assert.equal(first?.count, 3);
      assert.equal(first?.status, 409);
      assert.equal(first?.lastAt, start - 9 * HOUR + 2);
      assert.match(first?.cause ?? '', /already holds this userName/);
      assert.match(first?.remedy ?? '', /unlink it .* or erase it/);
      assert.equal(second?.count, 1);
      assert.equal(second?.status, 400);
      assert.ok(second?.cause, `${second?.code} is explained`);
      assert.equal(report.verdict.unhealthy, true);
      assert.deepEqual(report.verdict.reasons, ['13.3 % of 30 requests in the last 24 h were refused or failed']);
    });

    test('a 401 in the last hour is unhealthy however few the requests; a few old errors are not', async () => {
      revoked = await newOrg('Revoked');
      await ok(revoked, now - 3 * HOUR);
      await services.log.record(audit(revoked, now - 10 * 60 * 1000), undefined, {
        status: 401,
        errorCode: 'auth.revoked',
        errorDetail: 'This token was revoked',
      });
      const report = await services.health.report(revoked.id);
      assert.equal(report.alarms, 1);
      assert.deepEqual(report.verdict.reasons, ['1 answer with status 5xx or 401 in the last hour']);
      assert.match(report.topErrors[0]?.cause ?? '', /revoked or has expired/);

      quiet = await newOrg('Quiet');
      for (let i = 0; i < 10; i++) await ok(quiet, now - 5 * HOUR + i);
      await services.log.record(audit(quiet, now - 4 * HOUR), undefined, { status: 401, errorCode: 'auth.invalid' });
      const calm = await services.health.report(quiet.id);
      assert.equal(calm.errors, 1);
      assert.equal(calm.verdict.unhealthy, false, 'one error in 11 requests is too few to judge, and not recent');
    });

    test('an organization with no requests is healthy and says so', async () => {
      const fresh = await newOrg('Fresh');
      const report = await services.health.report(fresh.id);
      assert.equal(report.requests, 0);
      assert.equal(report.errorRate, 0);
      assert.equal(report.lastRequest, null);
      assert.deepEqual(report.topErrors, []);
      assert.deepEqual(report.verdict, { unhealthy: false, reasons: [] });
    });

    test('the overview judges every organization from one grouped read', async () => {
      const fresh = await newOrg('Never called');
      const overview = await services.health.overview([busy.id, revoked.id, quiet.id, fresh.id]);
      assert.equal(overview.get(busy.id)?.verdict.unhealthy, true);
      assert.equal(overview.get(busy.id)?.requests, 30);
      assert.equal(overview.get(busy.id)?.errors, 4);
      assert.equal(overview.get(busy.id)?.lastAt, now - 2 * HOUR);
      assert.equal(overview.get(revoked.id)?.verdict.unhealthy, true);
      assert.equal(overview.get(revoked.id)?.alarms, 1);
      assert.equal(overview.get(quiet.id)?.verdict.unhealthy, false);
      assert.deepEqual(overview.get(fresh.id), {
        orgId: fresh.id,
        requests: 0,
        errors: 0,
        alarms: 0,
        lastAt: null,
        verdict: { unhealthy: false, reasons: [] },
      });
      await assert.rejects(services.health.overview(Array.from({ length: 1001 }, (_, i) => `o${i}`)), RangeError);
    });

    test('the window is cut at its cap, newest first, and says how far back it reaches', async () => {
      // Read from the store below the service: the batched entries are written first.
      await services.log.flush();
      const window = { since: now - HEALTH_WINDOW_MS, alarmSince: now - HOUR, cap: 10 };
      const figures = await db.store.logFigures(busy.id, window);
      assert.equal(figures.requests, 10);
      // The ten newest: four refusals, the create, and the five last reads.
      assert.equal(figures.errors, 4);
      assert.equal(figures.oldestAt, now - 20 * HOUR + 20 * 1000);
      const counts = await db.store.logErrorCounts(busy.id, { ...window, cap: 2 }, 5);
      assert.deepEqual(
        counts.map((c) => [c.code, c.count]),
        [
          ['user.userNameTaken', 1],
          ['value.required', 1],
        ],
      );
      const all = await db.store.logFiguresByOrg({ ...window, cap: 1 });
      assert.deepEqual(
        all.map((f) => [f.orgId, f.requests]),
        [[revoked.id, 1]],
        'only the newest entry of all organizations',
      );
    });

    test('a disabled webhook makes the organization stand out, on its page and in the overview', async () => {
      const id = uuidv7(now);
      await db.store.webhooks.insert({
        id,
        orgId: quiet.id,
        url: 'https://receiver.example/hooks',
        description: null,
        secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        previousSecret: null,
        previousSecretExpiresAt: null,
        enabled: true,
        disabledAt: null,
        disabledReason: null,
        createdAt: now,
        updatedAt: now,
      });
      const enabled = await services.health.report(quiet.id);
      assert.deepEqual(
        enabled.webhooks.map((w) => [w.url, w.state, w.scope]),
        [['https://receiver.example/hooks', 'delivering', 'organization']],
      );
      assert.equal(enabled.verdict.unhealthy, false);
      await db.store.webhooks.setEnabled(id, false, now, '50 failed attempts since yesterday');
      const report = await services.health.report(quiet.id);
      assert.equal(report.webhooks[0]?.state, 'disabled');
      assert.deepEqual(report.verdict.reasons, [
        'webhook https://receiver.example/hooks is disabled: 50 failed attempts since yesterday',
      ]);
      const overview = await services.health.overview([quiet.id, busy.id]);
      assert.equal(overview.get(quiet.id)?.verdict.unhealthy, true);
      assert.equal(
        overview.get(busy.id)?.verdict.reasons.some((r) => r.includes('webhook')),
        false,
        "another organization's webhook is not this one's",
      );
    });

    test('an unknown organization is a 404', async () => {
      await assert.rejects(services.health.report('nope'), (e: unknown) => e instanceof ScimError && e.status === 404);
    });
  });
}
