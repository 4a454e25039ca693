import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ScimError } from '../scim/scim-error.js';
import { sendScimError } from './scim-error-body.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The error a response carries, for the provisioning log. */
    scimFailure?: { code: string; detail: string };
  }
}

/** Fastify's own 4xx errors, by code, as SCIM errors a person can act on. */
function frameworkError(error: FastifyError, bodyLimit: number): ScimError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ScimError(
        413,
        `The request body is larger than the limit of ${bodyLimit} bytes`,
        undefined,
        'request.tooLarge',
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ScimError(
        415,
        'Content-Type must be application/scim+json (or application/json)',
        undefined,
        'request.mediaType',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ScimError(
        400,
        'The request body is empty; a JSON object is required',
        'invalidSyntax',
        'request.empty',
      );
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ScimError(400, 'Content-Length does not match the body', 'invalidSyntax', 'request.contentLength');
    default:
      break;
  }
  if (error.validation) {
    return new ScimError(400, `Invalid request: ${error.message}`, 'invalidValue', 'request.validation');
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return new ScimError(status, error.message, undefined, `http.${error.code ?? status}`);
  }
  return undefined;
}

/**
 * The one error handler: every error leaves as a SCIM error body. Unknown errors are logged with
 * their cause and answered with a generic 500 that names the request id, never the cause.
 */
export function registerErrorHandler(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const scimError = error instanceof ScimError ? error : frameworkError(error, bodyLimit);
    if (scimError) {
      request.scimFailure = { code: scimError.code, detail: scimError.detail };
      if (scimError.status === 401) reply.header('www-authenticate', 'Bearer realm="parallel-scim"');
      return sendScimError(reply, scimError);
    }
    request.log.error({ err: error }, 'unhandled error');
    const internal = new ScimError(
      500,
      `Internal error; quote request id ${request.id} to Parallel support`,
      undefined,
      'internal',
    );
    request.scimFailure = { code: 'internal', detail: 'internal error (see service log)' };
    return sendScimError(reply, internal);
  });

  app.setNotFoundHandler((request, reply) => {
    const error = new ScimError(
      404,
      `No endpoint at ${request.method} ${request.url.split('?')[0]}`,
      undefined,
      'http.noRoute',
    );
    request.scimFailure = { code: error.code, detail: error.detail };
    return sendScimError(reply, error);
  });
}
