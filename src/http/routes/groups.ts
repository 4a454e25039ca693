import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseAttributeOptions, parseListRequest } from '../../scim/list-request.js';
import { type ProjectionOptions, project, wantsAttribute } from '../../scim/resources/project.js';
import { groupResourceType } from '../../scim/schema/resource-types.js';
import type { Audit, GroupView, Services } from '../../services/index.js';
import { type PageLimits, sendListResponse } from '../list-stream.js';
import { SCIM_CONTENT_TYPE } from '../scim-error-body.js';
import { answeredNotModified, audit, done, IdParams, ifMatch, queryParams, searchBody } from './request-parts.js';
import { routeMethods } from './route-methods.js';
import { openPage, sendWholePage } from './whole-page.js';

/**
 * JSON text of one group, members paged in when the projection keeps them: /Groups and the root
 * search (POST /.search) write groups with this.
 */
export async function* groupJson(
  teams: Services['teams'],
  who: Audit,
  view: GroupView,
  options: ProjectionOptions,
): AsyncGenerator<string> {
  const projected = project(groupResourceType, view.resource, options);
  const text = JSON.stringify(projected);
  if (!wantsAttribute(groupResourceType, options, 'members')) {
    yield text;
    return;
  }
  // The projected object always has `schemas` and `id`, so it is never "{}".
  yield `${text.slice(0, -1)},"members":[`;
  let first = true;
  for await (const page of teams.memberPages(who.org.id, view.team.id, who.baseUrl)) {
    const members = (project(groupResourceType, { members: page }, options).members as unknown[] | undefined) ?? [];
    if (members.length === 0) continue;
    const chunk = members.map((m) => JSON.stringify(m)).join(',');
    yield first ? chunk : `,${chunk}`;
    first = false;
  }
  yield ']}';
}

/**
 * /Groups (Parallel teams). A team can have 100,000 members, so a Group body is streamed: the
 * resource is serialised without members, and the member list is written page by page after it.
 * With `excludedAttributes=members` the member table is never read.
 */
export function groupRoutes(app: FastifyInstance, services: Services, limits: PageLimits): void {
  const { teams } = services;

  function sendGroup(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    view: GroupView,
    options: ProjectionOptions,
  ) {
    const meta = view.resource.meta as { version: string; location: string };
    reply.code(status).type(SCIM_CONTENT_TYPE).header('etag', meta.version);
    if (status === 201) reply.header('location', meta.location);
    return reply.send(Readable.from(groupJson(teams, audit(request), view, options)));
  }

  const list = async (request: FastifyRequest, reply: FastifyReply, params: Record<string, unknown>) => {
    const listQuery = parseListRequest(params, limits);
    const who = audit(request);
    const page = done(request, await teams.list(who, listQuery));
    const head = { totalResults: page.total, startIndex: listQuery.startIndex };
    // Without members a group is one piece and reads nothing more: a page in hand is one string
    // (whole-page.ts). With them, its member pages are read as it is written, so it streams.
    const { whole, chunks } = wantsAttribute(groupResourceType, listQuery, 'members')
      ? { chunks: page.chunks }
      : await openPage(page);
    if (whole) {
      const texts = whole.map((view) => groupJson(teams, who, view, listQuery));
      return sendWholePage(reply, head, texts, limits.maxPageBytes);
    }
    // Each group goes to the writer as its own stream of pieces: the byte budget counts its
    // members too, and a group the writer has started is finished before the budget is checked.
    async function* resources(): AsyncGenerator<AsyncIterable<string>> {
      for await (const chunk of chunks) {
        for (const view of chunk) yield groupJson(teams, who, view, listQuery);
      }
    }
    return sendListResponse(request, reply, head, resources(), limits.maxPageBytes);
  };

  routeMethods(app, '/Groups', {
    GET: (request, reply) => list(request, reply, queryParams(request)),
    POST: async (request, reply) => {
      const options = parseAttributeOptions(queryParams(request));
      const view = done(request, await teams.create(audit(request), request.body));
      return sendGroup(request, reply, 201, view, options);
    },
  });

  routeMethods(app, '/Groups/.search', {
    POST: (request, reply) => {
      return list(request, reply, searchBody(request));
    },
  });

  routeMethods(
    app,
    '/Groups/:id',
    {
      GET: async (request, reply) => {
        const { id } = request.params;
        const options = parseAttributeOptions(queryParams(request));
        const view = done(request, await teams.get(audit(request), id));
        // Before any member is read: a 304 costs one row read, whatever the team's size. The
        // version counts every change of the member list (adds, removals, a member deleted);
        // not a member's renaming, which changes only its `display`, a human-readable label
        // (RFC 7643 §4.2) the weak ETag does not promise: bumping every team of a renamed user
        // would make one rename unbounded work.
        if (answeredNotModified(request, reply, (view.resource.meta as { version: string }).version)) return reply;
        return sendGroup(request, reply, 200, view, options);
      },
      PUT: async (request, reply) => {
        const { id } = request.params;
        const options = parseAttributeOptions(queryParams(request));
        const view = done(request, await teams.replace(audit(request), id, request.body, ifMatch(request)));
        return sendGroup(request, reply, 200, view, options);
      },
      PATCH: async (request, reply) => {
        const { id } = request.params;
        const params = queryParams(request);
        // RFC 7644 §3.5.2 lets a PATCH answer 204; returning a 100,000-member body after every
        // member change is what makes other servers slow, so the body comes only when asked for.
        const wantsBody = Object.keys(params).some((k) => /^(excluded)?attributes$/i.test(k));
        const options = parseAttributeOptions(params);
        const view = done(request, await teams.patch(audit(request), id, request.body, ifMatch(request)));
        if (!wantsBody) {
          const meta = view.resource.meta as { version: string };
          return reply.code(204).header('etag', meta.version).send();
        }
        return sendGroup(request, reply, 200, view, options);
      },
      DELETE: async (request, reply) => {
        const { id } = request.params;
        done(request, await teams.delete(audit(request), id, ifMatch(request)));
        return reply.code(204).send();
      },
    },
    IdParams,
  );
}
