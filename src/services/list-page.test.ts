import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page, RowsQuery } from '../store/store.js';
import { listSummary, readInChunks } from './list-page.js';

/** A store read over `rows` ids that records each query it was given. */
/** Rows 0..n-1; with `charsPerRow`, each read reports the weight of its stored documents. */
function table(rows: number, charsPerRow?: number) {
  const queries: RowsQuery[] = [];
  const ids = Array.from({ length: rows }, (_, i) => i);
  const read = async (query: RowsQuery): Promise<Page<number>> => {
    queries.push(query);
    const items = ids.slice(query.offset, query.offset + query.limit);
    return {
      total: query.knownTotal ?? ids.length,
      items,
      ...(charsPerRow !== undefined ? { docChars: items.length * charsPerRow } : {}),
    };
  };
  return { queries, read };
}

const page = (startIndex: number, count: number) => ({ startIndex, count, sortOrder: 'ascending' as const });

async function all<T>(chunks: AsyncIterable<readonly T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const chunk of chunks) out.push([...chunk]);
  return out;
}

describe('readInChunks', () => {
  test('reads the page in chunks, counting only on the first read', async () => {
    const { queries, read } = table(120);
    const result = await readInChunks(page(6, 100), read, 40);
    assert.equal(result.total, 120);
    assert.equal(result.planned, 100);
    // The first chunk is read before the caller gets anything to stream.
    assert.equal(queries.length, 1);
    const chunks = await all(result.chunks);
    // Without weights the chunks start small and double up to the maximum.
    assert.deepEqual(
      chunks.map((c) => [c[0], c.length]),
      [
        [5, 8],
        [13, 16],
        [29, 32],
        [61, 40],
        [101, 4],
      ],
    );
    assert.deepEqual(
      queries.map((q) => [q.offset, q.limit, q.knownTotal]),
      [
        [5, 8, undefined],
        [13, 16, 120],
        [29, 32, 120],
        [61, 40, 120],
        [101, 4, 120],
      ],
    );
  });

  test('chunks are sized by the weight of the documents the last one held', async () => {
    // 64 KB users: after the first chunk of 8, two at a time (128 KB per chunk), so reading and
    // rendering one chunk never holds the event loop for long.
    const heavy = table(20, 64 * 1024);
    await all((await readInChunks(page(1, 20), heavy.read)).chunks);
    assert.deepEqual(
      heavy.queries.map((q) => q.limit),
      [8, 2, 2, 2, 2, 2, 2],
    );
    // 1 KB users: after the first chunk of 8, the maximum of 50.
    const light = table(200, 1024);
    await all((await readInChunks(page(1, 200), light.read)).chunks);
    assert.deepEqual(
      light.queries.map((q) => q.limit),
      [8, 50, 50, 50, 42],
    );
  });

  test('the end of the matches ends the page before count', async () => {
    const { queries, read } = table(30);
    const result = await readInChunks(page(21, 100), read, 8);
    assert.equal(result.planned, 10);
    assert.deepEqual((await all(result.chunks)).flat(), [20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
    assert.equal(queries.length, 2);
  });

  test('count 0 and a startIndex past the end read nothing after the count', async () => {
    for (const [startIndex, count] of [
      [1, 0],
      [40, 10],
    ] as const) {
      const { queries, read } = table(30);
      const result = await readInChunks(page(startIndex, count), read, 8);
      assert.equal(result.total, 30);
      assert.equal(result.planned, 0);
      assert.deepEqual(await all(result.chunks), []);
      assert.equal(queries.length, 1);
    }
  });

  test('a caller that stops early stops the reads', async () => {
    const { queries, read } = table(500);
    const result = await readInChunks(page(1, 500), read, 50);
    for await (const _ of result.chunks) break;
    assert.equal(queries.length, 1);
  });
});

describe('listSummary', () => {
  test('says how many matched and how many the page was planned to hold', () => {
    assert.equal(listSummary(1, 0), '1 match, 0 returned');
    assert.equal(listSummary(60, 50), '60 matches, up to 50 returned (fewer past the byte budget)');
  });
});
