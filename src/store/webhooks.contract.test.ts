import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { orgRecord, T0 } from '../../test/helpers/records.js';
import { testStores } from '../../test/helpers/stores.js';
import type { Store } from './store.js';
import type { WebhookDeliveryRecord, WebhookRecord } from './webhooks-store.js';

/*
 * The webhooks sub-store on each backend: cursors start at each organization's newest event,
 * a due cursor is leased to one claimer at a time, every cursor write after a claim needs the
 * lease, enabling resumes from the cursor, and the delivery log reads newest first and prunes.
 */

let serial = 0;
const next = () => String(++serial).padStart(6, '0');

function webhook(orgId: string | null, overrides: Partial<WebhookRecord> = {}): WebhookRecord {
  return {
    id: `wh-${next()}`,
    orgId,
    url: 'https://receiver.test/hook',
    description: null,
    secret: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0',
    previousSecret: null,
    previousSecretExpiresAt: null,
    enabled: true,
    disabledAt: null,
    disabledReason: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

function delivery(webhookId: string, orgId: string, at: number, status: number | null): WebhookDeliveryRecord {
  return {
    id: `dl-${next()}`,
    webhookId,
    orgId,
    eventId: `evt-${serial}`,
    eventType: 'user.created',
    cursor: 1,
    attempt: 1,
    at,
    status,
    error: status === 200 ? null : 'HTTP 500',
    responseExcerpt: null,
    durationMs: 12,
  };
}

for (const backend of testStores()) {
  describe(`webhooks store on ${backend.name}`, () => {
    let db: Awaited<ReturnType<typeof backend.open>>;
    let store: Store;
    const newOrg = async (events = 0) => {
      const id = `org-${next()}`;
      await store.insertOrg(orgRecord(id));
      for (let i = 0; i < events; i++) await appendEvent(id);
      return id;
    };
    const appendEvent = (orgId: string) =>
      store.events.append({
        orgId,
        id: `evt-${next()}`,
        at: T0,
        type: 'user.updated',
        version: 1,
        resourceId: 'r',
        actor: null,
        requestId: null,
        data: {},
      });
    const claim = (owner: string, now: number, limit = 100) =>
      store.transaction((tx) => tx.webhooks.claimDue(owner, now, now + 60_000, limit));
    const claimedFor = async (owner: string, now: number, webhookId: string) =>
      (await claim(owner, now)).filter((c) => c.webhook.id === webhookId);

    before(async () => {
      db = await backend.open();
      store = db.store;
    });
    after(async () => {
      await db.close();
    });

    test('cursors start at the newest event; a cursor is due only when an event follows it', async () => {
      const org = await newOrg(3);
      const w = webhook(org);
      await store.webhooks.insert(w);
      await store.webhooks.startCursors(w.id, org, T0);
      const [cursor] = await store.webhooks.cursors(w.id, { limit: 10 });
      assert.equal(cursor?.lastCursor, 3);
      assert.equal(cursor?.headCursor, 3);
      assert.deepEqual(await claimedFor('a', T0, w.id), [], 'caught up: nothing to claim');
      await appendEvent(org);
      const claimed = await claimedFor('a', T0, w.id);
      assert.equal(claimed.length, 1);
      assert.equal(claimed[0]?.cursor.lastCursor, 3);
      assert.equal(claimed[0]?.webhook.url, w.url);
    });

    test('totals: backlog of enabled webhooks, failing pairs and disabled webhooks, all organizations', async () => {
      const before = await store.webhooks.totals();
      const org = await newOrg(2);
      const on = webhook(org);
      const off = webhook(org);
      await store.webhooks.insert(on);
      await store.webhooks.insert(off);
      await store.webhooks.startCursors(on.id, org, T0);
      await store.webhooks.startCursors(off.id, org, T0);
      for (let i = 0; i < 3; i++) await appendEvent(org);
      await store.webhooks.setEnabled(off.id, false, T0, 'test');
      const [claimed] = await claimedFor('m', T0, on.id);
      assert.ok(claimed);
      await store.webhooks.retryLater(on.id, org, 'm', {
        attempts: 1,
        nextAttemptAt: T0 + 1_000,
        failingSince: T0,
        lastStatus: 500,
        lastError: 'HTTP 500',
        at: T0,
      });
      const after = await store.webhooks.totals();
      assert.deepEqual(
        {
          backlog: after.backlog - before.backlog,
          failingPairs: after.failingPairs - before.failingPairs,
          disabled: after.disabled - before.disabled,
        },
        { backlog: 3, failingPairs: 1, disabled: 1 },
        'the disabled webhook counts as disabled, not as backlog',
      );
    });

    test('a lease goes to one claimer until it is released, expires, or the webhook is disabled', async () => {
      const org = await newOrg(1);
      const w = webhook(org);
      await store.webhooks.insert(w);
      await store.webhooks.startCursors(w.id, org, T0);
      await appendEvent(org);
      assert.equal((await claimedFor('a', T0, w.id)).length, 1);
      assert.deepEqual(await claimedFor('b', T0 + 1, w.id), [], 'leased to a');
      assert.equal(
        await store.webhooks.advance(w.id, org, 'b', { cursor: 2, status: 200, at: T0, leaseUntil: T0 }),
        false,
      );
      assert.equal(await store.webhooks.release(w.id, org, 'b'), false, 'only the holder releases');
      assert.equal((await claimedFor('b', T0 + 60_001, w.id)).length, 1, 'an expired lease is taken over');
      assert.equal(
        await store.webhooks.advance(w.id, org, 'a', { cursor: 2, status: 200, at: T0, leaseUntil: T0 }),
        false,
        'the old holder can no longer move the cursor',
      );
      assert.equal(await store.webhooks.release(w.id, org, 'b'), true);
      assert.equal(await store.webhooks.setEnabled(w.id, false, T0, 'test'), true);
      assert.equal(await store.webhooks.setEnabled(w.id, false, T0, 'again'), false, 'disabled already');
      assert.deepEqual(await claimedFor('c', T0 + 60_001, w.id), [], 'a disabled webhook is never claimed');
    });

    test('advance moves the cursor; retryLater backs off; enabling makes it due at once, cursor kept', async () => {
      const org = await newOrg(0);
      const w = webhook(org);
      await store.webhooks.insert(w);
      await store.webhooks.startCursors(w.id, org, T0);
      await appendEvent(org);
      await appendEvent(org);
      await claimedFor('a', T0, w.id);
      assert.equal(
        await store.webhooks.advance(w.id, org, 'a', { cursor: 1, status: 204, at: T0, leaseUntil: T0 + 5 }),
        true,
      );
      const retry = {
        attempts: 1,
        nextAttemptAt: T0 + 1000,
        failingSince: T0,
        lastStatus: 500,
        lastError: 'HTTP 500',
        at: T0,
      };
      assert.equal(await store.webhooks.retryLater(w.id, org, 'a', retry), true);
      const [c] = await store.webhooks.cursors(w.id, { orgId: org, limit: 1 });
      assert.deepEqual(
        [c?.lastCursor, c?.attempts, c?.failingSince, c?.lastStatus, c?.leaseOwner, c?.headCursor],
        [1, 1, T0, 500, null, 2],
      );
      assert.deepEqual(await claimedFor('a', T0 + 999, w.id), [], 'backing off');
      await store.webhooks.setEnabled(w.id, false, T0, 'streak');
      await store.webhooks.setEnabled(w.id, true, T0 + 10, null);
      const [resumed] = await claimedFor('a', T0 + 10, w.id);
      assert.deepEqual(
        [resumed?.cursor.lastCursor, resumed?.cursor.attempts, resumed?.cursor.failingSince],
        [1, 0, null],
      );
      assert.equal((await store.webhooks.get(w.id))?.disabledReason, null);
    });

    test('a deployment-wide webhook: existing organizations start at their head, later ones at 0', async () => {
      const old = await newOrg(2);
      const w = webhook(null);
      await store.webhooks.insert(w);
      await store.webhooks.startCursors(w.id, null, T0);
      const later = await newOrg(1);
      // Instances discovering at the same moment each add a row at most once, and never fail on it.
      const found = await Promise.all([
        store.webhooks.discoverCursors(T0, 1000),
        store.webhooks.discoverCursors(T0, 1000),
      ]);
      assert.ok(found[0] + found[1] >= 1);
      await store.webhooks.startCursors(w.id, null, T0);
      const byOrg = new Map((await store.webhooks.cursors(w.id, { limit: 1000 })).map((c) => [c.orgId, c.lastCursor]));
      assert.equal(byOrg.get(old), 2);
      assert.equal(byOrg.get(later), 0);
      assert.equal(await store.webhooks.discoverCursors(T0, 1000), 0, 'nothing left to discover');
      const listed = await store.webhooks.list({ orgId: later, limit: 100 });
      assert.ok(
        listed.some((l) => l.id === w.id),
        'listed for every organization',
      );
      await store.webhooks.remove(w.id);
    });

    test('rotation keeps the old secret until its expiry; 0 grace drops it', async () => {
      const w = webhook(await newOrg());
      await store.webhooks.insert(w);
      await store.webhooks.rotateSecret(w.id, 'whsec_bmV3', T0 + 100, T0);
      let got = await store.webhooks.get(w.id);
      assert.deepEqual(
        [got?.secret, got?.previousSecret, got?.previousSecretExpiresAt],
        ['whsec_bmV3', w.secret, T0 + 100],
      );
      await store.webhooks.rotateSecret(w.id, 'whsec_bmV3ZXI=', null, T0);
      got = await store.webhooks.get(w.id);
      assert.deepEqual([got?.secret, got?.previousSecret], ['whsec_bmV3ZXI=', null]);
    });

    test('the delivery log reads newest first, pages back, prunes by age, and goes with its webhook', async () => {
      const org = await newOrg();
      const w = webhook(org);
      await store.webhooks.insert(w);
      const rows = [delivery(w.id, org, T0, 500), delivery(w.id, org, T0 + 1, 200), delivery(w.id, org, T0 + 2, null)];
      for (const d of rows) await store.webhooks.appendDelivery(d);
      const page = await store.webhooks.deliveries(w.id, { limit: 2 });
      assert.deepEqual(page, [rows[2], rows[1]]);
      assert.deepEqual(await store.webhooks.deliveries(w.id, { limit: 2, before: rows[1]?.id as string }), [rows[0]]);
      assert.equal(await store.webhooks.pruneDeliveries(T0 + 1, 10), 1);
      assert.equal((await store.webhooks.deliveries(w.id, { limit: 10 })).length, 2);
      assert.equal(await store.webhooks.remove(w.id), true);
      assert.equal(await store.webhooks.get(w.id), undefined);
      assert.deepEqual(await store.webhooks.deliveries(w.id, { limit: 10 }), []);
      assert.equal(await store.webhooks.remove(w.id), false);
    });

    if (backend.name === 'postgres') {
      test('claimers at the same moment take different cursors, without waiting for each other', async () => {
        const w = webhook(null);
        await store.webhooks.insert(w);
        const orgs = [await newOrg(0), await newOrg(0), await newOrg(0), await newOrg(0)];
        for (const org of orgs) {
          await store.webhooks.startCursors(w.id, org, T0);
          await appendEvent(org);
        }
        let release: () => void = () => {};
        const held = new Promise<void>((resolve) => {
          release = resolve;
        });
        let first: string[] = [];
        const firstClaim = store.transaction(async (tx) => {
          first = (await tx.webhooks.claimDue('a', T0, T0 + 60_000, 2)).map((c) => c.cursor.orgId);
          await held;
        });
        while (first.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        // The first transaction still holds its two rows: the second skips them instead of waiting.
        const second = (await claim('b', T0)).filter((c) => c.webhook.id === w.id).map((c) => c.cursor.orgId);
        release();
        await firstClaim;
        assert.equal(first.length, 2);
        assert.equal(second.length, 2);
        assert.deepEqual([...first, ...second].sort(), [...orgs].sort());
      });
    }
  });
}
