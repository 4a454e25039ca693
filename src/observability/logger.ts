import type { FastifyLoggerOptions } from 'fastify';
import type { LoggerOptions } from 'pino';

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
  };
}
