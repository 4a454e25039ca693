import { type Kysely, sql } from 'kysely';
import { type MigrateOptions, type MigrationLevel, migrateToLatest, readMigrationLevel } from '../migrate.js';
import type { RateLimiter, RateLimitOptions } from '../rate-limiter.js';
import type { BackupCopy, CredentialsVersion, LogRecord, Store, StoreOps } from '../store.js';
import { BackupRefused, StoreUnavailable } from '../store-errors.js';
import { CommitGroups } from './commit-group.js';
import { CredentialWrites } from './credential-writes.js';
import type { Database } from './db-schema.js';
import { ListPositions } from './list-positions.js';
import type { SqlDialectHooks } from './sql-dialect.js';
import { SqlOps } from './sql-ops.js';
import { TableGrowth } from './table-growth.js';

/**
 * The one Store: SqlOps (sql-ops.ts) on the database itself, plus what only the whole store does:
 * transactions (with their retries and the events flushed before COMMIT), migrations, the rate
 * limiter and the credentials version.
 */
export class SqlStore extends SqlOps implements Store {
  readonly dialect: 'sqlite' | 'postgres';
  private readonly positions: ListPositions;
  /** What this store's migrate() calls applied, for the start-up report. */
  private readonly applied: string[] = [];
  /** Where transactions commit together (hooks.groupCommit); undefined: each commits alone. */
  private readonly groups: CommitGroups | undefined;

  constructor(
    private readonly kysely: Kysely<Database>,
    hooks: SqlDialectHooks,
    private readonly extras: {
      /** Statements run before migrations (e.g. creating the PostgreSQL schema). */
      readonly setupSql?: readonly string[];
      readonly rateLimiter: (options: RateLimitOptions) => RateLimiter;
      /**
       * Changes when another process commits to the database (SQLite's data_version); absent
       * where other writers cannot be seen without a round trip (PostgreSQL).
       */
      readonly externalWrites?: () => number;
      /** An online copy of the database file (SQLite); absent where there is no file (PostgreSQL). */
      readonly backup?: (target: string, options: { readonly replace: boolean }) => Promise<BackupCopy>;
      readonly migrator?: MigrateOptions;
    },
  ) {
    const positions = new ListPositions(extras.externalWrites);
    const analyzeSql = hooks.analyzeSql;
    const growth = analyzeSql ? new TableGrowth(() => sql.raw(analyzeSql).execute(kysely)) : undefined;
    super(kysely, hooks, new CredentialWrites(), false, positions, growth);
    this.positions = positions;
    this.dialect = hooks.name;
    this.groups = hooks.groupCommit ? new CommitGroups(kysely, hooks.beginSql) : undefined;
  }

  rateLimiter(options: RateLimitOptions): RateLimiter {
    return this.extras.rateLimiter(options);
  }

  credentialsVersion(): CredentialsVersion {
    const external = this.extras.externalWrites;
    return {
      stamp: `${this.credentials.version}:${external?.() ?? ''}`,
      complete: external !== undefined,
    };
  }

  async transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(fn);
      } catch (error) {
        // A serialization failure or deadlock victim is retried here, inside the service,
        // so the IdP never sees it.
        // A busy database already made this attempt wait its whole busy_timeout (on SQLite, with
        // the event loop blocked): one more try, not four, before the client is told to retry.
        const attempts = error instanceof StoreUnavailable ? MAX_UNAVAILABLE_ATTEMPTS : MAX_TRANSACTION_ATTEMPTS;
        if (!this.hooks.isRetryable(error) || attempt >= attempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 20 * attempt)));
      }
    }
  }

  /**
   * A batch of reads' and refusals' entries (log-batch.ts) commits once, whatever its pieces: one
   * commit instead of one per piece, and all of it or none, so that the entry-by-entry retry of
   * a refused batch does not write again what an earlier piece had committed.
   */
  override appendLogs(entries: readonly LogRecord[]): Promise<void> {
    if (entries.length <= 1) return super.appendLogs(entries);
    return this.transaction((tx) => tx.appendLogs(entries));
  }

  private once<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> {
    return this.groups ? this.inGroup(this.groups, fn) : this.alone(fn);
  }

  /**
   * One member of a group transaction. What it wrote counts as ended (credentials, list memory)
   * only once the group committed or rolled back: a reader may cache the old rows until then.
   */
  private async inGroup<T>(groups: CommitGroups, fn: (tx: StoreOps) => Promise<T>): Promise<T> {
    // A member may run more than once (commit-group.ts): each run's writes end with the group.
    const runs: { tx: SqlOps; lists: ReturnType<ListPositions['inTransaction']> }[] = [];
    try {
      return await groups.run(async (conn) => {
        const lists = this.positions.inTransaction();
        const tx = new SqlOps(conn, this.hooks, this.credentials, true, lists, this.growth);
        runs.push({ tx, lists });
        const result = await fn(tx);
        // Last in the member's savepoint: its events take their cursors in commit order.
        await tx.events.flush();
        return result;
      });
    } finally {
      for (const { tx, lists } of runs) {
        this.credentials.ended(tx.credentialWrites);
        lists.ended();
      }
    }
  }

  private alone<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> {
    // begin/commit by hand on one connection: Kysely's own begin cannot say BEGIN IMMEDIATE.
    return this.kysely.connection().execute(async (conn) => {
      await sql.raw(this.hooks.beginSql).execute(conn);
      const lists = this.positions.inTransaction();
      const tx = new SqlOps(conn, this.hooks, this.credentials, true, lists, this.growth);
      try {
        const result = await fn(tx);
        // Last before COMMIT: the organization's event counter is held for the commit only.
        await tx.events.flush();
        await sql.raw('commit').execute(conn);
        return result;
      } catch (error) {
        await sql
          .raw('rollback')
          .execute(conn)
          .catch(() => undefined);
        throw error;
      } finally {
        this.credentials.ended(tx.credentialWrites);
        lists.ended();
      }
    });
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.kysely);
  }

  async migrate(): Promise<readonly string[]> {
    for (const statement of this.extras.setupSql ?? []) {
      try {
        await sql.raw(statement).execute(this.kysely);
      } catch (error) {
        if (!this.hooks.isSetupRace(error)) throw error;
      }
    }
    const applied = await migrateToLatest(this.kysely, this.hooks.migrationLock, this.extras.migrator);
    this.applied.push(...applied);
    return applied;
  }

  get migrationsApplied(): readonly string[] {
    return this.applied;
  }

  migrationLevel(): Promise<MigrationLevel> {
    return readMigrationLevel(this.kysely);
  }

  backupTo(target: string, options: { readonly replace: boolean }): Promise<BackupCopy> {
    const { backup } = this.extras;
    if (!backup) {
      return Promise.reject(
        new BackupRefused('unsupported', `a ${this.dialect} database is backed up with its own tools, not copied`),
      );
    }
    return backup(target, options);
  }

  async close(): Promise<void> {
    await this.kysely.destroy();
  }
}

const MAX_TRANSACTION_ATTEMPTS = 5;
const MAX_UNAVAILABLE_ATTEMPTS = 2;
