import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_RESOURCE_CHARS } from '../limits.js';
import { ScimError } from '../scim-error.js';
import { checkResourceSize } from './resource-size.js';

// `{"userName":""}` is 15 characters of JSON around the value.
const docOfSize = (size: number) => ({ userName: 'x'.repeat(size - 15) });

test(`a document of exactly ${MAX_RESOURCE_CHARS} characters of JSON is accepted`, () => {
  assert.equal(JSON.stringify(docOfSize(MAX_RESOURCE_CHARS)).length, MAX_RESOURCE_CHARS);
  assert.doesNotThrow(() => checkResourceSize('User', docOfSize(MAX_RESOURCE_CHARS)));
});

test('one character more is 400 invalidValue resource.tooLarge naming the limit', () => {
  assert.throws(
    () => checkResourceSize('User', docOfSize(MAX_RESOURCE_CHARS + 1)),
    (error: unknown) => {
      assert.ok(error instanceof ScimError);
      assert.deepEqual(
        { status: error.status, scimType: error.scimType, code: error.code, detail: error.detail },
        {
          status: 400,
          scimType: 'invalidValue',
          code: 'resource.tooLarge',
          detail:
            'The User would take 65537 characters of JSON; a resource may take at most 65536; send fewer or shorter values',
        },
      );
      return true;
    },
  );
});

test('a document stored before the limit, already over it, may be deactivated or shrunk but never grown', () => {
  const legacy = { ...docOfSize(MAX_RESOURCE_CHARS + 5000), active: true };
  const tooLarge = (error: unknown) => error instanceof ScimError && error.code === 'resource.tooLarge';
  // `active: false` is one character longer than `active: true`.
  assert.doesNotThrow(() => checkResourceSize('User', { ...legacy, active: false }, legacy));
  assert.doesNotThrow(() => checkResourceSize('User', { ...legacy, userName: legacy.userName.slice(100) }, legacy));
  assert.throws(() => checkResourceSize('User', { ...legacy, nickName: 'x'.repeat(100) }, legacy), tooLarge);
  // Without the stored document (a create), the limit is the limit.
  assert.throws(() => checkResourceSize('User', { ...legacy, active: false }), tooLarge);
});
