import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bearerCredential } from './bearer-auth.js';

describe('bearerCredential (SCIM, the event API and /metrics read their secrets through it)', () => {
  it('reads the credential of a Bearer header, the scheme in any case, spaces or tabs around it', () => {
    assert.equal(bearerCredential('Bearer pscim_abc'), 'pscim_abc');
    assert.equal(bearerCredential('bearer pscim_abc'), 'pscim_abc');
    assert.equal(bearerCredential('BEARER \tpscimsk_x-y_z \t'), 'pscimsk_x-y_z');
  });

  it('tells a missing header (undefined) from one that is not a Bearer credential (null)', () => {
    assert.equal(bearerCredential(undefined), undefined);
    for (const header of ['', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer a b', 'Bearerabc', 'Token abc']) {
      assert.equal(bearerCredential(header), null, JSON.stringify(header));
    }
  });
});
