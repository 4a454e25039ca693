import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics. Labels are bounded: route patterns (never raw URLs, never organization ids:
 * a million-user tenant and a ten-user one share a series) and error codes (a fixed set, the
 * README's table).
 */
export interface Metrics {
  readonly registry: Registry;
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly duration: Histogram<'method' | 'route'>;
  readonly logWriteFailures: Counter;
  /** Every error answered, by its stable code: limits, 429s, statement timeouts, 500s. */
  readonly errors: Counter<'status' | 'code'>;
  /** How long admitted requests waited for their organization's turn. */
  readonly tenantQueueWait: Histogram;
  /** Requests waiting for their organization's turn, all organizations together. */
  readonly tenantQueued: Gauge;
  /** Requests holding their organization's slot, all organizations together. */
  readonly tenantRunning: Gauge;
  /** Webhook delivery attempts by outcome (delivered: a 2xx; failed: anything else). */
  readonly webhookAttempts: Counter<'outcome'>;
  /** Webhooks the worker switched off after a failure streak. */
  readonly webhooksAutoDisabled: Counter;
  /**
   * Reads the deployment's webhook state at each scrape into three gauges (backlog, failing pairs,
   * disabled webhooks); a failed read leaves the last figures.
   */
  watchWebhooks(read: () => Promise<{ backlog: number; failingPairs: number; disabled: number }>): void;
  /**
   * Where the token gauges (scim_tokens_expiring, scim_tokens_expired_recently) read their figures
   * at each scrape: all organizations together, never a label per organization. The reader bounds
   * its own cost (services/tokens.ts expiryCounts caches a minute); a later call replaces it, and a
   * failed read leaves the last figures.
   */
  watchTokens(read: () => Promise<{ expiring: number; expiredRecently: number }>): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const tokens = tokenGauges(registry);
  return {
    registry,
    requests: new Counter({
      name: 'scim_http_requests_total',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'scim_http_request_duration_seconds',
      help: 'HTTP request duration by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    logWriteFailures: new Counter({
      name: 'scim_provisioning_log_write_failures_total',
      help: 'Provisioning log entries that could not be written',
      registers: [registry],
    }),
    errors: new Counter({
      name: 'scim_errors_total',
      help: 'Error responses by status and stable error code (e.g. tenant.busy, rate.limited, db.statementTimeout)',
      labelNames: ['status', 'code'],
      registers: [registry],
    }),
    tenantQueueWait: new Histogram({
      name: 'scim_tenant_queue_wait_seconds',
      help: "Time admitted requests waited behind their own organization's requests",
      buckets: [0.001, 0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    tenantQueued: new Gauge({
      name: 'scim_tenant_queued_requests',
      help: "Requests waiting for their organization's turn (all organizations)",
      registers: [registry],
    }),
    tenantRunning: new Gauge({
      name: 'scim_tenant_running_requests',
      help: "Requests holding a slot of their organization's bulkhead (all organizations)",
      registers: [registry],
    }),
    webhookAttempts: new Counter({
      name: 'scim_webhook_delivery_attempts_total',
      help: 'Webhook delivery attempts by outcome (delivered: the receiver answered 2xx; failed: anything else)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    webhooksAutoDisabled: new Counter({
      name: 'scim_webhooks_auto_disabled_total',
      help: 'Webhooks this instance switched off after a failure streak',
      registers: [registry],
    }),
    watchWebhooks: (read) => watchWebhooks(registry, read),
    watchTokens: (read) => {
      tokens.read = read;
    },
  };
}

/** The token gauges, registered once per registry; what they read is set by watchTokens. */
function tokenGauges(registry: Registry) {
  const source: { read?: () => Promise<{ expiring: number; expiredRecently: number }> } = {};
  // One read per scrape for both gauges, as watchWebhooks does.
  let pending: Promise<void> | undefined;
  const refresh = () => {
    const read = source.read;
    if (read === undefined) return;
    pending ??= read()
      .then((t) => {
        expiring.set(t.expiring);
        expired.set(t.expiredRecently);
      })
      .catch(() => undefined)
      .finally(() => {
        setImmediate(() => {
          pending = undefined;
        });
      });
    return pending;
  };
  const expiring = new Gauge({
    name: 'scim_tokens_expiring',
    help: 'Live SCIM tokens expiring within 30 days that no newer token of the same organization and label outlives, all organizations together (read at scrape, at most once a minute)',
    registers: [registry],
    collect: refresh,
  });
  const expired = new Gauge({
    name: 'scim_tokens_expired_recently',
    help: 'Unrevoked SCIM tokens that expired in the last 7 days and were not replaced: an IdP is likely failing with 401 (read at scrape)',
    registers: [registry],
    collect: refresh,
  });
  return source;
}

function watchWebhooks(
  registry: Registry,
  read: () => Promise<{ backlog: number; failingPairs: number; disabled: number }>,
): void {
  // One read per scrape feeds the three gauges; each collect asks for the scrape's read, so a
  // scrape costs one aggregate query whichever gauge is collected first.
  let pending: Promise<void> | undefined;
  const refresh = () => {
    pending ??= read()
      .then((t) => {
        backlog.set(t.backlog);
        failing.set(t.failingPairs);
        disabled.set(t.disabled);
      })
      .catch(() => undefined)
      .finally(() => {
        setImmediate(() => {
          pending = undefined;
        });
      });
    return pending;
  };
  const backlog = new Gauge({
    name: 'scim_webhook_backlog_events',
    help: 'Events enabled webhooks have not yet delivered, all organizations together (read at scrape)',
    registers: [registry],
    collect: refresh,
  });
  const failing = new Gauge({
    name: 'scim_webhook_failing_pairs',
    help: 'Webhook and organization pairs whose last delivery attempt failed (read at scrape)',
    registers: [registry],
    collect: refresh,
  });
  const disabled = new Gauge({
    name: 'scim_webhooks_disabled',
    help: 'Webhooks switched off, by support or after a failure streak (read at scrape)',
    registers: [registry],
    collect: refresh,
  });
}
