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

/** Where JSON APIs other than SCIM live (the event feed): same errors, plain JSON, with the code. */
export const API_PREFIX = '/api/';

export function sendScimError(reply: FastifyReply, error: ScimError): FastifyReply {
  const body = errorBody(error.status, error.detail, error.scimType);
  // A feed consumer is a program: the code is what it branches on (events.cursorExpired).
  if (reply.request.url.startsWith(API_PREFIX)) {
    return reply
      .code(error.status)
      .type('application/json; charset=utf-8')
      .send({ ...body, code: error.code });
  }
  return reply.code(error.status).type(SCIM_CONTENT_TYPE).send(body);
}
