import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mismatches } from './match.js';

test('subset matching as the fixture format defines it', () => {
  const table: [unknown, unknown, boolean][] = [
    [{ a: 1 }, { a: 1, b: 2 }, true],
    [{ a: 1 }, { a: 2 }, false],
    [{ a: '$absent' }, { b: 1 }, true],
    [{ a: '$absent' }, { a: null }, false],
    [{ a: '$any' }, { a: null }, true],
    [{ a: '$any' }, {}, false],
    [{ a: '$string' }, { a: 3 }, false],
    [{ t: '$datetime' }, { t: '2026-11-28T21:37:47.483Z' }, true],
    [{ t: '$datetime' }, { t: 'yesterday' }, false],
    [[{ v: 1 }], [{ v: 1, w: 2 }], true],
    [[{ v: 1 }], [{ v: 1 }, { v: 2 }], false],
    [{ $contains: [{ v: 2 }] }, [{ v: 1 }, { v: 2 }], true],
    [{ $contains: [{ v: 3 }] }, [{ v: 1 }, { v: 2 }], false],
    [{ n: { m: true } }, { n: { m: 'true' } }, false],
  ];
  for (const [expected, actual, ok] of table) {
    assert.equal(mismatches(expected, actual).length === 0, ok, JSON.stringify({ expected, actual }));
  }
});
