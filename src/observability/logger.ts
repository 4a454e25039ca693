import {
  type FastifyBaseLogger,
  type FastifyLoggerOptions,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { LoggerOptions } from 'pino';

/** Where a request's logger keeps who its lines name (see nameCaller). */
const CALLER = Symbol('parallel-scim.logCaller');

/** Who a request came from: a SCIM token's organization and token, or a service key. */
type LogCaller = { readonly orgId: string; readonly tokenId: string } | { readonly serviceKeyId: string };

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
    // A copy: pino merges the line's own fields into what this returns.
    mixin: (_fields, _level, logger) => {
      const caller = (logger as unknown as { [CALLER]?: LogCaller })[CALLER];
      return caller ? { ...caller } : {};
    },
  };
}

/**
 * Every later line of a request's logger (Fastify's child for that request, which its reply
 * shares, so its `request completed` line too) names who called. A pino child per request would
 * do the same, at a cost on every request (7 µs CPU of a 60 µs GET, bench/README.md) rather than
 * on every line written.
 */
export function nameCaller(log: FastifyBaseLogger, caller: LogCaller): void {
  (log as unknown as { [CALLER]?: LogCaller })[CALLER] = caller;
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
