/**
 * Records every statement a PREVIOUS version of the service runs during a representative workload
 * (an Entra cycle and the support and feed reads around it), with its parameters and outcome, as
 * a corpus that test/e2e/rolling-upgrade.test.ts replays against a database at the latest
 * migration: during a rolling upgrade that version keeps serving the database the new one
 * migrated, so every statement it runs must still run there and do the same.
 *
 * Run from a checkout of the previous version (its node_modules symlinked to this tree's, so
 * both share one copy of each driver), once per migration added:
 *
 *   git worktree add --detach /tmp/prev <commit before the new migration>
 *   ln -s "$PWD/node_modules" /tmp/prev/node_modules
 *   TEST_POSTGRES_URL=postgres://user:password@host:5432/db npx tsx test/schema-compat/record.ts /tmp/prev
 *   git worktree remove /tmp/prev
 *
 * It writes `<level>.<dialect>.json` here for SQLite, and for PostgreSQL when TEST_POSTGRES_URL
 * is set. Only the public surface of the old tree is used (its test helpers, services and HTTP),
 * so the script works on any version since issue 10. The drivers are observed from below (the
 * better-sqlite3 Statement and pg Client prototypes), so nothing of the old code is changed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

type Param = string | number | boolean | null;
/** Rows a read returned or rows a write changed; `{ error }` with the driver's code when it failed. */
export type Outcome = number | { readonly error: string };
export interface Corpus {
  readonly recordedFrom: string;
  readonly level: string;
  readonly dialect: 'sqlite' | 'postgres';
  /** Distinct statement texts; `run` refers to them by index. */
  readonly statements: string[];
  /** In execution order: [statement index, parameters, outcome (null: a streamed read)]. */
  readonly run: [number, Param[], Outcome | null][];
}

let corpus: Corpus | undefined;

function record(text: string, params: unknown): { done(outcome: Outcome | null): void } {
  const target = corpus;
  if (!target || /^\s*pragma\b/i.test(text)) return { done: () => undefined };
  const values = (Array.isArray(params) ? params : params === undefined ? [] : [params]).map((v): Param => {
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
    throw new Error(`a parameter the corpus cannot hold: ${typeof v} in ${text}`);
  });
  let index = target.statements.indexOf(text);
  if (index < 0) index = target.statements.push(text) - 1;
  const entry: [number, Param[], Outcome | null] = [index, values, null];
  target.run.push(entry);
  return {
    done: (outcome) => {
      entry[2] = outcome;
    },
  };
}

function observeSqlite(): void {
  const probe = new Database(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('select 1'));
  probe.close();
  for (const method of ['all', 'run', 'get'] as const) {
    const original = proto[method];
    proto[method] = function (this: Database.Statement, ...args: unknown[]) {
      const entry = record(this.source, args.length === 1 ? args[0] : args);
      try {
        const result = original.apply(this, args);
        if (method === 'all') entry.done((result as unknown[]).length);
        else if (method === 'run') entry.done((result as Database.RunResult).changes);
        else entry.done(result === undefined ? 0 : 1);
        return result;
      } catch (error) {
        entry.done({ error: String((error as { code?: unknown }).code ?? 'error') });
        throw error;
      }
    };
  }
  const iterate = proto.iterate;
  proto.iterate = function (this: Database.Statement, ...args: unknown[]) {
    // Streamed reads are replayed as reads; how many rows the consumer took is not recorded.
    record(this.source, args.length === 1 ? args[0] : args);
    return iterate.apply(this, args);
  };
}

function observePostgres(): void {
  const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  (pg.Client.prototype as { query: unknown }).query = function (this: pg.Client, ...args: unknown[]) {
    const [config, values] = args;
    const text = typeof config === 'string' ? config : (config as { text?: string } | undefined)?.text;
    const params = typeof config === 'string' ? values : (config as { values?: unknown } | undefined)?.values;
    const result = original.apply(this, args);
    if (text !== undefined && result instanceof Promise) {
      const entry = record(text, params ?? []);
      result.then(
        (r: pg.QueryResult) => entry.done(r.command === 'SELECT' ? r.rows.length : (r.rowCount ?? 0)),
        (e: { code?: unknown }) => entry.done({ error: String(e.code ?? 'error') }),
      );
    }
    return result;
  };
}

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const MS_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

// biome-ignore lint/suspicious/noExplicitAny: the old tree's modules, typed as they were then
type Old = Record<string, any>;

