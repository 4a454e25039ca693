/**
 * The environment the service reads, with defaults; the only reader of process.env.
 *
 * Read with a few typed helpers rather than a TypeBox schema: every CLI command loads this module,
 * and TypeBox's ~700 module files took half of a one-second `parallel-scim org list` (issue 9).
 * Each variable is still declared once, with its type, range and default, in `loadConfig` below.
 */

import { isIP } from 'node:net';
import { parseTrustProxy, type TrustProxy } from './trust-proxy.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Reads variables one by one, collecting every problem so that one message can name them all. */
class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Record<string, string | undefined>) {}

  /** Empty counts as unset: `PORT=` in an env file means "the default". */
  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === '' ? undefined : value;
  }

  private problem(name: string, message: string): undefined {
    this.problems.push(`${name}=${JSON.stringify(this.env[name])}: ${message}`);
    return undefined;
  }

  optionalInteger(name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const text = this.raw(name);
    if (text === undefined) return undefined;
    // Whole decimal numbers only: Number() would also take "0x1F", "1e3" and " 80 ".
    // Every refusal states the whole valid range, not only the bound that was crossed.
    const range =
      max === Number.MAX_SAFE_INTEGER ? `a whole number, at least ${min}` : `a whole number from ${min} to ${max}`;
    if (!/^-?\d+$/.test(text)) return this.problem(name, `must be ${range}`);
    const value = Number(text);
    if (value < min || value > max) return this.problem(name, `must be ${range}`);
    return value;
  }

  integer(name: string, fallback: number, min: number, max?: number): number {
    return this.optionalInteger(name, min, max) ?? fallback;
  }

  optionalString(name: string, check?: { pattern: RegExp; rule: string }): string | undefined {
    const text = this.raw(name);
    if (text === undefined || check === undefined || check.pattern.test(text)) return text;
    return this.problem(name, check.rule);
  }

  string(name: string, fallback: string): string {
    return this.optionalString(name) ?? fallback;
  }

  /** A value with its own syntax: `parse` returns the value, or the rule it breaks. */
  parsed<T>(name: string, parse: (text: string) => { value: T } | { rule: string }, fallback: T): T {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    const result = parse(text);
    if ('value' in result) return result.value;
    this.problem(name, result.rule);
    return fallback;
  }

  choice<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    const found = choices.find((c) => c === text);
    if (found !== undefined) return found;
    this.problem(name, `must be one of ${choices.join(', ')}`);
    return fallback;
  }
}

