import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
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
