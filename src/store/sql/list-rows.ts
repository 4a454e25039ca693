import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Filter } from '../../scim/filter/ast.js';
import type { CheckedFilter } from '../../scim/filter/check-filter.js';
import { printAttrPath, printFilter } from '../../scim/filter/print-filter.js';
import type { RowsQuery } from '../store.js';
import type { AttributeMap, ColumnTarget } from './attribute-map.js';
import { compileListFilter, sortColumn, uniqueLookup } from './compile-filter.js';
import type { Database } from './db-schema.js';
import type { ListKey, ListPositions } from './list-positions.js';
import { preparedQuery } from './prepared-query.js';
import { rowLimit } from './row-limit.js';
import type { SqlDialectHooks } from './sql-dialect.js';
import type { userReadColumns } from './user-row.js';

/**
 * One list implementation for every resource table: organization predicate first and outside
 * the compiled filter, then sort (absent values last, the same on both databases), then id as
 * the tie-breaker so pages are stable.
 *
 * With `memory` (list-positions.ts), a page whose start an earlier read left behind is read from
 * there by keyset instead of OFFSET, and the count is one an earlier read made: the same rows,
 * without walking the ones before them.
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
  memory?: ListPositions,
) {
  // sortBy is checked before anything runs: a bad one is refused whether or not rows match.
  const sortTarget = query.sortBy ? sortColumn(map, query.sortBy) : undefined;
  const lookup = sortTarget || withDeleted ? undefined : uniqueLookup(query.filter as CheckedFilter | undefined, map);
  // A unique lookup compiles to no SQL but its own, and nothing in it can be refused.
  const where = lookup ? undefined : await compileListFilter(db, map, hooks, orgId, query);
  const stamp = memory?.stamp() ?? 0;
  const lists = memory && listNames(table, query, withDeleted);
  let statements: ReturnType<typeof listQueries<C>> | undefined;
  const queries = () => {
    statements ??= listQueries(
      db,
      hooks,
      table,
      map,
      orgId,
      where ?? lookupWhere(lookup),
      sortTarget,
      query,
      columns,
      withDeleted,
    );
    return statements;
  };
  let total = query.knownTotal ?? (lists && memory.count(orgId, lists.count));
  type Row = Awaited<ReturnType<ReturnType<typeof queries>['page']['execute']>>[number];
  let found: (Row | undefined)[] | undefined;
  if (lookup && total === undefined && query.offset === 0 && query.limit > 1) {
    // One row at most: the statement is compiled once per table, column and order (LIMIT 2
    // answers every page size above 1), where Kysely's build and compile cost more than the read.
    const shape = { table, column: lookup.column, order: query.sortOrder } as const;
    const { rows } = await db.executeQuery(uniqueLookupPage(db, hooks, shape, map, columns, orgId, lookup.value));
    // More than one would be a broken index: the general path below then answers as always.
    if (rows.length < 2) {
      found = rows as Row[];
      total = rows.length;
    }
  }
  if (total === undefined && query.offset === 0 && query.limit > 0) {
    // The first page before any count: one that is not full is the whole answer and its length
    // the count. A lookup by userName or externalId (one match or none: what every IdP sends
    // before each create) then costs one statement, not two.
    found = await queries().page.limit(rowLimit(query.limit)).execute();
    if (found.length < query.limit) total = found.length;
  }
  if (total === undefined) {
    const { base } = queries();
    total = Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    if (lists) memory.keepCount(orgId, lists.count, total, stamp);
  }
  if (query.limit === 0 || query.offset >= total) return { total, rows: [] };
  const start = lists && memory.position(orgId, lists.page, query.offset);
  if (found === undefined) {
    const { page, ids, order } = queries();
    if (start) {
      found = await page.where(order.after(start)).limit(rowLimit(query.limit)).execute();
    } else if (query.offset > 0) {
      // A deferred join: the OFFSET walks only the ids of an index (0014-scale-indexes.ts), then
      // only the page's rows are read whole. Two statements rather than one join: PostgreSQL
      // without statistics yet (a table just loaded) plans the join as a nested loop that runs the
      // OFFSET once per row of the organization. With memory, one row more, the one before the
      // page: where this page starts, for the next request of it.
      const skip = lists ? query.offset - 1 : query.offset;
      const take = lists ? query.limit + 1 : query.limit;
      const pageIds = (await ids.offset(skip).limit(rowLimit(take)).execute()).map((row) => row.id);
      found = pageIds.length === 0 ? [] : await page.where('r.id', 'in', pageIds).execute();
      // By id: a write between the two statements may have moved or removed it.
      const at = lists ? found.findIndex((row) => row?.id === pageIds[0]) : -1;
      if (lists && at >= 0) {
        const [before] = found.splice(at, 1);
        if (at === 0 && before) memory.keepPosition(orgId, lists.page, query.offset, keyOf(before), stamp);
      }
    } else {
      found = await page.limit(rowLimit(query.limit)).execute();
    }
  }
  const rows = found.filter((row) => row !== undefined);
  const last = rows.at(-1);
  if (lists && last) memory.keepPosition(orgId, lists.page, query.offset + rows.length, keyOf(last), stamp);
  for (const row of rows) delete (row as { list_key?: unknown }).list_key;
  return { total, rows };
}

/** The WHERE of a unique lookup: compareString's `eq`, on the column uniqueLookup chose. */
function lookupWhere(lookup: { readonly column: string; readonly value: unknown } | undefined): RawBuilder<boolean> {
  if (!lookup) throw new Error('listRows: neither a filter nor a lookup');
  return sql<boolean>`(${sql.ref(`r.${lookup.column}`)} = ${lookup.value})`;
}

