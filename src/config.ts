import Type, { type Static } from 'typebox';
import Value from 'typebox/value';

/** The environment the service reads, with defaults; the only reader of process.env. */
const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  DATABASE_URL: Type.String({ minLength: 1, default: 'sqlite:./data/parallel-scim.db' }),
  PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$' })),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, maximum: 100 * 1024 * 1024, default: 1024 * 1024 }),
  MAX_PAGE_SIZE: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 }),
  MAX_PAGE_BYTES: Type.Integer({ minimum: 16 * 1024, default: 4 * 1024 * 1024 }),
  RATE_LIMIT_REQUESTS: Type.Integer({ minimum: 0, default: 1000 }),
  RATE_LIMIT_WINDOW_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 10 }),
  DB_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
  LOG_RETENTION_DAYS: Type.Integer({ minimum: 0, maximum: 36500, default: 90 }),
  DB_STATEMENT_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 5_000 }),
  DB_ACQUIRE_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 5_000 }),
  TENANT_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 1000, default: 4 }),
  TENANT_QUEUE: Type.Integer({ minimum: 0, maximum: 100_000, default: 256 }),
  TENANT_QUEUE_TIMEOUT_MS: Type.Integer({ minimum: 1, maximum: 600_000, default: 5_000 }),
  REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 30_000 }),
  HEADERS_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 10_000 }),
  KEEP_ALIVE_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 72_000 }),
  SOCKET_IDLE_TIMEOUT_MS: Type.Integer({ minimum: 1000, maximum: 3_600_000, default: 120_000 }),
  MAX_CONNECTIONS: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 10_000 }),
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  METRICS_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  METRICS_HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
});

type Env = Static<typeof EnvSchema>;

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  /** Public origin (scheme://host[:port][/prefix]) used for meta.location; else from the request. */
  readonly publicUrl: string | undefined;
  readonly logLevel: string;
  readonly bodyLimitBytes: number;
  readonly maxPageSize: number;
  /**
   * Bytes of resources after which a ListResponse takes no further resource (RFC 7644 §3.4.2.4
   * lets a page hold fewer than `count`); at least one is always sent.
   */
  readonly maxPageBytes: number;
  /** Requests per token per window; 0 turns rate limiting off. */
  readonly rateLimit: { readonly requests: number; readonly windowSeconds: number };
  /** PostgreSQL connections per instance. */
  readonly dbPoolSize: number;
  /** Provisioning log entries older than this are deleted; 0 keeps them forever. */
  readonly logRetentionDays: number;
  /** PostgreSQL: longest statement, and longest wait for a pooled connection (both answered 503). */
  readonly dbStatementTimeoutMs: number;
  readonly dbAcquireTimeoutMs: number;
  /** Per-organization bulkhead: requests running at once, waiting at most, and longest wait. */
  readonly tenantLimit: { readonly concurrency: number; readonly maxQueue: number; readonly maxWaitMs: number };
  /** Socket hygiene: whole request, headers, idle keep-alive, silent connection, open connections. */
  readonly sockets: {
    readonly requestTimeoutMs: number;
    readonly headersTimeoutMs: number;
    readonly keepAliveTimeoutMs: number;
    /** A connection on which nothing moved for this long is closed (a client that stops reading). */
    readonly idleTimeoutMs: number;
    readonly maxConnections: number;
  };
  /** `/metrics` on the main port answers only this bearer token; absent, it is not served there. */
  readonly metricsToken: string | undefined;
  /** A separate, unauthenticated metrics listener (for a scraper on a private network). */
  readonly metricsListener: { readonly host: string; readonly port: number } | undefined;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment; a bad value stops the start with a message naming it. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const known = Object.fromEntries(
    Object.keys(EnvSchema.properties)
      .filter((k) => env[k] !== undefined && env[k] !== '')
      .map((k) => [k, env[k]]),
  );
  let value: unknown = Value.Default(EnvSchema, known);
  value = Value.Convert(EnvSchema, value);
  if (!Value.Check(EnvSchema, value)) {
    const problems = [...Value.Errors(EnvSchema, value)].map((e) => {
      const name = e.instancePath.replace(/^\//, '');
      return `${name}=${JSON.stringify(env[name])}: ${e.message}`;
    });
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const v = value as Env;
  // Node refuses to start a server whose headers may take longer than the whole request.
  if (v.HEADERS_TIMEOUT_MS > v.REQUEST_TIMEOUT_MS) {
    throw new ConfigError(
      `Invalid configuration: HEADERS_TIMEOUT_MS=${v.HEADERS_TIMEOUT_MS} must not exceed REQUEST_TIMEOUT_MS=${v.REQUEST_TIMEOUT_MS}`,
    );
  }
  return {
    port: v.PORT,
    host: v.HOST,
    databaseUrl: v.DATABASE_URL,
    publicUrl: v.PUBLIC_URL?.replace(/\/+$/, ''),
    logLevel: v.LOG_LEVEL,
    bodyLimitBytes: v.BODY_LIMIT_BYTES,
    maxPageSize: v.MAX_PAGE_SIZE,
    maxPageBytes: v.MAX_PAGE_BYTES,
    rateLimit: { requests: v.RATE_LIMIT_REQUESTS, windowSeconds: v.RATE_LIMIT_WINDOW_SECONDS },
    dbPoolSize: v.DB_POOL_SIZE,
    logRetentionDays: v.LOG_RETENTION_DAYS,
    dbStatementTimeoutMs: v.DB_STATEMENT_TIMEOUT_MS,
    dbAcquireTimeoutMs: v.DB_ACQUIRE_TIMEOUT_MS,
    tenantLimit: {
      concurrency: v.TENANT_CONCURRENCY,
      maxQueue: v.TENANT_QUEUE,
      maxWaitMs: v.TENANT_QUEUE_TIMEOUT_MS,
    },
    sockets: {
      requestTimeoutMs: v.REQUEST_TIMEOUT_MS,
      headersTimeoutMs: v.HEADERS_TIMEOUT_MS,
      keepAliveTimeoutMs: v.KEEP_ALIVE_TIMEOUT_MS,
      idleTimeoutMs: v.SOCKET_IDLE_TIMEOUT_MS,
      maxConnections: v.MAX_CONNECTIONS,
    },
    metricsToken: v.METRICS_TOKEN,
    metricsListener: v.METRICS_PORT === undefined ? undefined : { host: v.METRICS_HOST, port: v.METRICS_PORT },
  };
}
