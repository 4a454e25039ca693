import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sqliteHooks } from './sqlite-dialect.js';

// test/e2e/outage.test.ts causes SQLITE_BUSY (another process's lock) and SQLITE_FULL (a full
// tmpfs) for real; this pins the other codes a sick disk or file brings.
test('unavailableReason: lock, full disk, read-only and I/O failures are 503 reasons; the rest are not', () => {
  const reason = (code: string) => sqliteHooks.unavailableReason({ code });
  assert.equal(reason('SQLITE_BUSY'), 'busy');
  assert.equal(reason('SQLITE_BUSY_SNAPSHOT'), 'busy');
  assert.equal(reason('SQLITE_LOCKED'), 'busy');
  assert.equal(reason('SQLITE_FULL'), 'diskFull');
  assert.equal(reason('SQLITE_READONLY'), 'readOnly');
  assert.equal(reason('SQLITE_READONLY_DBMOVED'), 'readOnly');
  assert.equal(reason('SQLITE_IOERR_WRITE'), 'connection');
  assert.equal(reason('SQLITE_IOERR'), 'connection');
  assert.equal(reason('SQLITE_CANTOPEN'), 'connection');
  assert.equal(reason('SQLITE_CONSTRAINT_UNIQUE'), undefined);
  assert.equal(reason('SQLITE_CORRUPT'), undefined, 'corruption needs a person, not a retry');
  assert.equal(sqliteHooks.unavailableReason(undefined), undefined);
});
