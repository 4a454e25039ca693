import { type CheckedListRequest, notFilterableError, notSortableError } from '../scim/list-check.js';
import { tooMany } from '../scim/scim-error.js';
import type { Page, RowsQuery } from '../store/store.js';
import { FilterTooCostly, NotFilterable, NotSortable } from '../store/store-errors.js';

/**
 * Rows per store call when a list page is read in chunks, at most. A page of `count=1000` users
 * of up to 64 KB each is never held whole: memory per request is one chunk, rendered.
 */
export const LIST_CHUNK_SIZE = 50;

/**
 * The first chunk is small, and later ones are sized so that a chunk weighs about
 * {@link CHUNK_TARGET_CHARS} of stored documents: reading and rendering one chunk runs without a
 * pause on the event loop, and 50 users of 64 KB would hold it for tens of milliseconds, during
 * which every other organization's request waits.
 */
const FIRST_CHUNK_SIZE = 8;
const CHUNK_TARGET_CHARS = 128 * 1024;

/** A checked SCIM list request as the store takes it: 1-based startIndex becomes an offset. */
export function rowsQuery(query: CheckedListRequest): RowsQuery {
  return {
    ...(query.filter ? { filter: query.filter } : {}),
    ...(query.sortBy ? { sortBy: query.sortBy } : {}),
    sortOrder: query.sortOrder,
    offset: query.startIndex - 1,
    limit: query.count,
  };
}

/**
 * One list page (RFC 7644 §3.4.2.4) read chunk by chunk: `total` is what the first chunk's read
 * counted, `planned` how many resources the page holds at most, and `chunks` yields the rendered
 * resources in sort order, reading the next chunk only when the caller asks for it. A caller that
 * stops early (page byte budget, client gone) ends the reading by leaving the loop.
 */
export interface ChunkedPage<T> {
  readonly total: number;
  readonly planned: number;
  readonly chunks: AsyncGenerator<readonly T[]>;
}

/**
 * Reads the page of `query` through `read` (one store call plus its rendering), `chunkSize` rows
 * at a time, offset-based in the same sort order. The first chunk is read before this returns, so
 * a bad parameter the store rejects (an unsortable `sortBy`) or an unreachable database is still
 * an ordinary error response rather than a broken stream.
 *
 * Chunks are separate reads, not one snapshot: a write landing between two of them can shift a
 * row across the boundary, exactly as it can between two pages a client requests (RFC 7644
 * §3.4.2.4 makes no consistency promise across pages either).
 */
export async function readInChunks<T>(
  query: CheckedListRequest,
  unmapped: (query: RowsQuery) => Promise<Page<T>>,
  chunkSize = LIST_CHUNK_SIZE,
): Promise<ChunkedPage<T>> {
  const read = answeringStoreLimits(unmapped);
  const base = rowsQuery(query);
  let size = Math.min(chunkSize, FIRST_CHUNK_SIZE);
  // Dropped once handed out: the generator must not keep the first chunk for the whole stream.
  let pending: Page<T> | undefined = await read({ ...base, limit: Math.min(size, base.limit) });
  const total = pending.total;
  const planned = Math.max(0, Math.min(base.limit, total - base.offset));
  async function* chunks(): AsyncGenerator<readonly T[]> {
    let done = 0;
    for (;;) {
      if (pending === undefined) {
        if (done >= planned) return;
        // Let other requests' I/O run between chunks: SQLite reads are synchronous, and a page
        // whose output fits the socket buffers would otherwise be read start to end in one go.
        await new Promise((resolve) => setImmediate(resolve));
        pending = await read({
          ...base,
          offset: base.offset + done,
          limit: Math.min(size, planned - done),
          knownTotal: total,
        });
      }
      const items = pending.items;
      size = nextChunkSize(size, items.length, pending.docChars, chunkSize);
      pending = undefined;
      // Rows deleted since the count leave the page short; it ends rather than reading on.
      if (items.length === 0) return;
      done += items.length;
      yield items;
    }
  }
  return { total, planned, chunks: chunks() };
}

/** Rows for the next chunk: as many as weigh about CHUNK_TARGET_CHARS, going by the last one. */
function nextChunkSize(size: number, rows: number, chars: number | undefined, max: number): number {
  if (chars === undefined || rows === 0) return Math.min(max, size * 2);
  const perRow = Math.max(1, chars / rows);
  return Math.max(1, Math.min(max, Math.floor(CHUNK_TARGET_CHARS / perRow)));
}

/**
 * What a list request found, for the provisioning log. The log entry is written when the response
 * head leaves (the onSend hook, so that whoever got an answer can already find it in the log),
 * before the body has streamed; how many resources the page byte budget lets through is known
 * only at the end, so the entry records the count the page was planned to hold.
 */
export function listSummary(total: number, planned: number): string {
  const matches = `${total} match${total === 1 ? '' : 'es'}`;
  return planned === 0
    ? `${matches}, 0 returned`
    : `${matches}, up to ${planned} returned (fewer past the byte budget)`;
}

/**
 * `read`, with the store's limits (an attribute it keeps no column for, a filter too costly for the
 * organization's size) answered as the SCIM
 * errors a client sees: the store states facts, the protocol decides what they mean.
 */
export function answeringStoreLimits<A extends unknown[], R>(
  read: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await read(...args);
    } catch (error) {
      if (error instanceof NotFilterable) throw notFilterableError(error);
      if (error instanceof NotSortable) throw notSortableError(error);
      if (error instanceof FilterTooCostly) throw tooMany(error.detail, 'filter.tooCostly');
      throw error;
    }
  };
}
