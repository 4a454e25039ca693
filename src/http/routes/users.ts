import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ListLimits, listResponse, parseAttributeOptions, parseListQuery } from '../../scim/list-request.js';
import { project } from '../../scim/resources/project.js';
import { userResourceType } from '../../scim/schema/resource-types.js';
import type { Services } from '../../services/index.js';
import { SCIM_CONTENT_TYPE } from '../scim-error-body.js';
import { context, ifMatch, queryParams, searchBody } from './request-parts.js';
import { routeMethods } from './route-methods.js';

type Params = { id: string };

function sendResource(
  reply: FastifyReply,
  status: number,
  resource: Record<string, unknown>,
  projected: Record<string, unknown>,
) {
  const meta = resource.meta as { version: string; location: string };
  reply.code(status).type(SCIM_CONTENT_TYPE).header('etag', meta.version);
  if (status === 201) reply.header('location', meta.location);
  return reply.send(projected);
}

/** /Users: RFC 7644 §3.3-3.6 over the Users service. */
export function userRoutes(app: FastifyInstance, services: Services, limits: ListLimits): void {
  const { users } = services;

  const list = async (request: FastifyRequest, reply: FastifyReply, params: Record<string, unknown>) => {
    const listQuery = parseListQuery(params, limits);
    const { resources, total } = await users.list(context(request), listQuery);
    const projected = resources.map((r) => project(userResourceType, r, listQuery));
    return reply.type(SCIM_CONTENT_TYPE).send(listResponse(projected, total, listQuery.startIndex));
  };

  routeMethods(app, '/Users', {
    GET: (request, reply) => list(request, reply, queryParams(request)),
    POST: async (request, reply) => {
      const options = parseAttributeOptions(queryParams(request));
      const created = await users.create(context(request), request.body);
      return sendResource(reply, 201, created, project(userResourceType, created, options));
    },
  });

  // RFC 7644 §3.4.3: search with the parameters in a SearchRequest body.
  routeMethods(app, '/Users/.search', {
    POST: (request, reply) => {
      return list(request, reply, searchBody(request));
    },
  });

  routeMethods(app, '/Users/:id', {
    GET: async (request, reply) => {
      const { id } = request.params as Params;
      const user = await users.get(context(request), id);
      return sendResource(
        reply,
        200,
        user,
        project(userResourceType, user, parseAttributeOptions(queryParams(request))),
      );
    },
    PUT: async (request, reply) => {
      const { id } = request.params as Params;
      // Parameters are checked before the write: a bad one must not leave a change behind.
      const options = parseAttributeOptions(queryParams(request));
      const user = await users.replace(context(request), id, request.body, ifMatch(request));
      return sendResource(reply, 200, user, project(userResourceType, user, options));
    },
    PATCH: async (request, reply) => {
      const { id } = request.params as Params;
      // Parameters are checked before the write: a bad one must not leave a change behind.
      const options = parseAttributeOptions(queryParams(request));
      const user = await users.patch(context(request), id, request.body, ifMatch(request));
      return sendResource(reply, 200, user, project(userResourceType, user, options));
    },
    DELETE: async (request, reply) => {
      const { id } = request.params as Params;
      await users.delete(context(request), id, ifMatch(request));
      return reply.code(204).send();
    },
  });
}
