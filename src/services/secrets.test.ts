import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { credentialState, hashSecret, newSecret, secretHint } from './secrets.js';
import { UseThrottle } from './use-throttle.js';

describe('bearer secrets', () => {
  it('are 256 random bits after their prefix, stored as SHA-256 and recognised by a short hint', () => {
    const a = newSecret('pscim_');
    const b = newSecret('pscim_');
    assert.match(a, /^pscim_[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a, b);
    assert.equal(hashSecret(a), hashSecret(a));
    assert.notEqual(hashSecret(a), hashSecret(b));
    assert.match(hashSecret(a), /^[0-9a-f]{64}$/);
    assert.equal(secretHint(a, 'pscim_'), a.slice(0, 10));
  });

  it('a revoked credential says revoked even past its expiry; expiry is exclusive of the instant', () => {
    assert.equal(credentialState({ revokedAt: null, expiresAt: null }, 5), 'active');
    assert.equal(credentialState({ revokedAt: null, expiresAt: 6 }, 5), 'active');
    assert.equal(credentialState({ revokedAt: null, expiresAt: 5 }, 5), 'expired');
    assert.equal(credentialState({ revokedAt: 1, expiresAt: 2 }, 5), 'revoked');
  });

  it('last use is written at most once per interval per credential', () => {
    const throttle = new UseThrottle(60_000);
    const t0 = 1_700_000_000_000;
    assert.equal(throttle.due('t1', null, t0), true);
    assert.equal(throttle.due('t1', null, t0 + 30_000), false);
    assert.equal(throttle.due('t2', null, t0 + 30_000), true, 'each credential has its own interval');
    assert.equal(throttle.due('t1', null, t0 + 60_000), true);
    assert.equal(throttle.due('t3', t0, t0 + 30_000), false, 'a use the database already holds counts');
  });
});
