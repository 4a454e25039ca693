import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { consoleRouterError, consoleRoutes, isConsoleUrl } from '../admin/admin-routes.js';
import { type Config, loadConfig } from '../config.js';
import { loggerOptions, RequestLines } from '../observability/logger.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { identifyingValues } from '../scim/resources/identifying-values.js';
import { ScimError } from '../scim/scim-error.js';
import { type LogSubject, type Services, uuidv7 } from '../services/index.js';
import type { TrustProxy } from '../trust-proxy.js';
import { bearerAuth } from './bearer-auth.js';
import { clientErrorHandler } from './client-errors.js';
import { registerJsonParsers } from './content-types.js';
import { registerErrorHandler } from './error-handler.js';
import { rateLimit } from './rate-limit.js';
import { discoveryRoutes } from './routes/discovery.js';
import { eventsApiRoutes } from './routes/events-api.js';
import { groupRoutes } from './routes/groups.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoute } from './routes/metrics.js';
import { rootSearchRoutes } from './routes/root-search.js';
import { routeMethods } from './routes/route-methods.js';
import { userRoutes } from './routes/users.js';
import { sendScimError } from './scim-error-body.js';
import { tenantAdmission } from './tenant-admission.js';

export interface ServerOptions {
  readonly services: Services;
  /** Settings not given take their documented defaults (src/config.ts). */
  readonly config: Partial<Config>;
  readonly clock?: () => number;
  readonly metrics?: Metrics;
}

/** Builds the HTTP server: SCIM under /scim/v2, health probes at the root. */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { services } = options;
  const config: Config = { ...loadConfig({}), ...options.config };
  const clock = options.clock ?? Date.now;
  const metrics = options.metrics ?? createMetrics();
  const { sockets } = config;
  const app = Fastify({
    logger: loggerOptions(config.logLevel),
    bodyLimit: config.bodyLimitBytes,
    // Time-ordered, like every other id: the provisioning log's index of request ids then grows
    // at its end instead of taking a write at a random page for every request (a random UUID).
    genReqId: () => uuidv7(),
    // request.protocol, .host and .ip honour X-Forwarded-* only from the peers TRUST_PROXY names
    // (off by default); meta.location follows them when PUBLIC_URL is unset.
    trustProxy: fastifyTrustProxy(config.trustProxy),
    // Trailing slashes and doubled slashes are common in hand-typed Tenant URLs.
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    return503OnClosing: true,
    logController: new RequestLines(),
    // A client that trickles its headers or body holds a socket and parser state; past these
    // bounds Node answers 408 and closes (checked every second, not Node's default 30 s).
    requestTimeout: sockets.requestTimeoutMs,
    keepAliveTimeout: sockets.keepAliveTimeoutMs,
    // A client that stops reading a streamed page holds its socket (and its organization's
    // slot) only this long.
    connectionTimeout: sockets.idleTimeoutMs,
    http: { headersTimeout: sockets.headersTimeoutMs, connectionsCheckingInterval: 1000 },
    clientErrorHandler,
    // Errors the router raises before any hook runs (a malformed %-escape, an id longer than
    // any we issue) still leave as SCIM errors.
    frameworkErrors: (error, request, reply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      if (isConsoleUrl(request.url)) {
        return consoleRouterError(request, reply, tooLong ? 414 : 400, 'The address is malformed.');
      }
      const scimError = tooLong
        ? new ScimError(414, 'A path segment is longer than any id this service issues', undefined, 'http.idTooLong')
        : new ScimError(400, 'The request URL is malformed (a bad %-escape?)', 'invalidSyntax', 'http.badUrl');
      void sendScimError(reply, scimError);
    },
  });
  // Beyond this, new connections are refused by the kernel queue instead of each costing memory.
  app.server.maxConnections = sockets.maxConnections;
  // One hook for what every request gets first: each hook is a step of its own for every request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    // An unknown route is answered before its body is read: nobody may make us read a body
    // we would throw away.
    if (request.is404) {
      return done(
        new ScimError(404, `No endpoint at ${request.method} ${request.url.split('?')[0]}`, undefined, 'http.noRoute'),
      );
    }
    // PostgreSQL text cannot hold U+0000, and no SCIM id or filter needs it.
    if (/%00/i.test(request.url)) {
      return done(
        new ScimError(400, 'The request URL contains a NUL character (%00)', 'invalidValue', 'http.nulInUrl'),
      );
    }
    done();
  });
  registerJsonParsers(app, config.bodyLimitBytes);
  registerErrorHandler(app, config.bodyLimitBytes, metrics);
  app.addHook('onSend', (request, reply, payload, done) => {
    // Answered before the body arrived (401, 404, 405, 413, 429): close the connection rather
    // than let Node read and discard the rest of a body that may be trickling in on purpose.
    if (reply.statusCode >= 400 && !request.raw.complete) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    done();
  });

  services.log.onWriteFailure((error, entries) => {
    metrics.logWriteFailures.inc(entries);
    app.log.error({ err: error, entries }, 'could not write a batch of provisioning log entries');
  });
  healthRoutes(app, services);
  metricsRoute(app, metrics, config.metricsToken);
  metrics.watchTokens(() => services.tokens.expiryCounts());
  // Directory events for the rest of Parallel: service keys, plain JSON, never a SCIM token.
  await app.register((api) => eventsApiRoutes(api, services), { prefix: '/api/v1' });

  await app.register(
    async (scim) => {
      discoveryRoutes(scim, { publicUrl: config.publicUrl, maxPageSize: config.maxPageSize });
      await scim.register(async (tenant) => {
        tenant.addHook('onRequest', bearerAuth(services, config.publicUrl, clock));
        if (config.rateLimit.requests > 0) {
          const limiter = services.operations.rateLimiter({
            points: config.rateLimit.requests,
            windowSeconds: config.rateLimit.windowSeconds,
          });
          tenant.addHook('onRequest', rateLimit(limiter));
        }
        tenant.addHook('onRequest', tenantAdmission(config.tenantLimit, metrics));
        // A read's or a refusal's entry is batched (services/log-batch.ts): written within 50 ms,
        // and before any read of the log by this process.
        tenant.addHook('onSend', async (request, reply, payload) => {
          const audit = request.scim;
          const change = request.scimChange;
          // A write logged itself in its transaction; an error after it still gets its entry.
          if (audit && !(change?.logged && reply.statusCode < 400)) {
            try {
              await services.log.record(audit, change ?? routeSubject(request), {
                status: reply.statusCode,
                ...(request.scimFailure
                  ? { errorCode: request.scimFailure.code, errorDetail: request.scimFailure.detail }
                  : {}),
              });
            } catch (error) {
              // The answer goes out whatever happened to its entry; the metric says it is missing.
              metrics.logWriteFailures.inc();
              request.log.error({ err: error }, 'could not record the provisioning log entry');
            }
          }
          return payload;
        });
        const limits = { defaultCount: 100, maxCount: config.maxPageSize, maxPageBytes: config.maxPageBytes };
        userRoutes(tenant, services, limits);
        groupRoutes(tenant, services, limits);
        // RFC 7644 §3.11 and §3.7: not offered, and said so with 501 rather than a 404.
        const notImplemented = (what: string) => async () => {
          throw new ScimError(
            501,
            `${what} is not supported by this service (see /ServiceProviderConfig)`,
            undefined,
            'http.notImplemented',
          );
        };
        routeMethods(tenant, '/Me', {
          GET: notImplemented('/Me'),
          POST: notImplemented('/Me'),
          PUT: notImplemented('/Me'),
          PATCH: notImplemented('/Me'),
          DELETE: notImplemented('/Me'),
        });
        routeMethods(tenant, '/Bulk', { POST: notImplemented('Bulk') });
        rootSearchRoutes(tenant, services, limits);
      });
    },
    { prefix: '/scim/v2' },
  );
  // The support console (/admin) and the customers' setup links (/setup): HTML, own parsers and errors.
  await consoleRoutes(app, { services, publicUrl: config.publicUrl });
  return app;
}

