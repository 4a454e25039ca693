import type { Kysely, Migration } from 'kysely';

/**
 * Shared per-token request counters for PostgreSQL deployments with several instances, in the
 * shape rate-limiter-flexible's RateLimiterPostgres reads and writes. (SQLite counts in memory;
 * the table exists there too so both schemas stay one.)
 */
export const rateLimits: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('rate_limits')
      .addColumn('key', 'varchar(255)', (c) => c.primaryKey())
      .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('expire', 'bigint')
      .execute();
  },
};
