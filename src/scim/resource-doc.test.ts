import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ScimValue, sameValue } from './resource-doc.js';

test('sameValue compares structure: arrays in order, object keys in any order', () => {
  assert.equal(sameValue({ a: [1, { b: 'x' }], c: true }, { c: true, a: [1, { b: 'x' }] }), true);
  assert.equal(sameValue({ a: [1, 2] }, { a: [2, 1] }), false);
  assert.equal(sameValue({ a: 1 }, { a: 1, b: undefined as unknown as ScimValue }), false);
  assert.equal(sameValue({ a: 'x' }, { b: 'x' }), false);
  assert.equal(sameValue('1', 1), false);
  assert.equal(sameValue(undefined, undefined), true);
  assert.equal(sameValue([], {}), false);
});

test('sameValue walks a value nested 100,000 levels without overflowing the stack', () => {
  const nest = (leaf: ScimValue): ScimValue => {
    let value = leaf;
    for (let i = 0; i < 100_000; i++) value = i % 2 === 0 ? [value] : { a: value };
    return value;
  };
  assert.equal(sameValue(nest('x'), nest('x')), true);
  assert.equal(sameValue(nest('x'), nest('y')), false);
});
