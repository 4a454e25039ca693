import { sql } from 'kysely';
import { prefixRange, type SqlDialectHooks } from '../sql/sql-dialect.js';
import { StoreUnavailable } from '../store-errors.js';

/** Index name → the SCIM key it protects, for SQLITE_CONSTRAINT_UNIQUE messages. */
const uniqueColumns: Record<string, string> = {
  'users.user_name_ci': 'userName',
  'users.external_id': 'externalId',
  'tokens.token_hash': 'tokenHash',
  'orgs.id': 'orgId',
  'orgs.external_ref': 'externalRef',
  'users.id': 'id',
  'teams.external_id': 'externalId',
  'teams.id': 'id',
};

export const sqliteHooks: SqlDialectHooks = {
  name: 'sqlite',
  // Deferred transactions upgrade to a write lock mid-way and fail with SQLITE_BUSY when another
  // process (the CLI, say) writes; IMMEDIATE waits on busy_timeout instead.
  beginSql: 'begin immediate',
  groupCommit: true,
  lockRows: false,
  claimRows: (query) => query,
  containsExact: (column, value) => sql<boolean>`instr(${column}, ${value}) > 0`,
  // A range on the column, not substr(): SQLite answers it from the column's index (userName,
  // emails.value, externalId, ...), where substr() or LIKE 'x%' read every row. Text compares as
  // memcmp of UTF-8 here, the order prefixRange assumes.
  startsWithExact: (column, value) => {
    const { lower, upper } = prefixRange(value);
    return upper === undefined
      ? sql<boolean>`${column} >= ${lower}`
      : sql<boolean>`(${column} >= ${lower} and ${column} < ${upper})`;
  },
  // Lengths are measured by SQLite in characters, never by JS in UTF-16 units. Callers handle the
  // empty value (always true), for which substr(x, -0) would not work.
  endsWithExact: (column, value) => sql<boolean>`substr(${column}, -length(${value})) = ${value}`,
  byteOrder: (column) => column,
  // Statements run on the event loop: while one runs, no other tenant is served, so the budget is
  // what costs about 30 ms per statement here (count and page: about 60 ms a request; measured
  // with bench/noisy-neighbour.ts, 200,000 units let another tenant's p99 reach 350 ms). A unit is
  // ~0.6 µs, one index entry read. instr() over runs of "a": 5.4 µs a KiB for "aaa...ab" (256
  // characters), 2.4 µs for "ab"; reaching a column behind a 60,000-character value 23 µs; a row
  // found by userName sw, fetched to sort the page, 4.5 µs; octet_length(doc) of a row 1.5 µs.
  filterCost: {
    budget: 50_000,
    substringPerKiB: 10,
    shortSubstringPerKiB: 4,
    longValuePerKiB: 0,
    rowPerKiB: 1,
    rowFetch: 8,
    measurePerRow: 3,
    rangesUseIndex: true,
  },
  uniqueViolationKey(error) {
    const e = error as { code?: unknown; message?: unknown };
    if (e?.code !== 'SQLITE_CONSTRAINT_UNIQUE' && e?.code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') return undefined;
    const message = String(e.message ?? '');
    for (const [columns, key] of Object.entries(uniqueColumns)) {
      if (message.includes(columns)) return key;
    }
    return 'unknown';
  },
  // SQLite has no setup statements (openSqlite passes none): any failure there is real.
  isSetupRace: () => false,
  // With BEGIN IMMEDIATE and busy_timeout, writers queue; a SQLITE_BUSY that still escapes
  // (another process held the lock past the timeout) is worth one more try.
  isRetryable: (error) => {
    const busy = error instanceof StoreUnavailable && error.reason === 'busy';
    return busy || (error as { code?: unknown })?.code === 'SQLITE_BUSY';
  },
  unavailableReason(error) {
    const code = String((error as { code?: unknown })?.code ?? '');
    // Another process (the CLI, a backup) held the write lock past busy_timeout.
    if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code.startsWith('SQLITE_LOCKED')) return 'busy';
    // The disk (or its quota) is full: the write is refused whole and works once space is freed.
    if (code === 'SQLITE_FULL') return 'diskFull';
    // The file or its filesystem became read-only (a filesystem remounted read-only after disk
    // errors, permissions changed under the server).
    if (code.startsWith('SQLITE_READONLY')) return 'readOnly';
    // The file cannot be read or written (I/O error, file or folder gone): nothing the request
    // did wrong, and it works again once the file is back.
    if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN')) return 'connection';
    return undefined;
  },
};
