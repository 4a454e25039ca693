import { type Kysely, sql } from 'kysely';
import type { RowsQuery } from '../store.js';
import type { AttributeMap } from './attribute-map.js';
import { compileListFilter, sortColumn } from './compile-filter.js';
import type { Database } from './db-schema.js';
import type { SqlDialectHooks } from './sql-dialect.js';
import type { userReadColumns } from './user-row.js';

/**
 * One list implementation for every resource table: organization predicate first and outside
 * the compiled filter, then sort (absent values last, the same on both databases), then id as
 * the tie-breaker so pages are stable.
 */
export async function listRows<T extends 'users' | 'teams', C extends readonly string[]>(
  db: Kysely<Database>,
  hooks: SqlDialectHooks,
  table: T,
  map: AttributeMap,
  orgId: string,
  query: RowsQuery,
  columns: C,
  withDeleted = false,
) {
  // sortBy is checked before anything runs: a bad one is refused whether or not rows match.
  const sortTarget = query.sortBy ? sortColumn(map, query.sortBy) : undefined;
  const where = await compileListFilter(db, map, hooks, orgId, query);
  // Both tables share org_id, id and the meta columns, all this function names; typing the
  // builder as `users` lets Kysely check those names.
  let base = db
    .selectFrom(`${table} as r` as 'users as r')
    .where('r.org_id', '=', orgId)
    .where(where);
  if (map.live && !withDeleted) base = base.where(map.live);
  const total =
    query.knownTotal ??
    Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  if (query.limit === 0 || query.offset >= total) return { total, rows: [] };
  let page = base.select(columns as unknown as typeof userReadColumns);
  const direction = query.sortOrder === 'descending' ? 'desc' : 'asc';
  if (sortTarget) {
    const target = sortTarget;
    const column = sql.ref(`r.${target.ciColumn ?? target.column}`);
    // Byte order for strings only: PostgreSQL has no collation for bigint (meta.*) or active.
    const ordered = target.type === 'string' ? hooks.byteOrder(column) : column;
    page = page.orderBy(sql`case when ${column} is null then 1 else 0 end`).orderBy(ordered, direction);
  }
  const rows = await page.orderBy('r.id', direction).offset(query.offset).limit(query.limit).execute();
  return { total, rows };
}

/** Characters of the documents of a page (Page.docChars). */
export function docChars(rows: readonly { doc: string }[]): number {
  let chars = 0;
  for (const row of rows) chars += row.doc.length;
  return chars;
}
