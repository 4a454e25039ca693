import type { CompiledQuery, DatabaseConnection, Dialect, Driver, QueryResult, TransactionSettings } from 'kysely';
import { StoreUnavailable, type UnavailableReason } from '../store-errors.js';

/**
 * Wraps a Kysely dialect so that every driver failure meaning "the database cannot serve this
 * now" (a statement timeout, no pooled connection free in time, a lock held too long, the server
 * gone) leaves the store as one {@link StoreUnavailable}, whichever statement hit it. Doing it at
 * the driver is the one place every query, transaction and connection checkout passes through;
 * any other error passes unchanged (unique violations, serialization failures: the store's
 * own hooks read those).
 */
export function withUnavailableErrors(
  dialect: Dialect,
  classify: (error: unknown) => UnavailableReason | undefined,
  retryLater?: RetryLater,
): Dialect {
  // Async, so that a driver throwing synchronously is mapped too: better-sqlite3 runs the
  // statement inside Kysely's executeQuery and throws SQLITE_BUSY or SQLITE_FULL before any
  // promise exists (those requests were answered 500).
  const mapped = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof StoreUnavailable) throw error;
      const reason = classify(error);
      throw reason === undefined ? error : new StoreUnavailable(reason, error);
    }
  };
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () => new UnavailableDriver(dialect.createDriver(), mapped, retryLater),
  };
}

/**
 * For a statement that failed: how long to wait before running it again, or undefined to fail.
 * `waitedMs` is the time since its first run. Only for failures after which the statement had no
 * effect (SQLite's SQLITE_BUSY outside a transaction, open-sqlite.ts).
 */
export type RetryLater = (error: unknown, waitedMs: number) => number | undefined;

type Mapped = <T>(run: () => Promise<T>) => Promise<T>;

async function retrying<T>(run: () => Promise<T>, retryLater: RetryLater | undefined): Promise<T> {
  if (retryLater === undefined) return run();
  const started = performance.now();
  for (;;) {
    try {
      return await run();
    } catch (error) {
      const delay = retryLater(error, performance.now() - started);
      if (delay === undefined) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

class UnavailableDriver implements Driver {
  /** The driver's own connection behind each wrapper, for release. */
  private readonly inner = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(
    private readonly driver: Driver,
    private readonly mapped: Mapped,
    private readonly retryLater: RetryLater | undefined,
  ) {}

  init(): Promise<void> {
    return this.mapped(() => this.driver.init());
  }

  /** The wrapper of each driver connection: made once, since SQLite acquires its one connection per query. */
  private readonly wrappers = new WeakMap<DatabaseConnection, DatabaseConnection>();

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.mapped(() => this.driver.acquireConnection());
    let wrapper = this.wrappers.get(connection);
    if (wrapper === undefined) {
      const { mapped, retryLater } = this;
      wrapper = {
        executeQuery: <R>(query: CompiledQuery): Promise<QueryResult<R>> =>
          mapped(() => retrying(() => connection.executeQuery<R>(query), retryLater)),
        streamQuery: <R>(query: CompiledQuery, chunkSize?: number) => connection.streamQuery<R>(query, chunkSize),
      };
      this.wrappers.set(connection, wrapper);
      this.inner.set(wrapper, connection);
    }
    return wrapper;
  }

  private unwrap(connection: DatabaseConnection): DatabaseConnection {
    return this.inner.get(connection) ?? connection;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.mapped(() => this.driver.beginTransaction(this.unwrap(connection), settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.mapped(() => this.driver.commitTransaction(this.unwrap(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.mapped(() => this.driver.rollbackTransaction(this.unwrap(connection)));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.driver.releaseConnection(this.unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.driver.destroy();
  }
}
