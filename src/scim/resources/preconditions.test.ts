import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScimError } from '../scim-error.js';
import { checkIfMatch } from './preconditions.js';

test('checkIfMatch: absent, *, the current version or a list holding it pass; anything else is 412', () => {
  for (const header of [undefined, '*', 'W/"3"', 'W/"1", W/"3"']) {
    assert.doesNotThrow(() => checkIfMatch('User', 3, header), String(header));
  }
  for (const header of ['W/"2"', '"3"', '']) {
    assert.throws(
      () => checkIfMatch('Group', 3, header),
      (e: unknown) => e instanceof ScimError && e.status === 412 && e.code === 'group.preconditionFailed',
      header,
    );
  }
});
