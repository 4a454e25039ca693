import { LATEST_MIGRATION } from '../store/migrate.js';
import type { RateLimiter, RateLimitOptions } from '../store/rate-limiter.js';
import type { MigrationLevel, Store } from '../store/store.js';

export type { RateLimiter, RateLimitOptions } from '../store/rate-limiter.js';
export type { MigrationLevel } from '../store/store.js';

export interface MigrationSummary {
  readonly applied: string | null;
  readonly latest: string;
  readonly unknown?: readonly string[];
}

/**
 * What running the service needs from the database beyond the use cases: readiness for the
 * probes, and request budgets every instance on the database shares.
 */
export class Operations {
  private lastLevel: MigrationLevel | undefined;

  constructor(private readonly store: Store) {}

  /** Resolves when the database answers (the cheapest round trip); throws otherwise. */
  ready(): Promise<void> {
    return this.store.ping();
  }

  /**
   * The schema's migration level, read from the database and remembered for `lastMigrationLevel`.
   * The server reads it once at start and again on every readiness probe: only another instance's
   * newer migration can change it under a running process (a rolling upgrade), and the probe
   * notices that within one probe interval without liveness ever touching the database.
   */
  async migrationLevel(): Promise<MigrationLevel> {
    this.lastLevel = await this.store.migrationLevel();
    return this.lastLevel;
  }

  /**
   * The level as last read, without a round trip, as /healthz and the start-up log show it:
   * `applied` is the newest migration the database records (null before the first read), `latest`
   * the newest this code knows, `unknown` (only when there are any) what a newer version applied.
   */
  get lastMigrationSummary(): MigrationSummary {
    const level = this.lastLevel;
    return {
      applied: level ? (level.applied.at(-1) ?? null) : null,
      latest: LATEST_MIGRATION,
      ...(level && level.unknown.length > 0 ? { unknown: level.unknown } : {}),
    };
  }

  /** The migrations this process applied when it opened the database (usually none). */
  get migrationsAppliedAtStart(): readonly string[] {
    return this.store.migrationsApplied;
  }

  /** A per-key request budget, shared by every instance on this database. */
  rateLimiter(options: RateLimitOptions): RateLimiter {
    return this.store.rateLimiter(options);
  }

  /** Which database serves: some settings only matter on one (a pool on PostgreSQL). */
  get database(): Store['dialect'] {
    return this.store.dialect;
  }
}
