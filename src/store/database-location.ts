import { resolve } from 'node:path';
import { DatabaseUrlError } from './store-errors.js';

/** Which database a DATABASE_URL names, read once: what openStore opens and what messages name. */
export type DatabaseLocation =
  | {
      readonly kind: 'sqlite';
      /** Absolute path (relative URLs resolve against the working directory), or ':memory:'. */
      readonly file: string;
      readonly description: string;
    }
  | {
      readonly kind: 'postgres';
      readonly url: string;
      readonly host: string;
      readonly port: number;
      /** The database the URL names, or pg's default when it names none: the user's name. */
      readonly database: string;
      /** `?schema=`, else PostgreSQL's default search_path ends in public. */
      readonly schema: string;
      /** host:port, database, schema and user: never the password. */
      readonly description: string;
    };

const EXAMPLES =
  'sqlite:./data/parallel-scim.db, sqlite:/var/lib/parallel-scim/scim.db or postgres://user:password@host:5432/db';

/**
 * Parses a DATABASE_URL, or throws a DatabaseUrlError that says what is wrong with it and what
 * the valid forms are. The password never appears in a message.
 */
export function databaseLocation(databaseUrl: string, cwd: string = process.cwd()): DatabaseLocation {
  if (databaseUrl.startsWith('sqlite:')) {
    const rest = databaseUrl.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (rest === '') throw new DatabaseUrlError(`DATABASE_URL "sqlite:" needs a file path; valid forms: ${EXAMPLES}`);
    const file = rest === ':memory:' ? rest : resolve(cwd, rest);
    return { kind: 'sqlite', file, description: file };
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return postgresLocation(databaseUrl);
  throw new DatabaseUrlError(`DATABASE_URL ${unknownScheme(databaseUrl)}; valid forms: ${EXAMPLES}`);
}

function postgresLocation(databaseUrl: string): DatabaseLocation {
  let parsed: URL;
  try {
    parsed = new URL(databaseUrl);
  } catch {
    // The URL parser refuses a port above 65535, a space or a bad %-escape in the password, ...
    const port = /^postgres(?:ql)?:\/\/(?:[^@/]*@)?[^:/?#]*:([^/?#]*)/.exec(databaseUrl)?.[1];
    const why =
      port !== undefined && !/^\d{1,5}$/.test(port)
        ? `its port "${port}" is not a number`
        : port !== undefined && Number(port) > 65535
          ? `its port ${port} is above 65535`
          : 'it is not a valid URL (a password with @, /, ?, # or a space must be %-encoded)';
    throw new DatabaseUrlError(`DATABASE_URL postgres://... cannot be read: ${why}; valid forms: ${EXAMPLES}`);
  }
  if (parsed.hostname === '')
    throw new DatabaseUrlError(`DATABASE_URL postgres://... names no host; valid forms: ${EXAMPLES}`);
  const schema = parsed.searchParams.get('schema') ?? 'public';
  const named = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  const user = decodeURIComponent(parsed.username);
  const port = parsed.port === '' ? 5432 : Number(parsed.port);
  return {
    kind: 'postgres',
    url: databaseUrl,
    host: parsed.hostname,
    port,
    database: named || user,
    schema,
    description: `PostgreSQL ${parsed.hostname}:${port} database ${named || '(the user name)'} schema ${schema} as ${user || '(default user)'}`,
  };
}

/** What is wrong with a URL of neither form, naming only its scheme (the rest may hold a password). */
function unknownScheme(databaseUrl: string): string {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*/.exec(databaseUrl)?.[0] ?? '';
  if (scheme.toLowerCase() === 'sqlite' && databaseUrl[scheme.length] === ':')
    return 'must start with lower-case "sqlite:"';
  if (scheme.toLowerCase() === 'sqlite') return `must have a colon right after "sqlite" (sqlite:<path>)`;
  if (/^sqlite/i.test(scheme)) return `scheme "${scheme}:" is not sqlite:`;
  if (/^(postgre|pg|psql)/i.test(scheme)) return `scheme "${scheme}:" is not postgres:// or postgresql://`;
  return scheme === '' ? 'is not a URL' : `scheme "${scheme}:" is not sqlite: or postgres://`;
}