/** HOST, METRICS_HOST: an address or a name to listen on; a port or a scheme in it is a common slip. */
function parseHost(text: string): { value: string } | { rule: string } {
  const name = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
  if (isIP(text) !== 0 || name.test(text)) return { value: text };
  return {
    rule: 'must be an IP address or a host name to listen on, without scheme or port (e.g. 127.0.0.1, 0.0.0.0, ::, localhost; the port is PORT)',
  };
}

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  /** Public origin (scheme://host[:port][/prefix]) used for meta.location; else from the request. */
  readonly publicUrl: string | undefined;
  /**
   * Which peers' X-Forwarded-For/-Proto/-Host are believed (Fastify's trustProxy): false (the
   * default: none), true (every peer), a hop count, or addresses and CIDRs (trust-proxy.ts).
   */
  readonly trustProxy: TrustProxy;
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
  /** Directory events older than this are deleted (a consumer behind it gets 410); 0 keeps them forever. */
  readonly eventRetentionDays: number;
  /**
   * Webhook delivery (docs/webhooks.md "Settings"): whether this instance runs the worker, its
   * figures (WebhookSettings, in ms), and how long the delivery log is kept (0: forever).
   */
  readonly webhooks: {
    readonly delivery: boolean;
    readonly pollIntervalMs: number;
    readonly concurrency: number;
    readonly timeoutMs: number;
    readonly backoffBaseMs: number;
    readonly backoffMaxMs: number;
    readonly disableAfterMs: number;
    readonly disableAfterAttempts: number;
    readonly discoverIntervalMs: number;
    readonly retentionDays: number;
  };
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
  const r = new EnvReader(env);
  const metricsPort = r.optionalInteger('METRICS_PORT', 0, 65535);
  const metricsHost = r.parsed('METRICS_HOST', parseHost, '127.0.0.1');
  const config: Config = {
    port: r.integer('PORT', 8080, 0, 65535),
    host: r.parsed('HOST', parseHost, '127.0.0.1'),
    databaseUrl: r.string('DATABASE_URL', 'sqlite:./data/parallel-scim.db'),
    publicUrl: r
      .optionalString('PUBLIC_URL', { pattern: /^https?:\/\/\S+$/, rule: 'must be an http:// or https:// URL' })
      ?.replace(/\/+$/, ''),
    trustProxy: r.parsed('TRUST_PROXY', parseTrustProxy, false),
    logLevel: r.choice('LOG_LEVEL', LOG_LEVELS, 'info'),
    bodyLimitBytes: r.integer('BODY_LIMIT_BYTES', 1024 * 1024, 1024, 100 * 1024 * 1024),
    maxPageSize: r.integer('MAX_PAGE_SIZE', 1000, 1, 10_000),
    maxPageBytes: r.integer('MAX_PAGE_BYTES', 4 * 1024 * 1024, 16 * 1024),
    rateLimit: {
      requests: r.integer('RATE_LIMIT_REQUESTS', 1000, 0),
      windowSeconds: r.integer('RATE_LIMIT_WINDOW_SECONDS', 10, 1, 3600),
    },
    dbPoolSize: r.integer('DB_POOL_SIZE', 10, 1, 1000),
    logRetentionDays: r.integer('LOG_RETENTION_DAYS', 90, 0, 36500),
    eventRetentionDays: r.integer('EVENT_RETENTION_DAYS', 30, 0, 36500),
    webhooks: {
      delivery: r.choice('WEBHOOK_DELIVERY', ['on', 'off'] as const, 'on') === 'on',
      pollIntervalMs: r.integer('WEBHOOK_POLL_INTERVAL_MS', 1_000, 10, 600_000),
      concurrency: r.integer('WEBHOOK_CONCURRENCY', 8, 1, 1000),
      timeoutMs: r.integer('WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
      backoffBaseMs: r.integer('WEBHOOK_BACKOFF_BASE_MS', 1_000, 10, 3_600_000),
      backoffMaxMs: r.integer('WEBHOOK_BACKOFF_MAX_MS', 3_600_000, 10, 86_400_000),
      disableAfterMs: r.integer('WEBHOOK_DISABLE_AFTER_HOURS', 72, 0, 8760) * 3_600_000,
      disableAfterAttempts: r.integer('WEBHOOK_DISABLE_AFTER_ATTEMPTS', 0, 0, 1_000_000),
      discoverIntervalMs: r.integer('WEBHOOK_DISCOVER_INTERVAL_MS', 10_000, 10, 3_600_000),
      retentionDays: r.integer('WEBHOOK_DELIVERY_RETENTION_DAYS', 30, 0, 36500),
    },
    dbStatementTimeoutMs: r.integer('DB_STATEMENT_TIMEOUT_MS', 5_000, 100, 600_000),
    dbAcquireTimeoutMs: r.integer('DB_ACQUIRE_TIMEOUT_MS', 5_000, 100, 600_000),
    tenantLimit: {
      concurrency: r.integer('TENANT_CONCURRENCY', 4, 1, 1000),
      maxQueue: r.integer('TENANT_QUEUE', 256, 0, 100_000),
      maxWaitMs: r.integer('TENANT_QUEUE_TIMEOUT_MS', 5_000, 1, 600_000),
    },
    sockets: {
      requestTimeoutMs: r.integer('REQUEST_TIMEOUT_MS', 30_000, 100, 600_000),
      headersTimeoutMs: r.integer('HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
      keepAliveTimeoutMs: r.integer('KEEP_ALIVE_TIMEOUT_MS', 72_000, 100, 600_000),
      idleTimeoutMs: r.integer('SOCKET_IDLE_TIMEOUT_MS', 120_000, 1000, 3_600_000),
      maxConnections: r.integer('MAX_CONNECTIONS', 10_000, 1, 1_000_000),
    },
    metricsToken: r.optionalString('METRICS_TOKEN', { pattern: /^.{16,}$/su, rule: 'must be at least 16 characters' }),
    metricsListener: metricsPort === undefined ? undefined : { host: metricsHost, port: metricsPort },
  };
  if (r.problems.length > 0) throw new ConfigError(`Invalid configuration: ${r.problems.join('; ')}`);
  const { requestTimeoutMs, headersTimeoutMs } = config.sockets;
  // Node refuses to start a server whose headers may take longer than the whole request.
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(
      `Invalid configuration: HEADERS_TIMEOUT_MS=${headersTimeoutMs} must not exceed REQUEST_TIMEOUT_MS=${requestTimeoutMs}`,
    );
  }
  return config;
}
