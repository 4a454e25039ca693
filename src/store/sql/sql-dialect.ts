import type { RawBuilder, SelectQueryBuilder } from 'kysely';
import type { UnavailableReason } from '../store-errors.js';

/**
 * Everything SQLite and PostgreSQL do differently, as hooks. Business code never asks which
 * database it runs on; it calls these.
 */
export interface SqlDialectHooks {
  readonly name: 'sqlite' | 'postgres';
  /** Statement that opens a write transaction (SQLite takes the write lock up front). */
  readonly beginSql: string;
  /**
   * Whether concurrent transactions commit together (commit-group.ts): worth it where one writer
   * runs at a time anyway and a COMMIT's cost is the pages it writes (SQLite). Never where
   * transactions run side by side (PostgreSQL): a group would hold one's row locks for the others.
   */
  readonly groupCommit: boolean;
  /**
   * Brings the planner's statistics of the tables an initial sync fills up to date, run as they
   * grow (table-growth.ts): PostgreSQL plans from them, and has none for a table autovacuum has
   * not analyzed yet. Absent on SQLite, whose planner ranks indexes by their columns, not by
   * statistics the service never gathers.
   */
  readonly analyzeSql?: string;
  /**
   * Whether reads made to change a row lock it (`for no key update`). SQLite has no row locks
   * and needs none: BEGIN IMMEDIATE already serializes writers.
   */
  readonly lockRows: boolean;
  /**
   * Locks the rows a claim reads and passes over those another transaction holds (PostgreSQL:
   * FOR UPDATE SKIP LOCKED), so instances claiming at once take different rows without waiting
   * (webhook delivery leases). SQLite needs none: BEGIN IMMEDIATE lets one claimer in at a time.
   */
  claimRows<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O>;
  /**
   * Byte-wise "column contains value" (never LIKE: case-insensitive on SQLite, and slow on both).
   * Case-insensitive filters pass the folded `_ci` column and the folded value. `value` is never
   * empty and a NULL column may answer NULL: the caller handles both.
   */
  containsExact(column: RawBuilder<unknown>, value: string): RawBuilder<boolean>;
  /** Byte-wise "column starts with value", in a form the column's index can answer if it can. */
  startsWithExact(column: RawBuilder<unknown>, value: string): RawBuilder<boolean>;
  endsWithExact(column: RawBuilder<unknown>, value: string): RawBuilder<boolean>;
  /** How much one list filter may make this database do, and what each kind of test costs. */
  readonly filterCost: FilterCostModel;
  /** A column in byte order for gt/lt and sorting, whatever the database collation. */
  byteOrder(column: RawBuilder<unknown>): RawBuilder<unknown>;
  /** Maps a driver error to the unique key it violated, if it is a unique violation. */
  uniqueViolationKey(error: unknown): string | undefined;
  /**
   * Whether a failed setup statement (SqlStore `setupSql`, run before migrations) lost a race to
   * another instance running the same statement, so that what it sets up now exists.
   */
  isSetupRace(error: unknown): boolean;
  /** Statements that take and release a lock serializing migrations across instances. */
  readonly migrationLock?: MigrationLock;
  /** A failure after which the whole transaction may simply run again. */
  isRetryable(error: unknown): boolean;
  /**
   * Whether a driver error means the database cannot serve now (see StoreUnavailable), and why;
   * undefined for every other error.
   */
  unavailableReason(error: unknown): UnavailableReason | undefined;
}

/**
 * The strings that start with `prefix` are exactly those in [prefix, upper) in code point order,
 * which is UTF-8 byte order: `upper` is `prefix` with its last code point incremented (U+10FFFF,
 * the largest, is dropped and the one before it incremented instead). Undefined when there is no
 * upper bound (the prefix is all U+10FFFF): then `>= prefix` alone is exact.
 *
 * Lone surrogates are read as U+FFFD first, as the drivers encode them when they bind a value, so
 * the bounds are those of the bytes the database compares.
 */
export function prefixRange(prefix: string): { lower: string; upper: string | undefined } {
  const lower = prefix.replace(LONE_SURROGATE, '\ufffd');
  const points = Array.from(lower, (c) => c.codePointAt(0) ?? 0);
  while (points.length > 0) {
    const last = (points.pop() ?? 0) + 1;
    if (last > 0x10ffff) continue;
    // U+D800..U+DFFF are not characters; the next one after U+D7FF is U+E000.
    points.push(last === 0xd800 ? 0xe000 : last);
    return { lower, upper: String.fromCodePoint(...points) };
  }
  return { lower, upper: undefined };
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * The filter cost rule's figures for one database (compile-filter.ts; docs/scaling.md "Filter
 * cost"). Work is counted in units: 1 is reading one row through an index, or testing one value
 * with eq, ne, gt, sw or pr; co and ew add their search, per KiB of the values searched. The
 * figures are worst cases measured by
 * bench/filter-worst-case.ts on values at the caps (runs of one letter, which substring search
 * backtracks on), because the rule must hold for whatever a tenant chose to store.
 *
 * Values that only the document cap bounds (title, emails.display: up to 64 KB) are charged by the
 * size they have, per KiB: octet_length() reads it from the row header on both databases, without
 * touching the value, and one row may hold 60 KB where the next holds 6 bytes.
 */
export interface FilterCostModel {
  /** Most work one list request may cost; more is refused with 400 tooMany before it runs. */
  readonly budget: number;
  /**
   * co or ew, per KiB of the values searched, with a literal of MAX_SUBSTRING_PATTERN_LENGTH
   * characters: the search may compare the whole literal at every position.
   */
  readonly substringPerKiB: number;
  /** The same with a literal of one or two characters; lengths between are interpolated. */
  readonly shortSubstringPerKiB: number;
  /** Reading a value only the document cap bounds, per KiB of it (PostgreSQL detoasts it). */
  readonly longValuePerKiB: number;
  /**
   * Reading a column no index holds, per KiB of the whole row: SQLite walks the row's overflow
   * pages up to the column, wherever the large values sit. PostgreSQL keeps large values out of
   * line, so a row read costs the same whatever it holds.
   */
  readonly rowPerKiB: number;
  /**
   * Fetching a resource row that an index other than the primary key found, to sort the page by
   * id: every match of such a lookup is fetched, however few the page shows.
   */
  readonly rowFetch: number;
  /**
   * The rule's own work per row whose value sizes it measures outside an index: octet_length()
   * skips the values, but the row itself is read.
   */
  readonly measurePerRow: number;
  /** Whether sw, gt, ge, lt and le on an indexed text column read its index as a range. */
  readonly rangesUseIndex: boolean;
}

/** How migrations take their lock, and how their connection is set up for long statements. */
export interface MigrationLock {
  readonly acquire: string;
  readonly release: string;
  readonly currentSchema: string;
  readonly sessionStart?: string;
  readonly sessionEnd?: string;
}
