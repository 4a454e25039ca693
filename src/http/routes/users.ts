import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseAttributeOptions, parseListRequest } from '../../scim/list-request.js';
import { project } from '../../scim/resources/project.js';
import { userResourceType } from '../../scim/schema/resource-types.js';
import type { Services } from '../../services/index.js';
import { type PageLimits, sendListResponse } from '../list-stream.js';
import { SCIM_CONTENT_TYPE } from '../scim-error-body.js';
import { answeredNotModified, audit, done, IdParams, ifMatch, queryParams, searchBody } from './request-parts.js';
import { routeMethods } from './route-methods.js';
import { openPage, sendWholePage } from './whole-page.js';

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
export function userRoutes(app: FastifyInstance, services: Services, limits: PageLimits): void {
  const { users } = services;

  const list = async (request: FastifyRequest, reply: FastifyReply, params: Record<string, unknown>) => {
    const listQuery = parseListRequest(params, limits);
    const page = done(request, await users.list(audit(request), listQuery));
    const head = { totalResults: page.total, startIndex: listQuery.startIndex };
    const text = (user: Record<string, unknown>) => JSON.stringify(project(userResourceType, user, listQuery));
    const { whole, chunks } = await openPage(page);
    // A lookup's page is in hand already: one string (whole-page.ts).
    if (whole) return sendWholePage(reply, head, whole.map(text), limits.maxPageBytes);
    // Projected and serialised one user at a time as the writer asks: only the chunk the service
    // read last is in memory, never the page.
    async function* resources(): AsyncGenerator<string> {
      for await (const chunk of chunks) {
        for (const user of chunk) yield text(user);
      }
    }
    return sendListResponse(request, reply, head, resources(), limits.maxPageBytes);
  };

  routeMethods(app, '/Users', {
    GET: (request, reply) => list(request, reply, queryParams(request)),
    POST: async (request, reply) => {
      const options = parseAttributeOptions(queryParams(request));
      const created = done(request, await users.create(audit(request), request.body));
      return sendResource(reply, 201, created, project(userResourceType, created, options));
    },
  });

  // RFC 7644 §3.4.3: search with the parameters in a SearchRequest body.
  routeMethods(app, '/Users/.search', {
    POST: (request, reply) => {
      return list(request, reply, searchBody(request));
    },
  });

  routeMethods(
    app,
    '/Users/:id',
    {
      GET: async (request, reply) => {
        const { id } = request.params;
        // Checked first: a bad parameter is a 400 whatever the preconditions say (RFC 7232 §5).
        const options = parseAttributeOptions(queryParams(request));
        const user = done(request, await users.get(audit(request), id));
        // The ETag covers the user's `groups` too (services/user-render.ts): a membership change
        // is a new ETag though the user's version stays.
        if (answeredNotModified(request, reply, (user.meta as { version: string }).version)) return reply;
        return sendResource(reply, 200, user, project(userResourceType, user, options));
      },
      PUT: async (request, reply) => {
        const { id } = request.params;
        // Parameters are checked before the write: a bad one must not leave a change behind.
        const options = parseAttributeOptions(queryParams(request));
        const user = done(request, await users.replace(audit(request), id, request.body, ifMatch(request)));
        return sendResource(reply, 200, user, project(userResourceType, user, options));
      },
      PATCH: async (request, reply) => {
        const { id } = request.params;
        // Parameters are checked before the write: a bad one must not leave a change behind.
        const options = parseAttributeOptions(queryParams(request));
        const user = done(request, await users.patch(audit(request), id, request.body, ifMatch(request)));
        return sendResource(reply, 200, user, project(userResourceType, user, options));
      },
      DELETE: async (request, reply) => {
        const { id } = request.params;
        done(request, await users.delete(audit(request), id, ifMatch(request)));
        return reply.code(204).send();
      },
    },
    IdParams,
  );
}
