import type { FastifyInstance } from 'fastify';
import { parseListRequest } from '../../scim/list-request.js';
import { project } from '../../scim/resources/project.js';
import { userResourceType } from '../../scim/schema/resource-types.js';
import type { Services } from '../../services/index.js';
import { type PageLimits, type ResourceText, sendListResponse } from '../list-stream.js';
import { groupJson } from './groups.js';
import { audit, done, searchBody } from './request-parts.js';
import { routeMethods } from './route-methods.js';

/**
 * POST /.search: RFC 7644 §3.4.3 search from the root, over Users and Groups together (the order
 * and filter rules are the search service's). Only POST: the root itself is no resource a GET
 * could list, so GET /.search is 405 like any other method.
 */
export function rootSearchRoutes(app: FastifyInstance, services: Services, limits: PageLimits): void {
  routeMethods(app, '/.search', {
    POST: async (request, reply) => {
      const query = parseListRequest(searchBody(request), limits);
      const who = audit(request);
      const { total, resources } = done(request, await services.rootSearch.search(who, query));
      // Each resource is projected by its own type (RFC 7644 §3.4.2.5) as the writer asks for it;
      // a group streams its members, so the byte budget counts them as on /Groups.
      async function* texts(): AsyncGenerator<ResourceText> {
        for await (const item of resources) {
          yield item.type === 'User'
            ? JSON.stringify(project(userResourceType, item.resource, query))
            : groupJson(services.teams, who, item.view, query);
        }
      }
      const head = { totalResults: total, startIndex: query.startIndex };
      return sendListResponse(request, reply, head, texts(), limits.maxPageBytes);
    },
  });
}
