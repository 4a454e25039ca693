import type { RateLimiter, RateLimitOptions } from '../store/rate-limiter.js';
import type { Store } from '../store/store.js';

export type { RateLimiter, RateLimitOptions } from '../store/rate-limiter.js';

/**
 * What running the service needs from the database beyond the use cases: readiness for the
 * probes, and request budgets every instance on the database shares.
 */
export class Operations {
  constructor(private readonly store: Store) {}

  /** Resolves when the database answers (the cheapest round trip); throws otherwise. */
  ready(): Promise<void> {
    return this.store.ping();
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