type LookupShape = {
  readonly table: 'users' | 'teams';
  readonly column: string;
  readonly order: RowsQuery['sortOrder'];
};

/** The prepared unique lookups of one column list (each table reads with its own, a constant). */
const lookupPages = new WeakMap<object, ReturnType<typeof preparedLookupPage>>();

function preparedLookupPage(map: AttributeMap, columns: readonly string[]) {
  return preparedQuery(['orgId', 'value'], (db, hooks, variant: string, a) => {
    const shape = JSON.parse(variant) as LookupShape;
    const { page } = listQueries(
      db,
      hooks,
      shape.table,
      map,
      a.orgId,
      lookupWhere({ column: shape.column, value: a.value }),
      undefined,
      { sortOrder: shape.order },
      columns,
      // Support's view with retained users is never a unique lookup (userName is unique among
      // live users only).
      false,
    );
    return page.limit(rowLimit(2));
  });
}

/** The first page of a unique lookup, listQueries' own statement compiled once per shape. */
export function uniqueLookupPage(
  db: Kysely<Database>,
  hooks: SqlDialectHooks,
  shape: LookupShape,
  map: AttributeMap,
  columns: readonly string[],
  orgId: string,
  value: string,
) {
  let prepared = lookupPages.get(columns);
  if (prepared === undefined) {
    prepared = preparedLookupPage(map, columns);
    lookupPages.set(columns, prepared);
  }
  return prepared(db, hooks, JSON.stringify(shape), { orgId, value });
}

/**
 * The statements of a list: `base` (its rows, for the count), `page` (in list order, with the
 * sort key of each row as `list_key`), `ids` (the same order, ids only, for a deferred join),
 * and `order.after(key)`, the rows after a key in that order.
 */
export function listQueries<C extends readonly string[]>(
  db: Kysely<Database>,
  hooks: SqlDialectHooks,
  table: 'users' | 'teams',
  map: AttributeMap,
  orgId: string,
  where: RawBuilder<boolean>,
  sortTarget: ColumnTarget | undefined,
  query: Pick<RowsQuery, 'sortOrder'>,
  columns: C,
  withDeleted: boolean,
) {
  // Both tables share org_id, id and the meta columns, all this function names; typing the
  // builder as `users` lets Kysely check those names.
  let base = db
    .selectFrom(`${table} as r` as 'users as r')
    .where('r.org_id', '=', orgId)
    .where(where);
  if (map.live && !withDeleted) base = base.where(map.live);
  const order = sortOrder(hooks, sortTarget, query.sortOrder);
  let page = base.select(columns as unknown as typeof userReadColumns).select(order.key.as('list_key'));
  if (order.nullsLast) page = page.orderBy(order.nullsLast);
  if (order.value) page = page.orderBy(order.value, order.direction);
  page = page.orderBy('r.id', order.direction);
  let ids = base.select('r.id');
  if (order.nullsLast) ids = ids.orderBy(order.nullsLast);
  if (order.value) ids = ids.orderBy(order.value, order.direction);
  ids = ids.orderBy('r.id', order.direction);
  return { base, page, ids, order };
}

/** The order of a list and, for keyset reads, the rows after a key in that order. */
function sortOrder(hooks: SqlDialectHooks, target: ColumnTarget | undefined, sortOrder: RowsQuery['sortOrder']) {
  const direction = sortOrder === 'descending' ? 'desc' : 'asc';
  const id = sql.ref('r.id');
  const later = direction === 'desc' ? sql.raw('<') : sql.raw('>');
  if (!target) {
    return {
      direction,
      key: sql<unknown>`null`,
      nullsLast: undefined,
      value: undefined,
      after: (start: ListKey) => sql<boolean>`${id} ${later} ${start.id}`,
    } as const;
  }
  const column = sql.ref(`r.${target.ciColumn ?? target.column}`);
  // Byte order for strings only: PostgreSQL has no collation for bigint (meta.*) or active.
  const value: RawBuilder<unknown> = target.type === 'string' ? hooks.byteOrder(column) : column;
  return {
    direction,
    key: column,
    nullsLast: sql`case when ${column} is null then 1 else 0 end`,
    value,
    // Absent values sort last in both directions: after a present value come the later present
    // values and every absent one; after an absent value, only absent values with a later id.
    after: (start: ListKey) =>
      start.value === null || start.value === undefined
        ? sql<boolean>`(${column} is null and ${id} ${later} ${start.id})`
        : sql<boolean>`(${column} is null or ${value} ${later} ${start.value} or (${value} = ${start.value} and ${id} ${later} ${start.id}))`,
  } as const;
}

function keyOf(row: { id: string; list_key?: unknown }): ListKey {
  return { value: row.list_key ?? null, id: row.id };
}

/** What identifies a list for list-positions.ts: the match count's name, and the page order's. */
function listNames(table: string, query: RowsQuery, withDeleted: boolean): { count: string; page: string } {
  const filter = query.filter ? printFilter(query.filter as Filter) : '';
  const count = `${table}\u0000${withDeleted ? 'all' : 'live'}\u0000${filter}`;
  const sort = query.sortBy ? printAttrPath(query.sortBy) : '';
  return { count, page: `${count}\u0000${sort}\u0000${query.sortOrder}` };
}

/** Characters of the documents of a page (Page.docChars). */
export function docChars(rows: readonly { doc: string }[]): number {
  let chars = 0;
  for (const row of rows) chars += row.doc.length;
  return chars;
}