/** TRUST_PROXY in Fastify's terms; a hop count as the function Fastify makes of one (its types omit numbers). */
function fastifyTrustProxy(setting: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return typeof setting === 'boolean' ? setting : [...setting];
}

/**
 * What a request that got no answer from its use case (it failed, or never reached one) was about,
 * read from the route: `/Users/:id` names a User and its id, `/.search` both types. A write also
 * names the userName (or displayName) and externalId its body carried, so a refused create, which
 * has no id, is found by the person it was for; only those values, never the body.
 */
function routeSubject(request: FastifyRequest): LogSubject | undefined {
  const route = request.routeOptions.url ?? '';
  const resourceType: LogSubject['resourceType'] | undefined = route.startsWith('/scim/v2/Users')
    ? 'User'
    : route.startsWith('/scim/v2/Groups')
      ? 'Group'
      : route === '/scim/v2/.search'
        ? 'User,Group'
        : undefined;
  if (resourceType === undefined) return undefined;
  const id = (request.params as { id?: unknown } | undefined)?.id;
  const subject: LogSubject = { resourceType, resourceId: typeof id === 'string' ? id : null };
  if (resourceType === 'User,Group' || !WRITES.has(request.method) || !WRITE_ROUTES.has(route)) return subject;
  return { ...subject, ...identifyingValues(resourceType, request.body) };
}

const WRITES: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);
// Not `/.search`: a SearchRequest body names a query, not a resource.
const WRITE_ROUTES: ReadonlySet<string> = new Set([
  '/scim/v2/Users',
  '/scim/v2/Users/:id',
  '/scim/v2/Groups',
  '/scim/v2/Groups/:id',
]);
