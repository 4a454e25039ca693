import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foldCase } from './fold-case.js';

test('foldCase folds beyond ASCII and makes composed and decomposed forms equal', () => {
  assert.equal(foldCase('ÄLICE@Example.COM'), 'älice@example.com');
  assert.equal(foldCase('E\u0301'), foldCase('\u00c9'));
  assert.equal(foldCase('ΣΊΣΥΦΟΣ'), foldCase('σίσυφος'));
  assert.equal(foldCase('σίσυφος'), foldCase('σίσυφοσ'));
  assert.equal(foldCase('100%_\\'), '100%_\\');
});
