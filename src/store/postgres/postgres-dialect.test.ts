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

// test/e2e/outage.test.ts produces the real ones through a cut TCP proxy and pg_terminate_backend;
// this pins the codes a real outage can also bring that a test cannot easily cause.
test('unavailableReason: outages and refusals to serve are 503 reasons, request errors are not', () => {
  const reason = (error: unknown) => postgresHooks.unavailableReason(error);
  assert.equal(reason({ code: '57P01', message: 'terminating connection due to administrator command' }), 'connection');
  assert.equal(reason({ code: '57P03', message: 'the database system is starting up' }), 'connection');
  assert.equal(reason({ code: 'ECONNREFUSED' }), 'connection');
  assert.equal(reason({ code: 'ECONNRESET' }), 'connection');
  assert.equal(reason(new Error('Connection terminated unexpectedly')), 'connection');
  assert.equal(reason(new Error('Client has encountered a connection error and is not queryable')), 'connection');
  assert.equal(reason({ code: '28P01', message: 'password authentication failed' }), 'connection');
  assert.equal(reason({ code: '53100', message: 'could not extend file: No space left on device' }), 'diskFull');
  assert.equal(reason({ code: '25006', message: 'cannot execute INSERT in a read-only transaction' }), 'readOnly');
  assert.equal(reason(new Error('timeout exceeded when trying to connect')), 'poolTimeout');
  assert.equal(reason({ code: '57014' }), 'statementTimeout');
  assert.equal(reason({ code: '23505' }), undefined, 'a unique violation is the request');
  assert.equal(reason({ code: '22P02' }), undefined, 'bad input is the request');
  assert.equal(reason(undefined), undefined);
});
