import assert from 'node:assert/strict';
import { test } from 'node:test';
import { postgresHooks } from './postgres-dialect.js';

// The race itself runs in test/e2e/concurrency.test.ts (instances opening one schema together);
// this pins which driver errors count as having lost it.
test('isSetupRace: a schema another instance created at the same moment, and nothing else', () => {
  assert.equal(postgresHooks.isSetupRace({ code: '23505' }), true, 'unique_violation on pg_namespace');
  assert.equal(postgresHooks.isSetupRace({ code: '42P06' }), true, 'duplicate_schema');
  assert.equal(postgresHooks.isSetupRace({ code: '42501' }), false, 'insufficient_privilege is a real failure');
  assert.equal(postgresHooks.isSetupRace(new Error('connection refused')), false);
  assert.equal(postgresHooks.isSetupRace(undefined), false);
});
