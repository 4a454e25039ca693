import type { RawBuilder } from 'kysely';

/**
 * Everything SQLite and PostgreSQL do differently, as hooks. Business code never asks which
 * database it runs on; it calls these.
 */
export interface SqlDialectHooks {
  readonly name: 'sqlite' | 'postgres';
  /** Statement that opens a write transaction (SQLite takes the write lock up front). */
  readonly beginSql: string;
  /**
   * Whether reads made to change a row lock it (`for no key update`). SQLite has no row locks
   * and needs none: BEGIN IMMEDIATE already serializes writers.
   */
  readonly lockRows: boolean;
  /** Case-sensitive "column contains value" (LIKE is case-insensitive on SQLite). */
  containsExact(column: RawBuilder<unknown>, value: string): RawBuilder<boolean>;
  startsWithExact(column: RawBuilder<unknown>, value: string): RawBuilder<boolean>;
  endsWithExact(column: RawBuilder<unknown>, value: string): RawBuilder<boolean>;
  /** A column in byte order for gt/lt and sorting, whatever the database collation. */
  byteOrder(column: RawBuilder<unknown>): RawBuilder<unknown>;
  /** Maps a driver error to the unique key it violated, if it is a unique violation. */
  uniqueViolationKey(error: unknown): string | undefined;
  /** Statements that take and release a lock serializing migrations across instances. */
  readonly migrationLock?: { readonly acquire: string; readonly release: string; readonly currentSchema: string };
  /** A failure after which the whole transaction may simply run again. */
  isRetryable(error: unknown): boolean;
}

/** Escapes LIKE wildcards so a client's `%`, `_` and `\` match themselves (with ESCAPE '\'). */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
