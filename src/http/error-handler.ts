import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Metrics } from '../observability/metrics.js';
import { ScimError } from '../scim/scim-error.js';
import { StoreUnavailable, type UnavailableReason } from '../services/index.js';
import { sendScimError } from './scim-error-body.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The error a response carries, for the provisioning log. */
    scimFailure?: { code: string; detail: string };
  }
}

/** Seconds a client should wait after each kind of database unavailability. */
const RETRY_AFTER_SECONDS: Record<UnavailableReason, number> = {
  // The statement ran the whole timeout: the same request now would likely do it again.
  statementTimeout: 10,
  poolTimeout: 2,
  busy: 2,
  connection: 10,
  // Someone has to free space or remount: clients should come back, but not at once.
  diskFull: 30,
  readOnly: 30,
};

const UNAVAILABLE_DETAIL: Record<UnavailableReason, string> = {
  statementTimeout: 'The request needed more database time than one request may take; nothing was changed',
  poolTimeout: 'The database is busy serving other requests; nothing was changed',
  busy: 'The database is locked by another writer (a CLI command or a backup?); nothing was changed',
  connection: 'The database cannot be reached right now; nothing was changed',
  diskFull: 'The database has no space left for this change; nothing was changed',
  readOnly: 'The database accepts no changes right now (read-only); nothing was changed',
};

/**
 * RFC 7231 §6.6.4: 503 with Retry-After, which Entra and Okta back off on and retry, where a 500
 * would count as a failed sync. The transaction rolled back, so a retry is safe.
 */
function unavailableError(error: unknown, reply: FastifyReply): ScimError | undefined {
  if (!(error instanceof StoreUnavailable)) return undefined;
  const seconds = RETRY_AFTER_SECONDS[error.reason];
  reply.header('retry-after', String(seconds));
  return new ScimError(
    503,
    `${UNAVAILABLE_DETAIL[error.reason]}; retry after ${seconds} seconds`,
    undefined,
    `db.${error.reason}`,
  );
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
export function registerErrorHandler(app: FastifyInstance, bodyLimit: number, metrics: Metrics): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const scimError =
      error instanceof ScimError ? error : (unavailableError(error, reply) ?? frameworkError(error, bodyLimit));
    if (scimError) {
      request.scimFailure = { code: scimError.code, detail: scimError.detail };
      metrics.errors.inc({ status: String(scimError.status), code: scimError.code });
      if (scimError.status === 401 && !reply.hasHeader('www-authenticate')) {
        reply.header('www-authenticate', 'Bearer realm="parallel-scim"');
      }
      if (scimError.status === 503) request.log.warn({ err: error }, 'database unavailable');
      return sendScimError(reply, scimError);
    }
    metrics.errors.inc({ status: '500', code: 'internal' });
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
    metrics.errors.inc({ status: '404', code: 'http.noRoute' });
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
