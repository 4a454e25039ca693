import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { codePointOrder, compareSources, MERGE_KEYS, mergeStreams, type SortSource } from './search-order.js';

const source = (id: string, externalId: string | null, displayName: string | null = null): SortSource => ({
  id,
  externalId,
  displayName,
  created: 0,
  lastModified: 0,
});

describe('root search order', () => {
  test('strings compare in UTF-8 byte order, as SQLite and PostgreSQL "C" sort them', () => {
    assert.ok(codePointOrder('a', 'b') < 0);
    assert.ok(codePointOrder('ab', 'a') > 0);
    assert.equal(codePointOrder('x', 'x'), 0);
    // U+1F600 is a surrogate pair in UTF-16, which `<` puts before U+FFFD; its bytes come after.
    assert.ok('\u{1F600}' < '\ufffd');
    assert.ok(codePointOrder('\u{1F600}', '\ufffd') > 0);
    assert.ok(codePointOrder('\u{1F600}', '\u{1F601}') < 0);
    assert.ok(codePointOrder('\u00e9', 'z') > 0);
  });

  test('absent values sort last in both directions, ties go by id in the direction, then User first', () => {
    const externalId = MERGE_KEYS.get('externalid')?.value;
    assert.ok(externalId);
    const rows = [source('3', 'b'), source('1', null), source('2', 'a'), source('4', null), source('5', 'b')];
    const order = (descending: boolean) =>
      [...rows].sort((x, y) => compareSources(x, 0, y, 0, externalId, descending)).map((s) => s.id);
    assert.deepEqual(order(false), ['2', '3', '5', '1', '4']);
    assert.deepEqual(order(true), ['5', '3', '2', '4', '1']);
    assert.ok(compareSources(source('1', 'a'), 0, source('1', 'a'), 1, externalId, false) < 0);
    assert.ok(compareSources(source('1', 'a'), 1, source('1', 'a'), 0, externalId, true) > 0);
    // A row that vanished between two reads sorts after everything.
    assert.ok(compareSources(undefined, 0, source('1', null), 1, externalId, false) > 0);
    assert.ok(compareSources(source('1', null), 0, undefined, 1, externalId, true) < 0);
  });

  test('displayName sorts on its folded form, as the `_ci` column does', () => {
    const displayName = MERGE_KEYS.get('displayname')?.value;
    assert.ok(displayName);
    const rows = [source('1', null, 'beta'), source('2', null, 'Alpha'), source('3', null, 'ALPHA'), source('4', null)];
    const sorted = rows.sort((x, y) => compareSources(x, 0, y, 0, displayName, false)).map((s) => s.id);
    assert.deepEqual(sorted, ['2', '3', '1', '4']);
  });

  test('mergeStreams interleaves two sorted streams, stops at the limit and closes both', async () => {
    const closed: string[] = [];
    async function* stream(name: string, chunks: number[][]): AsyncGenerator<readonly number[]> {
      try {
        for (const chunk of chunks) yield chunk;
      } finally {
        closed.push(name);
      }
    }
    const byValue = (x: number, y: number) => x - y;
    const all: number[] = [];
    for await (const n of mergeStreams([stream('a', [[1, 4], [5]]), stream('b', [[2, 3], [], [6, 7]])], byValue, 100)) {
      all.push(n);
    }
    assert.deepEqual(all, [1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(closed.sort(), ['a', 'b']);

    closed.length = 0;
    const some: number[] = [];
    for await (const n of mergeStreams([stream('a', [[1, 4]]), stream('b', [[2, 3], [6]])], byValue, 3)) some.push(n);
    assert.deepEqual(some, [1, 2, 3]);
    assert.deepEqual(closed.sort(), ['a', 'b']);

    closed.length = 0;
    for await (const n of mergeStreams([stream('a', [[1, 2, 3]]), stream('b', [[4]])], byValue, 100)) {
      if (n === 2) break;
    }
    assert.deepEqual(closed.sort(), ['a', 'b']);
  });
});
