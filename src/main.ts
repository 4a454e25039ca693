import type { FastifyBaseLogger } from 'fastify';
import { openApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { isEntryPoint } from './entry-point.js';
import { buildServer } from './http/build-server.js';
import { warnIfOriginUnpinned } from './http/origin-warning.js';
import { startMetricsListener } from './http/routes/metrics.js';
import { createMetrics } from './observability/metrics.js';
import { startReport } from './observability/start-report.js';
import { DatabaseUrlError, StoreUnavailable } from './services/index.js';
import { packageVersion } from './version.js';

/**
 * The server: the app (app.ts: store and services) behind HTTP. SIGTERM/SIGINT stop taking
 * requests, let the ones in flight finish, then close the database.
 */
export async function serve(env: Record<string, string | undefined> = process.env): Promise<void> {
  const config = loadConfig(env);
  const { services, close, database } = await openApp(config);
  const metrics = createMetrics();
  const app = await buildServer({ services, config, metrics });
  // Where the data is, first thing: a mistyped DATABASE_URL shows as "created" on a server that
  // should have opened an existing database.
  app.log.info(
    { database: database.location.description, created: database.created },
    database.created ? 'database created' : 'database opened',
  );
  warnIfOriginUnpinned(app.log, config);
  metrics.watchWebhooks(() => services.webhooks.totals());
  const metricsListener = config.metricsListener
    ? await startMetricsListener(metrics, config.metricsListener.host, config.metricsListener.port)
    : undefined;
  const retention = [
    startRetention(app.log, 'provisioning log', config.logRetentionDays, (ms) => services.log.prune(ms)),
    startRetention(app.log, 'directory events', config.eventRetentionDays, (ms) => services.eventsFeed.prune(ms)),
    startRetention(app.log, 'webhook delivery log', config.webhooks.retentionDays, (ms) =>
      services.webhooks.pruneDeliveries(ms),
    ),
  ];
  // In the background, off every request's path: the events are in the outbox already.
  const webhookWorker = config.webhooks.delivery
    ? services.webhookDelivery.start(config.webhooks, app.log.child({ component: 'webhooks' }), {
        observer: {
          attempt: (outcome) => metrics.webhookAttempts.inc({ outcome }),
          disabled: () => metrics.webhooksAutoDisabled.inc(),
        },
      })
    : undefined;
  let closing = false;
  const shutdown = async (signal: string) => {
    // Repeats are expected, not a second request to hurry: Ctrl-C under `npm start` reaches node
    // twice, from the terminal and forwarded by npm. The drain is bounded by SHUTDOWN_GRACE_MS.
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    try {
      for (const timer of retention) if (timer) clearInterval(timer);
      // Sends in flight are cut and their leases released, so another instance takes them over now.
      const webhooksStopped = webhookWorker?.stop();
      // A keep-alive connection whose request finishes during the drain would otherwise hold the
      // close for the whole keep-alive timeout; each one is closed as soon as it goes idle, and a
      // drain that outlasts SHUTDOWN_GRACE_MS is cut.
      const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
      const cut = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      await app.close();
      metricsListener?.close();
      clearInterval(sweep);
      clearTimeout(cut);
      await webhooksStopped;
      await close();
    } finally {
      process.exit(0);
    }
  };
  // Once Fastify answers new requests 503 (before the port closes): the moment a request is no
  // longer taken, which test/e2e/crash.test.ts waits for.
  app.addHook('preClose', (done) => {
    app.log.info('taking no new requests, waiting for those in flight');
    done();
  });
  // Handlers stay registered: without one, a repeated signal would kill the process mid-drain.
  // They also make node the right PID 1 in a container, as nothing else forwards the signal.
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  await app.listen({ port: config.port, host: config.host });
  app.log.info(
    {
      ...startReport(database.location, services.operations),
      metrics: config.metricsListener
        ? `http://${config.metricsListener.host}:${config.metricsListener.port}/metrics`
        : config.metricsToken
          ? '/metrics with METRICS_TOKEN'
          : 'off (set METRICS_PORT or METRICS_TOKEN)',
      tenantLimit: config.tenantLimit,
    },
    'parallel-scim listening',
  );
  if (services.operations.database === 'postgres' && config.tenantLimit.concurrency >= config.dbPoolSize) {
    // One organization could then hold every pooled connection and queue the others behind it.
    app.log.warn(
      { tenantConcurrency: config.tenantLimit.concurrency, dbPoolSize: config.dbPoolSize },
      'TENANT_CONCURRENCY should be below DB_POOL_SIZE',
    );
  }
}

const HOUR = 3_600_000;
/** Longest a SIGTERM waits for requests in flight (a load balancer's drain is usually 30 s). */
const SHUTDOWN_GRACE_MS = 25_000;

/**
 * Hourly, every instance deletes what is past retention (idempotent, so instances may overlap);
 * 0 days keeps everything and starts nothing.
 */
function startRetention(
  log: FastifyBaseLogger,
  what: string,
  days: number,
  prune: (retentionMs: number) => Promise<number>,
): NodeJS.Timeout | undefined {
  if (days <= 0) return undefined;
  const run = () => {
    prune(days * 24 * HOUR)
      .then((deleted) => {
        if (deleted > 0) log.info({ deleted, retentionDays: days }, `pruned ${what}`);
      })
      .catch((error: unknown) => log.error({ err: error }, `${what} retention failed`));
  };
  setTimeout(run, 60_000).unref();
  const timer = setInterval(run, HOUR);
  timer.unref();
  return timer;
}

/** Prints a start-up failure as one line a person can act on, without a stack trace. */
export function reportStartFailure(error: unknown): never {
  if (error instanceof ConfigError || error instanceof DatabaseUrlError) {
    process.stderr.write(`parallel-scim: ${error.message}\n`);
  } else if (error instanceof StoreUnavailable) {
    // Its message is only the reason; the driver's own words say what to fix (refused, password).
    const cause = (error.cause as Error | undefined)?.message;
    process.stderr.write(`parallel-scim: could not start: ${error.message}${cause ? `: ${cause}` : ''}\n`);
  } else {
    process.stderr.write(`parallel-scim: could not start: ${(error as Error)?.message ?? String(error)}\n`);
  }
  process.exit(1);
}

if (isEntryPoint(import.meta.url)) {
  // `node dist/main.js --version` (what an image or a unit runs) answers instead of serving.
  if (process.argv[2] === '--version' || process.argv[2] === '-V') process.stdout.write(`${packageVersion()}\n`);
  else serve().catch(reportStartFailure);
}
