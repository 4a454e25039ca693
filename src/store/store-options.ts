import type { KyselyConfig, LogEvent } from 'kysely';
import type { MigrateOptions } from './migrate.js';

export interface StoreOptions {
  /** Called with the SQL text of every statement run (tests count statements with it). */
  readonly onQuery?: (sql: string) => void;
  /** How migrate() runs: tests act as an older version with it (migrate.ts). */
  readonly migrator?: MigrateOptions;
}

/** Kysely's `log` option for `onQuery`, or nothing. */
export function queryLog(options: StoreOptions): Pick<KyselyConfig, 'log'> {
  const { onQuery } = options;
  if (!onQuery) return {};
  return { log: (event: LogEvent) => onQuery(event.query.sql) };
}
