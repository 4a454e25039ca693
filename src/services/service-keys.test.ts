import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_OPERATOR } from '../../test/helpers/records.js';
import { testStores } from '../../test/helpers/stores.js';
import { createServices, type Services } from './index.js';

/** Service keys without HTTP: expiry, revocation, last use at most once a minute, the trail. */
for (const backend of testStores()) {
  describe(`service keys on ${backend.name}`, () => {
    let db: Awaited<ReturnType<typeof backend.open>>;
    let services: Services;
    let now = 1_800_000_000_000;
    before(async () => {
      db = await backend.open();
      services = createServices(db.store, () => now);
    });
    after(async () => {
      await db.close();
    });

    test('a key works until it expires; last use is written at most once a minute', async () => {
      const issued = await services.serviceKeys.issue(TEST_OPERATOR, { expiresInMs: 3_600_000, label: ' feed ' });
      assert.match(issued.key, /^pscimsk_[A-Za-z0-9_-]{43}$/);
      assert.equal(issued.record.label, 'feed');
      assert.notEqual(issued.record.keyHash, issued.key, 'only the hash is stored');
      assert.equal((await services.serviceKeys.authenticate(issued.key)).ok, true);
      const used = now;
      now += 30_000;
      assert.equal((await services.serviceKeys.authenticate(issued.key)).ok, true);
      const [listed] = (await services.serviceKeys.list()).filter((k) => k.id === issued.record.id);
      assert.equal(listed?.lastUsedAt, used, 'not written again within the minute');
      now += 3_600_000;
      assert.deepEqual(await services.serviceKeys.authenticate(issued.key), { ok: false, reason: 'expired' });
    });

    test('revoked keys, unknown keys and SCIM tokens are refused; issue and revoke are in the audit trail', async () => {
      const issued = await services.serviceKeys.issue(TEST_OPERATOR);
      const revoked = await services.serviceKeys.revoke(TEST_OPERATOR, issued.record.id, { requestId: 'req-r' });
      assert.equal(revoked.revokedAt, now);
      now += 1000;
      const again = await services.serviceKeys.revoke(TEST_OPERATOR, issued.record.id);
      assert.equal(again.revokedAt, revoked.revokedAt, 'revoking twice keeps the first time');
      assert.deepEqual(await services.serviceKeys.authenticate(issued.key), { ok: false, reason: 'revoked' });
      assert.deepEqual(await services.serviceKeys.authenticate('pscimsk_nope'), { ok: false, reason: 'unknown' });
      assert.deepEqual(await services.serviceKeys.authenticate('pscim_abc'), { ok: false, reason: 'scimToken' });
      assert.deepEqual(await services.serviceKeys.authenticate(undefined), { ok: false, reason: 'missing' });
      await assert.rejects(services.serviceKeys.revoke(TEST_OPERATOR, 'nope'), { code: 'serviceKey.notFound' });
      await assert.rejects(services.serviceKeys.issue(TEST_OPERATOR, { expiresInMs: 0 }), {
        code: 'serviceKey.expiry',
      });
      const trail = await services.auditTrail.list({ limit: 50 });
      const mine = trail.filter((e) => e.targetId === issued.record.id).map((e) => [e.action, e.actorLabel]);
      assert.deepEqual(mine.sort(), [
        ['serviceKey.issued', 'test'],
        ['serviceKey.revoked', 'test'],
      ]);
    });
  });
}
