import type { FastifyInstance, HTTPMethods, RouteHandlerMethod } from 'fastify';
import { ScimError } from '../../scim/scim-error.js';

const ALL: readonly HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Registers `handlers` for `url` and answers every other method with 405 and an `Allow` header
 * (RFC 7231 §6.5.5), instead of a 404 that would make a client think the resource is missing.
 */
export function routeMethods(
  app: FastifyInstance,
  url: string,
  handlers: Partial<Record<'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', RouteHandlerMethod>>,
): void {
  const allowed = Object.keys(handlers) as HTTPMethods[];
  for (const method of allowed) {
    const handler = handlers[method as keyof typeof handlers];
    if (handler) app.route({ method, url, handler });
  }
  const others = ALL.filter((m) => !allowed.includes(m));
  if (others.length === 0) return;
  const allow = [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])].join(', ');
  app.route({
    method: others as HTTPMethods[],
    url,
    // Refused in onRequest, before the body is read: a body we would refuse is never read.
    onRequest: async (request, reply) => {
      reply.header('allow', allow);
      throw new ScimError(405, `${request.method} is not allowed here; allowed: ${allow}`, undefined, 'http.method');
    },
    handler: async () => undefined,
  });
}
