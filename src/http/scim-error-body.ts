import type { FastifyReply } from 'fastify';
import type { ScimError } from '../scim/scim-error.js';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** RFC 7644 §3.12: status is a string; scimType only where the RFC defines one. */
export function errorBody(status: number, detail: string, scimType?: string) {
  return {
    schemas: [ERROR_SCHEMA],
    status: String(status),
    ...(scimType ? { scimType } : {}),
    detail,
  };
}

export function sendScimError(reply: FastifyReply, error: ScimError): FastifyReply {
  return reply
    .code(error.status)
    .type(SCIM_CONTENT_TYPE)
    .send(errorBody(error.status, error.detail, error.scimType));
}
