import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_WEBHOOK_SETTINGS, retryDelayMs, streakExhausted } from './webhook-settings.js';

test('retries back off from 1 s doubling to 1 h, jittered between half and the whole', () => {
  const s = DEFAULT_WEBHOOK_SETTINGS;
  const low = (attempt: number) => retryDelayMs(attempt, s, () => 0);
  const high = (attempt: number) => retryDelayMs(attempt, s, () => 1);
  assert.deepEqual([1, 2, 3, 4].map(low), [500, 1000, 2000, 4000]);
  assert.deepEqual([1, 2, 3, 4].map(high), [1000, 2000, 4000, 8000]);
  assert.equal(high(12), 2_048_000);
  assert.equal(high(13), 3_600_000, 'capped');
  assert.equal(low(1000), 1_800_000, 'no overflow however long the streak');
  for (let i = 0; i < 100; i++) {
    const d = retryDelayMs(5, s);
    assert.ok(d >= 8000 && d <= 16_000);
  }
});

test('a streak is exhausted by time or by count, whichever is set', () => {
  const byTime = { disableAfterMs: 72 * 3_600_000, disableAfterAttempts: 0 };
  assert.equal(streakExhausted(byTime, 0, 1_000_000, 72 * 3_600_000 - 1), false);
  assert.equal(streakExhausted(byTime, 0, 1, 72 * 3_600_000), true);
  const byCount = { disableAfterMs: 0, disableAfterAttempts: 3 };
  assert.equal(streakExhausted(byCount, 0, 2, 10 ** 12), false);
  assert.equal(streakExhausted(byCount, 0, 3, 0), true);
  assert.equal(streakExhausted({ disableAfterMs: 0, disableAfterAttempts: 0 }, 0, 10 ** 6, 10 ** 12), false);
});
