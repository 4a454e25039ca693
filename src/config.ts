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
  RATE_LIMIT_REQUESTS: Type.Integer({ minimum: 0, default: 1000 }),
  RATE_LIMIT_WINDOW_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 10 }),
  DB_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
  LOG_RETENTION_DAYS: Type.Integer({ minimum: 0, maximum: 36500, default: 90 }),
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
  /** Requests per token per window; 0 turns rate limiting off. */
  readonly rateLimit: { readonly requests: number; readonly windowSeconds: number };
  /** PostgreSQL connections per instance. */
  readonly dbPoolSize: number;
  /** Provisioning log entries older than this are deleted; 0 keeps them forever. */
  readonly logRetentionDays: number;
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
  return {
    port: v.PORT,
    host: v.HOST,
    databaseUrl: v.DATABASE_URL,
    publicUrl: v.PUBLIC_URL?.replace(/\/+$/, ''),
    logLevel: v.LOG_LEVEL,
    bodyLimitBytes: v.BODY_LIMIT_BYTES,
    maxPageSize: v.MAX_PAGE_SIZE,
    rateLimit: { requests: v.RATE_LIMIT_REQUESTS, windowSeconds: v.RATE_LIMIT_WINDOW_SECONDS },
    dbPoolSize: v.DB_POOL_SIZE,
    logRetentionDays: v.LOG_RETENTION_DAYS,
  };
}
