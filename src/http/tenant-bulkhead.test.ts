import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BulkheadRejected, TenantBulkhead } from './tenant-bulkhead.js';

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('TenantBulkhead', () => {
  test('runs up to `concurrency` per organization and queues the rest in order', async () => {
    const bulkhead = new TenantBulkhead({ concurrency: 2, maxQueue: 10, maxWaitMs: 60_000 });
    const order: string[] = [];
    const first = await bulkhead.acquire('a');
    const second = await bulkhead.acquire('a');
    const third = bulkhead.acquire('a').then((release) => {
      order.push('third');
      return release;
    });
    const fourth = bulkhead.acquire('a').then((release) => {
      order.push('fourth');
      return release;
    });
    await settle();
    assert.deepEqual(order, [], 'both wait while two run');
    assert.equal(bulkhead.waiting, 2);
    first();
    (await third)();
    second();
    (await fourth)();
    assert.deepEqual(order, ['third', 'fourth']);
    assert.equal(bulkhead.waiting, 0);
  });

  test("another organization is never queued behind a busy one's requests", async () => {
    const bulkhead = new TenantBulkhead({ concurrency: 1, maxQueue: 100, maxWaitMs: 60_000 });
    const busy = await bulkhead.acquire('noisy');
    const queued = Array.from({ length: 50 }, () => bulkhead.acquire('noisy'));
    // The other organization gets its slot at once, with fifty of the noisy one waiting.
    const other = await bulkhead.acquire('quiet');
    other();
    busy();
    for (const waiting of queued) (await waiting)();
  });

  test('a full queue refuses at once; a long wait and an abort refuse the waiter', async () => {
    const bulkhead = new TenantBulkhead({ concurrency: 1, maxQueue: 1, maxWaitMs: 20 });
    const running = await bulkhead.acquire('a');
    const waiting = bulkhead.acquire('a');
    await assert.rejects(
      bulkhead.acquire('a'),
      (e: unknown) => e instanceof BulkheadRejected && e.reason === 'queueFull',
    );
    await assert.rejects(waiting, (e: unknown) => e instanceof BulkheadRejected && e.reason === 'waitTimeout');
    const controller = new AbortController();
    const aborted = bulkhead.acquire('a', controller.signal);
    controller.abort();
    await assert.rejects(aborted, (e: unknown) => e instanceof BulkheadRejected && e.reason === 'aborted');
    assert.equal(bulkhead.waiting, 0);
    running();
    // The slot is free again, and a double release does not create a second one.
    const again = await bulkhead.acquire('a');
    running();
    const blocked = bulkhead.acquire('a');
    let admitted = false;
    void blocked.then(
      () => {
        admitted = true;
      },
      () => undefined,
    );
    await settle();
    assert.equal(admitted, false, 'releasing the old slot twice freed nothing');
    again();
    (await blocked)();
  });
});