/** The workload, through the old version's services and HTTP only. */
async function workload(server: Old, helpers: Old, operator: unknown): Promise<void> {
  const { token, orgId } = await helpers.newTenant(server.services, 'Compat');
  const call = async (method: string, path: string, body?: unknown, expect = [200, 201, 204]) => {
    const res = await helpers.scimRequest(`${server.scimUrl}${path}`, {
      method,
      token,
      ...(body !== undefined ? { body } : {}),
    });
    assert.ok(expect.includes(res.status), `${method} ${path}: ${res.status} ${res.text}`);
    return res.body;
  };
  const patch = (path: string, ...Operations: object[]) => call('PATCH', path, { schemas: [PATCH], Operations });
  // Entra's Test connection.
  await call('GET', `/Users?filter=${encodeURIComponent('userName eq "probe-1b2c"')}`);
  await call('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "probe"')}`);
  // The initial cycle: look up by externalId, create, read back.
  const ids: string[] = [];
  for (const [i, name] of ['Ada', 'Grace', 'Linus'].entries()) {
    await call('GET', `/Users?filter=${encodeURIComponent(`externalId eq "ext-${i}"`)}`);
    const user = await call('POST', '/Users', {
      schemas: [USER, ENTERPRISE],
      userName: `${name.toLowerCase()}@compat.test`,
      externalId: `ext-${i}`,
      active: true,
      name: { givenName: name, familyName: 'Compat' },
      emails: [{ type: 'work', value: `${name}@Compat.test`, primary: true }],
      [ENTERPRISE]: { department: 'R&D', employeeNumber: String(100 + i) },
    });
    ids.push(user.id);
    await call('GET', `/Users/${user.id}`);
  }
  const [ada, grace, linus] = ids as [string, string, string];
  await call('POST', '/Users', { schemas: [USER], userName: 'ADA@compat.test' }, [409]);
  await call('GET', `/Users?filter=${encodeURIComponent('userName eq "Grace@Compat.Test"')}`);
  await call('GET', `/Users?filter=${encodeURIComponent('emails[type eq "work" and value co "compat"]')}`);
  await call('GET', '/Users?startIndex=2&count=2&sortBy=userName&sortOrder=descending');
  await call('GET', `/Users?attributes=userName,emails&filter=${encodeURIComponent('name.familyName sw "Com"')}`);
  // Updates in both Entra dialects, Okta's PUT, deactivation.
  await patch(`/Users/${ada}`, { op: 'Replace', path: 'displayName', value: 'Ada L.' });
  await patch(`/Users/${grace}`, {
    op: 'replace',
    value: { 'name.givenName': 'G.', [`${ENTERPRISE}:department`]: 'Ops' },
  });
  await patch(`/Users/${linus}`, { op: 'Replace', path: 'active', value: 'False' });
  await call('PUT', `/Users/${grace}`, {
    schemas: [USER],
    userName: 'grace@compat.test',
    externalId: 'ext-1',
    active: true,
    emails: [{ type: 'work', value: 'grace@compat.test' }],
  });
  // Groups, members (users and a nested team), removal both ways.
  const team = await call('POST', '/Groups', {
    schemas: [GROUP, MS_GROUP],
    displayName: 'Engineering',
    externalId: 'g-eng',
    members: [{ value: ada }],
  });
  const sub = await call('POST', '/Groups', { schemas: [GROUP], displayName: 'Platform', externalId: 'g-plat' });
  await call('GET', `/Groups?filter=${encodeURIComponent('externalId eq "g-eng"')}&excludedAttributes=members`);
  await patch(`/Groups/${team.id}`, {
    op: 'Add',
    path: 'members',
    value: [{ value: grace, $ref: null }, { value: ada }],
  });
  await patch(`/Groups/${team.id}`, { op: 'add', path: 'members', value: [{ value: sub.id }] });
  await patch(`/Groups/${sub.id}`, { op: 'add', path: 'members', value: [{ value: linus }, { value: ada }] });
  await patch(`/Groups/${team.id}`, { op: 'Remove', path: 'members', value: [{ value: ada }] });
  await patch(`/Groups/${team.id}`, { op: 'remove', path: `members[value eq "${grace}"]` });
  await patch(`/Groups/${sub.id}`, { op: 'replace', path: 'displayName', value: 'Platform team' });
  await call('GET', `/Groups/${team.id}`);
  await call('GET', `/Users/${linus}`);
  await call('GET', '/Groups?count=10');
  // DELETE as RFC 7644 §3.6 (retain), then the IdP re-creates the person.
  await call('DELETE', `/Users/${linus}`);
  await call('GET', `/Users/${linus}`, undefined, [404]);
  await call('POST', '/Users', { schemas: [USER], userName: 'linus@compat.test', externalId: 'ext-2b', active: true });
  await call('DELETE', `/Groups/${sub.id}`);
  // Support's reads and the feed.
  await server.services.log.flush?.();
  await server.services.log.query(orgId, { limit: 50 });
  await server.services.log.query(orgId, { status: 409, limit: 10 });
  const key = (await server.services.serviceKeys.issue(operator, { label: 'compat' })).key;
  for (const path of ['events?', 'snapshot?resource=users&', 'snapshot?resource=teams&']) {
    const res = await helpers.scimRequest(`${server.origin}/api/v1/${path}org=${orgId}&limit=100`, { token: key });
    assert.equal(res.status, 200, `${path}: ${res.text}`);
  }
  await server.services.log.flush?.();
}

async function main(): Promise<void> {
  const tree = process.argv[2];
  if (!tree) throw new Error('usage: record.ts <checkout of the previous version>');
  const commit = execFileSync('git', ['-C', tree, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const { migrations } = await import(join(tree, 'src/store/sql/migrations/index.ts'));
  const level = Object.keys(migrations).sort().at(-1) as string;
  const helpers: Old = await import(join(tree, 'test/helpers/start-server.ts'));
  const { testStores } = await import(join(tree, 'test/helpers/stores.ts'));
  const { TEST_OPERATOR } = await import(join(tree, 'test/helpers/records.ts'));
  observeSqlite();
  observePostgres();
  for (const backend of testStores()) {
    // One pooled connection: the statements run in the order recorded, as the replay runs them.
    const server = await helpers.startServer(backend, { pool: { poolSize: 1 } });
    corpus = { recordedFrom: commit, level, dialect: backend.name, statements: [], run: [] };
    const done = corpus;
    try {
      await workload(server, helpers, TEST_OPERATOR);
    } finally {
      corpus = undefined;
      await server.close();
    }
    const file = join(import.meta.dirname, `${level}.${backend.name}.json`);
    writeFileSync(file, `${JSON.stringify(done)}\n`);
    console.log(`${file}: ${done.run.length} statements, ${done.statements.length} distinct`);
  }
}

await main();
