import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods, RouteHandlerMethod } from 'fastify';
import type { Static, TSchema } from 'typebox';
import { ScimError } from '../../scim/scim-error.js';

const ALL: readonly HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** A handler whose path parameters are typed by the route's TypeBox schema. */
type Handler<P> = (request: FastifyRequest<{ Params: P }>, reply: FastifyReply) => unknown;

/**
 * Registers `handlers` for `url` and answers every other method with 405 and an `Allow` header
 * (RFC 7231 §6.5.5), instead of a 404 that would make a client think the resource is missing.
 * `params`, a TypeBox schema, is validated by Fastify before the handler runs (a mismatch is the
 * error handler's 400 request.validation) and types `request.params` for the handlers.
 */
export function routeMethods<S extends TSchema>(
  app: FastifyInstance,
  url: string,
  handlers: Partial<Record<'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', Handler<Static<S>>>>,
  params?: S,
): void {
  const allowed = Object.keys(handlers) as HTTPMethods[];
  for (const method of allowed) {
    const handler = handlers[method as keyof typeof handlers];
    // The one cast: Fastify's route typing does not see that the schema guarantees the params.
    if (handler)
      app.route({ method, url, ...(params ? { schema: { params } } : {}), handler: handler as RouteHandlerMethod });
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
