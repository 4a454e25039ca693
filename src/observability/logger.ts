import {
  type FastifyBaseLogger,
  type FastifyLoggerOptions,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { LoggerOptions } from 'pino';

/** Where a request's logger keeps the tenant its lines name (see nameTenant). */
const TENANT = Symbol('parallel-scim.logTenant');

interface LogTenant {
  readonly orgId: string;
  readonly tokenId: string;
}

/**
 * pino options for the service: JSON lines, and the Authorization header (the bearer secret)
 * redacted wherever a request is logged. Bodies are never logged.
 */
export function loggerOptions(level: string): FastifyLoggerOptions & LoggerOptions {
  return {
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'authorization'],
      censor: '[redacted]',
    },
    // Called only for a line that is written; `logger` is the one the line was written with
    // (or a child of it), so a request's lines name its tenant and no other logger's do.
    mixin: (_fields, _level, logger) => {
      const tenant = (logger as unknown as { [TENANT]?: LogTenant })[TENANT];
      return tenant ? { orgId: tenant.orgId, tokenId: tenant.tokenId } : {};
    },
  };
}

/**
 * Every later line of a request's logger (Fastify's child for that request, which its reply
 * shares) names the organization and token. A pino child per request would do the same, at a
 * cost on every request (7 µs CPU of a 60 µs GET, bench/README.md) rather than on every line.
 */
export function nameTenant(log: FastifyBaseLogger, tenant: LogTenant): void {
  (log as unknown as { [TENANT]?: LogTenant })[TENANT] = tenant;
}

/**
 * One line per request, `request completed`, with what it was (method and URL), its status and
 * its time: Fastify's `incoming request` line before it doubled the log and cost 11 µs CPU a
 * line, a sixth of a GET by id (bench/README.md), so it is written at debug level only.
 */
export class RequestLines extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const req = { method: request.method, url: request.url };
    if (error) {
      reply.log.error({ req, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    } else {
      reply.log.info({ req, res: reply, responseTime: reply.elapsedTime }, 'request completed');
    }
  }
}
