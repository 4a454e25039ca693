import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_OPERATOR } from '../../test/helpers/records.js';
import { testStores } from '../../test/helpers/stores.js';
import { type Audit, createServices, type Services } from './index.js';
import { clipMiddle } from './provisioning-log.js';

const [backend] = testStores();
if (backend) {
  describe('provisioning log: refusals', () => {
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

    test('a flood of 429s is logged one by one up to 5 a second, then counted in the next entry', async () => {
      const org = await services.organizations.create(TEST_OPERATOR, 'Flooder');
      const context = (i: number): Audit => ({
        org,
        actor: { kind: 'token', tokenId: 'token-1' },
        requestId: `r${i}`,
        userAgent: null,
        origin: { method: 'GET', path: '/scim/v2/Users', startedAt: now },
        baseUrl: 'http://x/scim/v2',
      });
      const refuse = (i: number) =>
        services.log.record(context(i), undefined, {
          status: 429,
          errorCode: 'rate.limited',
          errorDetail: 'Too many requests',
        });
      for (let i = 0; i < 20; i++) await refuse(i);
      const first = await services.log.query(org.id, { status: 429, limit: 100 });
      assert.equal(first.length, 5, 'five entries in the first second');
      now += 1000;
      await refuse(20);
      const [latest] = await services.log.query(org.id, { status: 429, limit: 1 });
      assert.equal(latest?.requestId, 'r20');
      assert.equal(
        latest?.errorDetail,
        'Too many requests (and 15 more 429 answers to this token since the last one logged, not logged one by one)',
      );
      // Other statuses are never sampled.
      for (let i = 0; i < 10; i++) {
        await services.log.record(context(100 + i), undefined, {
          status: 404,
          errorCode: 'user.notFound',
          errorDetail: 'x',
        });
      }
      assert.equal((await services.log.query(org.id, { status: 404, limit: 100 })).length, 10);
    });
  });
}

test('clipMiddle keeps the start and the end of a long path, never splitting a character', () => {
  assert.equal(clipMiddle('short', 10), 'short');
  const path = `/Users?attributes=${'x'.repeat(100)}&filter=userName eq "jane"`;
  const clipped = clipMiddle(path, 60);
  assert.equal(Array.from(clipped).length, 60);
  assert.ok(clipped.startsWith('/Users?attributes='));
  assert.ok(clipped.endsWith('filter=userName eq "jane"'));
  assert.ok(clipped.includes('…'));
  const emoji = '😀'.repeat(50);
  assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(clipMiddle(emoji, 21)), 'no lone surrogate');
});
