import type { CompiledQuery, Kysely } from 'kysely';
import type { Database } from './db-schema.js';
import { preparedQuery } from './prepared-query.js';
import type { SqlDialectHooks } from './sql-dialect.js';

/**
 * Row counts compiled once and kept: a write of a user, its few e-mails, its log entry and event
 * is one to a handful of rows. A larger batch (a group PATCH's events, a log flush) compiles as
 * Kysely always did; its build is shared by its many rows, and the compiled texts stay bounded.
 */
export const MAX_PREPARED_ROWS = 8;
/**
 * The largest piece a batch (a log flush, a group PATCH's events) is written in: 64 rows of the
 * widest table (the log's 18 columns) bind 1,152 parameters, far below either database's limit.
 */
export const MAX_PIECE_ROWS = 64;

/**
 * `rows` as the pieces a batch is inserted in: as many of MAX_PIECE_ROWS as fit, then the rest
 * in powers of two (37 = 32 + 4 + 1). Every piece is then a row count preparedInsert keeps
 * compiled, so a flush of any size runs through at most eight statement texts, each built once,
 * instead of Kysely building, compiling and SQLite preparing a new 3,600-parameter text per size.
 */
export function insertPieces<T>(rows: readonly T[]): T[][] {
  const pieces: T[][] = [];
  let at = 0;
  for (let size = MAX_PIECE_ROWS; size >= 1; size /= 2) {
    while (rows.length - at >= size) {
      pieces.push(rows.slice(at, at + size));
      at += size;
    }
  }
  return pieces;
}

const isPreparedCount = (count: number) =>
  count <= MAX_PREPARED_ROWS || (count <= MAX_PIECE_ROWS && (count & (count - 1)) === 0);

/**
 * An INSERT of a fixed column set, compiled once per (dialect, row count) through preparedQuery
 * (so PostgreSQL keeps it as a named statement too): each call only lays its rows' values out as
 * the parameters. Building and compiling a 30-column insert with Kysely cost more than SQLite
 * took to run it. Every row must have exactly `columns` (a missing one would be bound as NULL
 * where Kysely would have left the column out): prepared-insert.test.ts compares the two.
 */
export function preparedInsert<T extends keyof Database & string>(table: T, columns: readonly string[]) {
  const byCount = new Map<number, (db: Kysely<Database>, hooks: SqlDialectHooks, args: unknown[]) => CompiledQuery>();
  const width = columns.length;
  const statementOf = (count: number) => {
    let statement = byCount.get(count);
    if (statement === undefined) {
      // Parameter names are the positions of the values, row after row: the arguments are then
      // just the flat array of values.
      const names = Array.from({ length: count * width }, (_, i) => String(i));
      const query = preparedQuery(names, (db, _hooks, _variant: '', a) => {
        const rows = Array.from({ length: count }, (_, r) =>
          Object.fromEntries(columns.map((column, c) => [column, a[String(r * width + c)]])),
        );
        return db.insertInto(table).values(rows as never);
      });
      statement = (db, hooks, args) => query(db, hooks, '', args as unknown as Record<string, unknown>);
      byCount.set(count, statement);
    }
    return statement;
  };
  return (db: Kysely<Database>, hooks: SqlDialectHooks, rows: readonly object[]) => {
    if (rows.length === 0) throw new Error(`prepared insert into ${table}: no rows`);
    if (!isPreparedCount(rows.length))
      return db
        .insertInto(table)
        .values(rows as never)
        .compile();
    const values: unknown[] = new Array(rows.length * width);
    let i = 0;
    for (const row of rows)
      for (const column of columns) values[i++] = (row as Record<string, unknown>)[column] ?? null;
    return statementOf(rows.length)(db, hooks, values);
  };
}
