import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { StoreUnavailable, type UnavailableReason } from './store-errors.js';

export interface RateLimitOptions {
  /** Requests allowed per window. */
  readonly points: number;
  readonly windowSeconds: number;
}

export interface RateDecision {
  readonly allowed: boolean;
  /** When refused: how long until a request would be allowed again. */
  readonly retryAfterMs: number;
  readonly remaining: number;
}

/** Counts requests per key (a token id) in fixed windows. */
export interface RateLimiter {
  consume(key: string): Promise<RateDecision>;
}

type Flexible = RateLimiterMemory | RateLimiterPostgres;

/** `classify` names the database failures among the limiter's errors, as the store's driver does. */
function wrap(
  limiter: Flexible,
  classify: (error: unknown) => UnavailableReason | undefined = () => undefined,
): RateLimiter {
  return {
    async consume(key) {
      try {
        const res = await limiter.consume(key, 1);
        return { allowed: true, retryAfterMs: 0, remaining: res.remainingPoints };
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) {
          return { allowed: false, retryAfterMs: rejection.msBeforeNext, remaining: 0 };
        }
        const reason = classify(rejection);
        throw reason === undefined ? rejection : new StoreUnavailable(reason, rejection);
      }
    },
  };
}

/**
 * SQLite serves one instance, so its counters live in that process: keeping them in the file
 * would take the database write lock on every request, reads included.
 */
export function memoryRateLimiter(options: RateLimitOptions): RateLimiter {
  return wrap(new RateLimiterMemory({ points: options.points, duration: options.windowSeconds }));
}

/**
 * PostgreSQL: counters in the `rate_limits` table (created by migration 0003), one atomic upsert
 * per request, so every instance behind the load balancer shares the same budget per token.
 */
export function postgresRateLimiter(
  pool: pg.Pool,
  options: RateLimitOptions,
  classify: (error: unknown) => UnavailableReason | undefined,
): RateLimiter {
  return wrap(
    new RateLimiterPostgres({
      storeClient: pool,
      storeType: 'pool',
      tableName: 'rate_limits',
      tableCreated: true,
      clearExpiredByTimeout: false,
      points: options.points,
      duration: options.windowSeconds,
      keyPrefix: 'token',
    }),
    classify,
  );
}
