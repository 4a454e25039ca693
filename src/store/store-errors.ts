/**
 * Data-layer facts, mapped from driver codes in one place per dialect. Services turn them into
 * SCIM errors; nothing above the store sees a driver error.
 */
export class UniqueViolation extends Error {
  /** Which unique key clashed: 'userName', 'externalId', 'tokenHash', ... */
  readonly key: string;
  constructor(key: string) {
    super(`unique violation on ${key}`);
    this.name = 'UniqueViolation';
    this.key = key;
  }
}

/** A row another transaction changed or removed since it was read (optimistic concurrency). */
export class ConcurrentUpdate extends Error {
  constructor() {
    super('row changed concurrently');
    this.name = 'ConcurrentUpdate';
  }
}

/** Why the database could not serve a statement; each reason is an operational condition, not a bug. */
export type UnavailableReason =
  | 'statementTimeout'
  | 'poolTimeout'
  | 'busy'
  | 'connection'
  /** No space left for the write (SQLite's disk, PostgreSQL's disk_full). */
  | 'diskFull'
  /** The database refuses writes: a read-only filesystem or file, a PostgreSQL standby after a failover. */
  | 'readOnly';

/**
 * The database could not answer in time or at all (a statement timeout, no free pooled connection,
 * SQLite's write lock held too long, the server down). Callers answer 503 with Retry-After: the
 * request did nothing (its transaction rolled back) and may simply be sent again.
 */
export class StoreUnavailable extends Error {
  readonly reason: UnavailableReason;
  constructor(reason: UnavailableReason, cause: unknown) {
    super(`database unavailable (${reason})`, { cause });
    this.name = 'StoreUnavailable';
    this.reason = reason;
  }
}

/** A DATABASE_URL that names no database the service knows how to open. */
export class DatabaseUrlError extends Error {}

/**
 * The database a DATABASE_URL names does not exist, or is not one of ours, where it must not be
 * created (the CLI): a setting to correct, like a malformed URL.
 */
export class DatabaseMissing extends DatabaseUrlError {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseMissing';
  }
}

/**
 * A checked filter names an attribute this store keeps no column or child rows for (`password`,
 * `addresses`, `name` as a whole): a limit of the store, not a protocol error, so it is a store
 * error that the service answers with 400 invalidFilter (`notFilterableError` in
 * scim/list-request.ts). `at` is the 0-based offset of the term in the filter.
 */
export class NotFilterable extends Error {
  constructor(
    readonly resourceType: string,
    readonly path: string,
    readonly at: number,
    /** What the store can filter on, for the client: attribute-map.ts `filterable`. */
    readonly filterable: readonly string[],
  ) {
    super(`${resourceType} cannot be filtered on ${path}`);
    this.name = 'NotFilterable';
  }
}

/** A checked sortBy this store has no column to order by; the service answers `notSortableError`. */
export class NotSortable extends Error {
  constructor(
    readonly resourceType: string,
    readonly path: string,
  ) {
    super(`${resourceType} cannot be sorted by ${path}`);
    this.name = 'NotSortable';
  }
}

/**
 * A filter that would cost more than the dialect's budget for this organization's size: the
 * store measured it and refused to run it. `detail` says what it would read and what to filter
 * with instead; the service answers 400 tooMany (RFC 7644 §3.12) with it.
 */
export class FilterTooCostly extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'FilterTooCostly';
  }
}

/**
 * A backup that was not made, and why: the target exists (and replacing it was not asked for),
 * its folder does not exist, it is the database itself, the copy failed its check, or this
 * database has no file to copy (PostgreSQL: pg_dump does it). Nothing was written.
 */
export class BackupRefused extends Error {
  constructor(
    readonly reason: 'exists' | 'folder' | 'source' | 'corrupt' | 'unsupported',
    message: string,
  ) {
    super(message);
    this.name = 'BackupRefused';
  }
}
