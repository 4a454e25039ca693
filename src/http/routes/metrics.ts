import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../observability/metrics.js';
import { ScimError } from '../../scim/scim-error.js';
import { bearerCredential } from '../bearer-auth.js';

/**
 * `/metrics` on the main port: request counts and error codes are operational data about every
 * tenant, so it answers only `Authorization: Bearer <METRICS_TOKEN>`; without a token configured
 * it is not served here at all (use the separate listener, {@link startMetricsListener}).
 */
export function metricsRoute(app: FastifyInstance, metrics: Metrics, token: string | undefined): void {
  app.get('/metrics', async (request, reply) => {
    if (token === undefined) {
      throw new ScimError(
        404,
        'Metrics are not served on this port; set METRICS_TOKEN, or METRICS_PORT for a separate listener',
        undefined,
        'metrics.disabled',
      );
    }
    if (!bearerMatches(request.headers.authorization, token)) {
      reply.header('www-authenticate', 'Bearer realm="parallel-scim-metrics"');
      throw new ScimError(401, 'Metrics need "Authorization: Bearer <METRICS_TOKEN>"', undefined, 'metrics.auth');
    }
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}

/** Constant-time: the comparison must not tell an attacker how much of the token was right. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const credential = bearerCredential(header);
  if (!credential) return false;
  const given = Buffer.from(credential);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * A listener of its own for Prometheus, meant for a private interface (127.0.0.1 by default):
 * GET /metrics, nothing else, no credential.
 */
export async function startMetricsListener(metrics: Metrics, host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end('not found\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
