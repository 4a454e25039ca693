import type { FastifyInstance } from 'fastify';
import type { Config } from '../../src/config.js';
import { buildServer } from '../../src/http/build-server.js';
import { createServices, type Services } from '../../src/services/index.js';
import { openStore } from '../../src/store/open-store.js';
import type { PostgresOptions } from '../../src/store/postgres/open-postgres.js';
import type { LogQuery, LogRecord, Store } from '../../src/store/store.js';
import { TEST_OPERATOR } from './records.js';
import type { TestStore } from './stores.js';

export interface RunningServer {
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  /** origin + /scim/v2 */
  readonly scimUrl: string;
  readonly services: Services;
  /** The server's database, for tests that look below the use cases. */
  readonly store: Store;
  readonly databaseUrl: string;
  readonly app: FastifyInstance;
  /** The log as the store holds it once the batched entries of earlier requests are written. */
  logEntries(orgId: string, query: LogQuery): Promise<LogRecord[]>;
  close(): Promise<void>;
}

/** A real server on a loopback port over a fresh database of `backend`. */
export async function startServer(
  backend: TestStore,
  overrides: {
    bodyLimitBytes?: number;
    maxPageSize?: number;
    maxPageBytes?: number;
    onQuery?: (sql: string) => void;
    rateLimit?: { requests: number; windowSeconds: number };
    /** Any other setting (bulkhead, socket timeouts, metrics token, ...). */
    config?: Partial<Config>;
    /** PostgreSQL pool settings of the server's store. */
    pool?: Pick<PostgresOptions, 'poolSize' | 'statementTimeoutMs' | 'acquireTimeoutMs'>;
    /** Serve an existing database (a second instance) instead of a fresh one. */
    databaseUrl?: string;
    /** The services' clock (token expiry, rotation grace, log times). */
    clock?: () => number;
  } = {},
): Promise<RunningServer> {
  const storeOptions = { ...(overrides.onQuery ? { onQuery: overrides.onQuery } : {}), ...overrides.pool };
  const db = overrides.databaseUrl ? await attach(overrides.databaseUrl) : await backend.open(storeOptions);
  const services = createServices(db.store, overrides.clock);
  const app = await buildServer({
    services,
    config: {
      publicUrl: undefined,
      bodyLimitBytes: overrides.bodyLimitBytes ?? 1024 * 1024,
      maxPageSize: overrides.maxPageSize ?? 1000,
      maxPageBytes: overrides.maxPageBytes ?? 4 * 1024 * 1024,
      logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
      rateLimit: overrides.rateLimit ?? { requests: 0, windowSeconds: 1 },
      ...overrides.config,
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('server did not bind a port');
  const origin = `http://127.0.0.1:${address.port}`;
  return {
    origin,
    scimUrl: `${origin}/scim/v2`,
    services,
    store: db.store,
    databaseUrl: db.databaseUrl,
    app,
    async logEntries(orgId, query) {
      await services.log.flush();
      return db.store.queryLog(orgId, query);
    },
    async close() {
      await app.close();
      await services.log.flush();
      await db.close();
    },
  };
}

async function attach(databaseUrl: string) {
  const store = await openStore(databaseUrl);
  return { store, databaseUrl, close: () => store.close() };
}

/** A new organization with a token: what support sets up for a customer. */
export async function newTenant(
  services: Services,
  name = 'Contoso',
): Promise<{ orgId: string; token: string; tokenId: string }> {
  const org = await services.organizations.create(TEST_OPERATOR, name);
  const issued = await services.tokens.issue(TEST_OPERATOR, org.id);
  return { orgId: org.id, token: issued.token, tokenId: issued.record.id };
}

export interface ScimResponse {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  readonly body: any;
  readonly text: string;
}

/** One request over real HTTP; the body is parsed when it is JSON. */
export async function scimRequest(
  url: string,
  init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
): Promise<ScimResponse> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  let body: string | undefined = init.rawBody;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['content-type'] = 'application/scim+json';
  }
  const response = await fetch(url, { method: init.method ?? 'GET', headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}
