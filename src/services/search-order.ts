/**
 * The order of a root search sorted across Users and Groups (search.ts): the sort values the
 * stores order by, the same comparison in JavaScript, and a merge of two sorted streams.
 */

import { foldCase } from '../scim/fold-case.js';
import type { ResolvedPath } from '../scim/schema/resolve-path.js';

/** What the store sorts on, read from a record or from the JSON rendered from one. */
export interface SortSource {
  readonly id: string;
  readonly externalId: string | null;
  readonly displayName: string | null;
  readonly created: number;
  readonly lastModified: number;
}

export type SortValue = string | number | null;

/**
 * The attributes both types have and both stores sort on, by lower-cased canonical path, with the
 * value each store orders by (`listRows` (store/sql/list-rows.ts): the `_ci` twin for caseExact false, byte order).
 */
export const MERGE_KEYS: ReadonlyMap<string, { readonly name: string; readonly value: (s: SortSource) => SortValue }> =
  new Map([
    ['id', { name: 'id', value: (s: SortSource) => s.id }],
    ['externalid', { name: 'externalId', value: (s: SortSource) => s.externalId }],
    [
      'displayname',
      { name: 'displayName', value: (s: SortSource) => (s.displayName === null ? null : foldCase(s.displayName)) },
    ],
    ['meta.created', { name: 'meta.created', value: (s: SortSource) => s.created }],
    ['meta.lastmodified', { name: 'meta.lastModified', value: (s: SortSource) => s.lastModified }],
  ]);

/** The MERGE_KEYS key of a resolved path. */
export function mergeKeyName(resolved: ResolvedPath): string {
  const sub = resolved.sub ? `.${resolved.sub.name}` : '';
  return `${resolved.attribute.name}${sub}`.toLowerCase();
}

/** Two sorted streams as one, `limit` items at most; leaving early closes both. */
export async function* mergeStreams<T>(
  streams: readonly AsyncGenerator<readonly T[]>[],
  order: (x: T, y: T) => number,
  limit: number,
): AsyncGenerator<T> {
  const cursors = streams.map((chunks) => new Cursor(chunks));
  try {
    for (let sent = 0; sent < limit; sent++) {
      let next: Cursor<T> | undefined;
      for (const cursor of cursors) {
        const head = await cursor.peek();
        const best = next?.head();
        if (head !== undefined && (best === undefined || order(head, best) < 0)) next = cursor;
      }
      if (next === undefined) return;
      yield next.take();
    }
  } finally {
    for (const cursor of cursors) await cursor.close();
  }
}

/** The head of a stream of chunks, reading the next chunk only when the last one is used up. */
class Cursor<T> {
  private chunk: readonly T[] = [];
  private index = 0;
  private done = false;

  constructor(private readonly chunks: AsyncGenerator<readonly T[]>) {}

  async peek(): Promise<T | undefined> {
    while (!this.done && this.index >= this.chunk.length) {
      const next = await this.chunks.next();
      if (next.done) this.done = true;
      else [this.chunk, this.index] = [next.value, 0];
    }
    return this.head();
  }

  head(): T | undefined {
    return this.done ? undefined : this.chunk[this.index];
  }

  take(): T {
    const item = this.chunk[this.index++];
    if (item === undefined) throw new Error('Cursor.take without a head');
    return item;
  }

  async close(): Promise<void> {
    await this.chunks.return(undefined);
  }
}

/**
 * The order of `listRows` (store/sql/list-rows.ts) across both tables: absent values last whatever the direction,
 * then the value, then id, both in the requested direction; a User before a Group only if even
 * their ids tie. `undefined` (a row gone between two reads) sorts after everything.
 */
export function compareSources(
  x: SortSource | undefined,
  xRank: number,
  y: SortSource | undefined,
  yRank: number,
  key: (s: SortSource) => SortValue,
  descending: boolean,
): number {
  if (x === undefined || y === undefined) return (x === undefined ? 1 : 0) - (y === undefined ? 1 : 0);
  const [kx, ky] = [key(x), key(y)];
  if (kx === null || ky === null) {
    if (kx !== ky) return kx === null ? 1 : -1;
  } else {
    const byValue = typeof kx === 'number' && typeof ky === 'number' ? kx - ky : codePointOrder(String(kx), String(ky));
    if (byValue !== 0) return descending ? -byValue : byValue;
  }
  const byId = codePointOrder(x.id, y.id);
  if (byId !== 0) return descending ? -byId : byId;
  return xRank - yRank;
}

/**
 * UTF-8 byte order, which both databases sort text in (SQLite BINARY, PostgreSQL `collate "C"`).
 * JavaScript's `<` compares UTF-16 code units instead, which puts a character beyond U+FFFF
 * (a surrogate pair) before U+E000-U+FFFF; byte order puts it after.
 */
export function codePointOrder(x: string, y: string): number {
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const [cx, cy] = [x.charCodeAt(i), y.charCodeAt(i)];
    if (cx === cy) continue;
    const [sx, sy] = [cx >= 0xd800 && cx <= 0xdfff, cy >= 0xd800 && cy <= 0xdfff];
    if (sx !== sy) return sx ? 1 : -1;
    return cx - cy;
  }
  return x.length - y.length;
}
