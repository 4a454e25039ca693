import type { Services } from '../services/index.js';
import type { DatabaseLocation } from '../store/database-location.js';
import { packageVersion } from '../version.js';

/**
 * The fields of the 'parallel-scim listening' line that say what started: the version, the
 * database, the migrations this start applied and the level the schema is at now. Support reads
 * them to answer "which build is this, on which database?" without a shell on the host.
 */
export function startReport(location: DatabaseLocation, operations: Services['operations']) {
  const { applied, ...rest } = operations.lastMigrationSummary;
  return {
    version: packageVersion(),
    database: describeDatabase(location),
    migrations: { appliedNow: operations.migrationsAppliedAtStart, level: applied, ...rest },
  };
}

/** The database opened, as an operator may read it in a log: never the URL, which holds the password. */
function describeDatabase(location: DatabaseLocation) {
  if (location.kind === 'sqlite') return { kind: 'sqlite', file: location.file };
  const { host, port, database, schema } = location;
  return { kind: 'postgres', host, port, database, schema };
}
