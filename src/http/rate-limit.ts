import type { FastifyReply, FastifyRequest } from 'fastify';
import { ScimError } from '../scim/scim-error.js';
import type { RateLimiter } from '../services/index.js';

/**
 * onRequest hook after authentication: each token has its own budget, so one noisy IdP cannot
 * starve another organization. Refusals are 429 with Retry-After, which Entra backs off on.
 */
export function rateLimit(limiter: RateLimiter) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const actor = request.scim?.actor;
    const tokenId = actor?.kind === 'token' ? actor.tokenId : undefined;
    if (!tokenId) return;
    const decision = await limiter.consume(tokenId);
    if (decision.allowed) return;
    const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    reply.header('retry-after', String(seconds));
    throw new ScimError(
      429,
      `Too many requests for this token; retry after ${seconds} second${seconds === 1 ? '' : 's'}`,
      undefined,
      'rate.limited',
    );
  };
}
