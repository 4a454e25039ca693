import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { nameCaller } from '../../observability/logger.js';
import { ScimError } from '../../scim/scim-error.js';
import type { ServiceKeyAuth, Services } from '../../services/index.js';
import { bearerCredential } from '../bearer-auth.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once a service key opened the event API. */
    serviceKeyId?: string;
  }
}

const unauthorized = (detail: string, code: string) => new ScimError(401, detail, undefined, code);

const REFUSALS: Record<Exclude<ServiceKeyAuth, { ok: true }>['reason'], ScimError> = {
  missing: unauthorized(
    'Authentication required: send a service key as "Authorization: Bearer <key>"',
    'serviceKey.missing',
  ),
  scimToken: unauthorized(
    'This is a SCIM token, which opens SCIM only; the event API takes a service key (parallel-scim service-key issue)',
    'serviceKey.scimToken',
  ),
  unknown: unauthorized('The service key is not valid', 'serviceKey.invalid'),
  revoked: unauthorized(
    'This service key was revoked; issue a new one (parallel-scim service-key issue)',
    'serviceKey.revoked',
  ),
  expired: unauthorized(
    'This service key has expired; issue a new one (parallel-scim service-key issue)',
    'serviceKey.expired',
  ),
};

/** onRequest hook: a service key, deployment-wide, opens every organization's events. */
function serviceKeyAuth(services: Services) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const secret = bearerCredential(request.headers.authorization);
    if (secret === undefined) throw REFUSALS.missing;
    if (secret === null)
      throw unauthorized('The Authorization header must be "Bearer <service key>"', 'serviceKey.scheme');
    const result = await services.serviceKeys.authenticate(secret);
    if (!result.ok) throw REFUSALS[result.reason];
    request.serviceKeyId = result.key.id;
    nameCaller(request.log, { serviceKeyId: result.key.id });
  };
}

/**
 * The event API under /api/v1 (docs/events.md): plain JSON, outside SCIM, for the rest of
 * Parallel. Thin: the services parse and check the query parameters.
 */
export async function eventsApiRoutes(app: FastifyInstance, services: Services): Promise<void> {
  app.addHook('onRequest', serviceKeyAuth(services));
  // The directory changes under every answer: no cache may serve one twice.
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('cache-control', 'no-store');
    return payload;
  });
  app.get('/events', async (request) => services.eventsFeed.read(request.query as Record<string, unknown>));
  app.get('/snapshot', async (request) => services.eventsSnapshot.read(request.query as Record<string, unknown>));
}
