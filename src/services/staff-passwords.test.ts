import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScimError } from '../scim/scim-error.js';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './staff-passwords.js';

test('a password hash is salted scrypt with its parameters, and verifies only the same password', async () => {
  const first = await hashPassword('correct horse battery');
  const second = await hashPassword('correct horse battery');
  assert.match(first, /^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
  assert.notEqual(first, second, 'a new salt each time');
  assert.equal(await verifyPassword('correct horse battery', first), true);
  assert.equal(await verifyPassword('correct horse batterY', first), false);
  assert.equal(await verifyPassword('', first), false);
});

test('NFC and NFD spellings of the same password are the same password', async () => {
  const hash = await hashPassword('Cr\u00e8me br\u00fbl\u00e9e!!');
  assert.equal(await verifyPassword('Cre\u0300me bru\u0302le\u0301e!!', hash), true);
});

test('too short or too long a password is refused with its rule', async () => {
  await assert.rejects(hashPassword('x'.repeat(MIN_PASSWORD_LENGTH - 1)), (e: unknown) => {
    return e instanceof ScimError && e.status === 400 && /at least 12/.test(e.detail);
  });
  await assert.rejects(hashPassword('x'.repeat(1025)), ScimError);
});

test('a malformed stored hash verifies nothing', async () => {
  for (const stored of ['', 'plain', 'bcrypt$1$2$3$4$5', 'scrypt$$$$$']) {
    assert.equal(await verifyPassword('anything at all', stored), false, stored);
  }
});
