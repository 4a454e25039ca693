import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Metrics } from '../observability/metrics.js';
import { ScimError } from '../scim/scim-error.js';
import { type BulkheadOptions, type BulkheadRefusal, BulkheadRejected, TenantBulkhead } from './tenant-bulkhead.js';

/**
 * onRequest hook, after authentication and the rate limit: the request waits for a slot of its
 * organization's bulkhead and holds it until its response is fully written or its connection
 * closes. Everything the request costs (reading and parsing its body, the database, a streamed
 * page to its last byte) happens inside its own organization's slot. Over the queue bound, or
 * after waiting too long, 429 with Retry-After: the organization is competing with itself.
 */
export function tenantAdmission(options: BulkheadOptions, metrics: Metrics) {
  const bulkhead = new TenantBulkhead(options);
  const retryAfter = String(Math.max(1, Math.ceil(options.maxWaitMs / 1000)));
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const orgId = request.scim?.org.id;
    if (orgId === undefined) return;
    const free = bulkhead.tryAcquire(orgId);
    if (free !== undefined) {
      metrics.tenantQueueWait.observe(0);
      return holdUntilClosed(reply, free);
    }
    const gone = new AbortController();
    const onClose = () => gone.abort();
    reply.raw.once('close', onClose);
    const waitStarted = performance.now();
    let release: () => void;
    try {
      metrics.tenantQueued.set(bulkhead.waiting + 1);
      release = await bulkhead.acquire(orgId, gone.signal);
    } catch (error) {
      if (!(error instanceof BulkheadRejected)) throw error;
      reply.header('retry-after', retryAfter);
      throw new ScimError(429, REFUSALS[error.reason](options, retryAfter), undefined, `tenant.${error.reason}`);
    } finally {
      metrics.tenantQueued.set(bulkhead.waiting);
    }
    metrics.tenantQueueWait.observe((performance.now() - waitStarted) / 1000);
    reply.raw.off('close', onClose);
    holdUntilClosed(reply, release);
  };

  /** The slot is held until the response is fully written or its connection closes. */
  function holdUntilClosed(reply: FastifyReply, release: () => void): void {
    metrics.tenantRunning.set(bulkhead.running);
    const done = () => {
      release();
      metrics.tenantRunning.set(bulkhead.running);
    };
    if (reply.raw.destroyed) done();
    else reply.raw.once('close', done);
  }
}

/** What each refusal tells the client (and support, in the provisioning log). */
const REFUSALS: Record<BulkheadRefusal, (options: BulkheadOptions, retryAfter: string) => string> = {
  queueFull: (o, after) =>
    `This organization already has ${o.concurrency} requests running and ${o.maxQueue} waiting; retry after ${after} s or send fewer requests at once`,
  waitTimeout: (o, after) =>
    `This organization's earlier requests kept this one waiting over ${o.maxWaitMs} ms; retry after ${after} s or send fewer requests at once`,
  aborted: () => "The client closed the connection while this request waited behind its organization's other requests",
};
