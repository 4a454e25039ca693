import { resolve } from 'node:path';
import type { Services } from '../services/index.js';
import { packageVersion } from '../version.js';

/** Which database a start opened, as an operator may read it in a log: never a password or URL. */
export type DatabaseDescription =
  | { readonly kind: 'sqlite'; readonly file: string }
  | {
      readonly kind: 'postgres';
      readonly host: string;
      readonly port: number;
      readonly database: string;
      readonly schema: string;
    };

/**
 * The fields of the 'parallel-scim listening' line that say what started: the version, the
 * database, the migrations this start applied and the level the schema is at now. Support reads
 * them to answer "which build is this, on which database?" without a shell on the host.
 */
export function startReport(databaseUrl: string, operations: Services['operations']) {
  const level = operations.lastMigrationLevel;
  return {
    version: packageVersion(),
    database: describeDatabase(databaseUrl),
    migrations: {
      appliedNow: operations.migrationsAppliedAtStart,
      level: level ? (level.applied.at(-1) ?? null) : null,
      latest: operations.latestMigration,
      ...(level && level.unknown.length > 0 ? { unknown: level.unknown } : {}),
    },
  };
}

/**
 * The database a DATABASE_URL names, without its credentials. SQLite: the absolute file, resolved
 * against the working directory as open-store.ts resolves it. PostgreSQL: host, port, database and
 * schema only; the URL itself, which carries the password, is never part of the answer.
 */
export function describeDatabase(databaseUrl: string): DatabaseDescription | { readonly kind: 'unknown' } {
  if (databaseUrl.startsWith('sqlite:')) {
    const rest = databaseUrl.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    return { kind: 'sqlite', file: rest === ':memory:' ? rest : resolve(rest) };
  }
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    return { kind: 'unknown' };
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return { kind: 'unknown' };
  return {
    kind: 'postgres',
    host: url.hostname,
    port: url.port === '' ? 5432 : Number(url.port),
    // pg's own default when the URL names none: a database named after the user.
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || decodeURIComponent(url.username),
    // Without ?schema= the tables live in PostgreSQL's default search_path ("$user", public).
    schema: url.searchParams.get('schema') ?? 'public',
  };
}
