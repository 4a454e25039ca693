import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sessionOptions } from '../postgres/open-postgres.js';
import { TableGrowth } from './table-growth.js';

test('statistics are refreshed at 1,000 users inserted and each doubling after, one run at a time, up to 256,000', async () => {
  const at: number[] = [];
  let inserted = 0;
  let finish: (() => void) | undefined;
  const growth = new TableGrowth(async () => {
    at.push(inserted);
    await new Promise<void>((resolve) => {
      finish = resolve;
    });
  });
  const insert = (n: number) => {
    for (let i = 0; i < n; i++) {
      inserted++;
      growth.insertedUser();
    }
  };
  insert(999);
  assert.deepEqual(at, []);
  insert(1);
  assert.deepEqual(at, [1000]);
  // Still running at 2,000: nothing starts beside it; the next insert after it ends does.
  insert(1500);
  assert.deepEqual(at, [1000]);
  finish?.();
  await new Promise((resolve) => setImmediate(resolve));
  insert(1);
  assert.deepEqual(at, [1000, 2501]);
  finish?.();
  // From here each run ends at once: one starts at every doubling, none past 256,000.
  const runs: number[] = [];
  const quick = new TableGrowth(async () => {
    runs.push(inserted);
  });
  inserted = 0;
  for (let n = 0; n < 1_000; n++) {
    for (let i = 0; i < 1_000; i++) {
      inserted++;
      quick.insertedUser();
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.deepEqual(runs, [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000]);
});

test('a failing ANALYZE is not an error of the insert that started it', async () => {
  const growth = new TableGrowth(async () => {
    throw new Error('database away');
  });
  for (let i = 0; i < 1000; i++) growth.insertedUser();
  await new Promise((resolve) => setImmediate(resolve));
});

test('every pooled PostgreSQL session plans each execution for its own values', () => {
  assert.equal(sessionOptions(null), '-c plan_cache_mode=force_custom_plan');
  assert.equal(sessionOptions('tenant_a'), '-c search_path=tenant_a -c plan_cache_mode=force_custom_plan');
});
