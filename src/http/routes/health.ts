import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/index.js';
import { packageVersion } from '../../version.js';

/**
 * Liveness (the process answers) and readiness (the database answers).
 *
 * /healthz never touches the database: an orchestrator restarts a process whose liveness fails,
 * and restarting every instance during a database outage helps nobody. It names the version and
 * the migration level as last read: once when the server starts, then by every /readyz, which is
 * when a newer instance's migration (a rolling upgrade) shows up here.
 */
export function healthRoutes(app: FastifyInstance, services: Services): void {
  const { operations } = services;
  const version = packageVersion();
  app.addHook('onReady', async () => {
    try {
      await operations.migrationLevel();
    } catch (error) {
      // The database was just migrated by this start; if it went away since, /readyz says so
      // and reads the level once it is back.
      app.log.warn({ err: error }, 'could not read the migration level');
    }
  });
  app.get('/healthz', async () => ({
    status: 'ok',
    version,
    migrations: operations.lastMigrationSummary,
  }));
  app.get('/readyz', async (request, reply) => {
    try {
      await operations.ready();
      await operations.migrationLevel();
      return { status: 'ready', version, migrations: operations.lastMigrationSummary };
    } catch (error) {
      request.log.error({ err: error }, 'readiness check failed');
      return reply.code(503).send({ status: 'unavailable' });
    }
  });
}
