import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { ifNoneMatchHits } from '../../scim/resources/preconditions.js';
import { invalidSyntax } from '../../scim/scim-error.js';
import type { Audit, Done } from '../../services/index.js';

/** Who asks, for the use case; the auth hook runs before every tenant route and sets it, or the request failed. */
export const audit = (request: FastifyRequest): Audit => request.scim as Audit;

/** The use case's answer; what it did stays on the request for the log entry written at onSend. */
export function done<T>(request: FastifyRequest, outcome: Done<T>): T {
  request.scimChange = outcome.change;
  return outcome.result;
}

export const queryParams = (request: FastifyRequest): Record<string, unknown> =>
  request.query as Record<string, unknown>;

export function ifMatch(request: FastifyRequest): string | undefined {
  const value = request.headers['if-match'];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * RFC 7232 §3.2 and §4.1 on a GET of one resource: when `If-None-Match` names its current ETag,
 * answers 304 with that ETag and no body, and returns true (the caller sends nothing else). The
 * provisioning log still records the read, with its 304, through the tenant onSend hook.
 *
 * One ETag serves every projection (`attributes`, `excludedAttributes`) of a resource: it names
 * the resource's state, not the bytes. That is sound for a weak validator because each
 * projection has its own URL (the query is part of it): a client or cache validates what it holds
 * for that URL, and 304 means that representation of that URL is still current.
 */
export function answeredNotModified(request: FastifyRequest, reply: FastifyReply, current: string): boolean {
  const value = request.headers['if-none-match'];
  if (!ifNoneMatchHits(Array.isArray(value) ? value.join(',') : value, current)) return false;
  void reply.code(304).header('etag', current).send();
  return true;
}

/** RFC 7644 §3.4.3: the parameters of a POST /.search come as a SearchRequest object. */
export function searchBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidSyntax('A SearchRequest body must be a JSON object', 'search.body');
  }
  return body as Record<string, unknown>;
}

/** `/Users/:id`, `/Groups/:id`, `/Schemas/:id`, `/ResourceTypes/:id`: the id as the path gives it. */
export const IdParams = Type.Object({ id: Type.String() });
