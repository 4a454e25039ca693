import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_PATCH_OPERATIONS } from '../limits.js';
import { identifyingValues } from './identifying-values.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const patch = (...Operations: unknown[]) => ({ schemas: [PATCH], Operations });

const cases: [string, 'User' | 'Group', unknown, ReturnType<typeof identifyingValues>][] = [
  [
    'a POST body',
    'User',
    { schemas: [USER], userName: 'Jane@contoso.com', externalId: 'e-1', password: 'x' },
    { name: 'Jane@contoso.com', externalId: 'e-1' },
  ],
  [
    'names ignore case (RFC 7643 §2.1)',
    'User',
    { USERNAME: 'jane', ExternalID: 'e-1' },
    { name: 'jane', externalId: 'e-1' },
  ],
  ['a core-URN-qualified key', 'User', { [`${USER}:userName`]: 'jane' }, { name: 'jane' }],
  ['a Group is named by displayName', 'Group', { displayName: 'Sales', userName: 'no' }, { name: 'Sales' }],
  ['a User is not named by displayName', 'User', { displayName: 'Jane' }, {}],
  ['values that are not strings are ignored', 'User', { userName: 42, externalId: { a: 1 } }, {}],
  ['not an object', 'User', 'userName', {}],
  ['no body (the JSON did not parse)', 'User', undefined, {}],
  ['an array', 'User', [{ userName: 'jane' }], {}],
  [
    'a PATCH with paths, any case, last one wins',
    'User',
    patch(
      { op: 'Replace', path: 'UserName', value: 'old' },
      { op: 'replace', path: 'userName', value: 'new' },
      { op: 'add', path: 'externalId', value: 'e-2' },
    ),
    { name: 'new', externalId: 'e-2' },
  ],
  [
    'a path-less PATCH value',
    'Group',
    patch({ op: 'replace', value: { displayName: 'Sales', externalId: 'g-1' } }),
    { name: 'Sales', externalId: 'g-1' },
  ],
  [
    'paths other than the attribute itself, removes and malformed operations',
    'User',
    patch(
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'x@y' },
      { op: 'remove', path: 'externalId' },
      { op: 'replace', path: 'userName', value: ['x'] },
      null,
      { path: 'userName', value: 'no op' },
    ),
    {},
  ],
  [
    '"Operations" that is not an array reads as a resource body',
    'User',
    { Operations: 1, userName: 'j' },
    { name: 'j' },
  ],
];

for (const [name, type, body, expected] of cases) {
  test(`identifyingValues: ${name}`, () => {
    assert.deepEqual(identifyingValues(type, body), expected);
  });
}

test('identifyingValues looks at no more than MAX_PATCH_OPERATIONS operations', () => {
  const filler = Array.from({ length: MAX_PATCH_OPERATIONS }, () => ({ op: 'replace', path: 'active', value: true }));
  const body = patch(...filler, { op: 'replace', path: 'userName', value: 'past the limit' });
  assert.deepEqual(identifyingValues('User', body), {});
});
