import type { Config } from './config.js';
import { createServices, type Services } from './services/index.js';
import { type OpenedDatabase, openDatabase } from './store/open-store.js';

/** The service as one unit: the use cases over one migrated database, and its close. */
export interface App {
  readonly services: Services;
  /** Which database it opened (for the start-up log and messages), and whether it created it. */
  readonly database: OpenedDatabase;
  close(): Promise<void>;
}

/**
 * The composition root: config → store (migrated) → services. The server (main.ts), the CLI and
 * the console start here, so each runs the same use cases over the same database the same way;
 * nothing above services/ ever holds the store.
 */
export async function openApp(
  config: Pick<Config, 'databaseUrl' | 'dbPoolSize' | 'dbStatementTimeoutMs' | 'dbAcquireTimeoutMs'> & {
    readonly webhooks?: Pick<Config['webhooks'], 'timeoutMs'>;
  },
  options: {
    readonly clock?: () => number;
    /** Whether a missing database may be created: only the server may (the CLI passes false). */
    readonly create?: boolean;
  } = {},
): Promise<App> {
  const { store, database } = await openDatabase(config.databaseUrl, {
    create: options.create ?? true,
    poolSize: config.dbPoolSize,
    statementTimeoutMs: config.dbStatementTimeoutMs,
    acquireTimeoutMs: config.dbAcquireTimeoutMs,
  });
  const services = createServices(store, options.clock, {
    ...(config.webhooks ? { webhookTimeoutMs: config.webhooks.timeoutMs } : {}),
  });
  return {
    services,
    database,
    async close() {
      // The batched log entries of the last requests are written before the database closes.
      await services.log.flush();
      await store.close();
    },
  };
}
