import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { loggerOptions } from '../observability/logger.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { ScimError } from '../scim/scim-error.js';
import type { Services } from '../services/index.js';
import { bearerAuth } from './bearer-auth.js';
import { registerJsonParsers } from './content-types.js';
import { registerErrorHandler } from './error-handler.js';
import { rateLimit } from './rate-limit.js';
import { discoveryRoutes } from './routes/discovery.js';
import { groupRoutes } from './routes/groups.js';
import { healthRoutes } from './routes/health.js';
import { routeMethods } from './routes/route-methods.js';
import { userRoutes } from './routes/users.js';
import { sendScimError } from './scim-error-body.js';

export interface ServerOptions {
  readonly services: Services;
  readonly config: Pick<Config, 'publicUrl' | 'bodyLimitBytes' | 'maxPageSize' | 'logLevel' | 'rateLimit'>;
  readonly clock?: () => number;
  readonly metrics?: Metrics;
}

/** Builds the HTTP server: SCIM under /scim/v2, health probes at the root. */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { services, config } = options;
  const clock = options.clock ?? Date.now;
  const metrics = options.metrics ?? createMetrics();
  const app = Fastify({
    logger: loggerOptions(config.logLevel),
    bodyLimit: config.bodyLimitBytes,
    genReqId: () => randomUUID(),
    // Trailing slashes and doubled slashes are common in hand-typed Tenant URLs.
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    return503OnClosing: true,
    // Errors the router raises before any hook runs (a malformed %-escape, an id longer than
    // any we issue) still leave as SCIM errors.
    frameworkErrors: (error, _request, reply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      const scimError = tooLong
        ? new ScimError(414, 'A path segment is longer than any id this service issues', undefined, 'http.idTooLong')
        : new ScimError(400, 'The request URL is malformed (a bad %-escape?)', 'invalidSyntax', 'http.badUrl');
      void sendScimError(reply, scimError);
    },
  });
  app.addHook('onRequest', async (request) => {
    // PostgreSQL text cannot hold U+0000, and no SCIM id or filter needs it.
    if (/%00/i.test(request.url)) {
      throw new ScimError(400, 'The request URL contains a NUL character (%00)', 'invalidValue', 'http.nulInUrl');
    }
  });
  registerJsonParsers(app, config.bodyLimitBytes);
  registerErrorHandler(app, config.bodyLimitBytes);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  healthRoutes(app, services);
  app.get('/metrics', async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  await app.register(
    async (scim) => {
      discoveryRoutes(scim, { publicUrl: config.publicUrl, maxPageSize: config.maxPageSize });
      await scim.register(async (tenant) => {
        tenant.addHook('onRequest', bearerAuth(services, config.publicUrl, clock));
        if (config.rateLimit.requests > 0) {
          const limiter = services.store.rateLimiter({
            points: config.rateLimit.requests,
            windowSeconds: config.rateLimit.windowSeconds,
          });
          tenant.addHook('onRequest', rateLimit(limiter));
        }
        // The log entry is written before the response leaves, so whoever got an answer can
        // already find it in the log.
        tenant.addHook('onSend', async (request, reply, payload) => {
          const ctx = request.scim;
          if (ctx) {
            try {
              await services.log.record(ctx, {
                status: reply.statusCode,
                ...(request.scimFailure
                  ? { errorCode: request.scimFailure.code, errorDetail: request.scimFailure.detail }
                  : {}),
              });
            } catch (error) {
              metrics.logWriteFailures.inc();
              request.log.error({ err: error }, 'could not write the provisioning log entry');
            }
          }
          return payload;
        });
        const limits = { defaultCount: 100, maxCount: config.maxPageSize };
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
        // RFC 7644 §3.4.3 also allows searching every resource type at once from the root.
        routeMethods(tenant, '/.search', {
          POST: notImplemented('Searching from the root (use /Users/.search or /Groups/.search)'),
        });
      });
    },
    { prefix: '/scim/v2' },
  );
  return app;
}
