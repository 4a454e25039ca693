import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ListLimits, listResponse, parseListQuery } from '../../scim/list-request.js';
import { ScimError } from '../../scim/scim-error.js';
import { SCIM_CONTENT_TYPE } from '../scim-error-body.js';
import { routeMethods } from './route-methods.js';

const notYet = async () => {
  throw new ScimError(501, 'Groups (teams) are not provisioned by this version of the service yet', undefined, 'groups.notImplemented');
};

/**
 * /Groups until teams arrive: the list answers an empty ListResponse (Entra's Test connection
 * probes it and must see 200), every write says 501.
 */
export function groupRoutes(app: FastifyInstance, limits: ListLimits): void {
  const list = async (request: FastifyRequest, reply: FastifyReply, params: Record<string, unknown>) => {
    const query = parseListQuery(params, limits);
    return reply.type(SCIM_CONTENT_TYPE).send(listResponse([], 0, query.startIndex));
  };
  routeMethods(app, '/Groups', {
    GET: (request, reply) => list(request, reply, request.query as Record<string, unknown>),
    POST: notYet,
  });
  routeMethods(app, '/Groups/.search', {
    POST: (request, reply) => list(request, reply, (request.body ?? {}) as Record<string, unknown>),
  });
  routeMethods(app, '/Groups/:id', {
    GET: async (request) => {
      const { id } = request.params as { id: string };
      throw new ScimError(404, `No group with id "${id}" in this organization`, undefined, 'group.notFound');
    },
    PUT: notYet,
    PATCH: notYet,
    DELETE: notYet,
  });
}
