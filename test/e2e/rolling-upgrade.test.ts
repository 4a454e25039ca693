import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { type Migration, sql } from 'kysely';
import pg from 'pg';
import { createServices } from '../../src/services/index.js';
import type { NewerSchema } from '../../src/store/migrate.js';
import { openStore } from '../../src/store/open-store.js';
import { migrations } from '../../src/store/sql/migrations/index.js';
import { migrationKinds, openDatabaseAt } from '../helpers/database-at.js';
import { TEST_OPERATOR } from '../helpers/records.js';
import { testStores } from '../helpers/stores.js';
import type { Corpus, Outcome } from '../schema-compat/record.js';

/**
 * Two versions on one database during a rolling upgrade (src/store/sql/migrations/index.ts):
 * version N starts and serves on a database version N+1 migrated, and the statements version N
 * runs (a recorded corpus, test/schema-compat/record.ts) still run there.
 */
const names = Object.keys(migrations).sort();
const latest = names.at(-1) as string;
const previousLevel = names.at(-2) as string;
/** The migrations of the previous version: this list without its last entry. */
const previousVersion: Record<string, Migration> = Object.fromEntries(
  names.slice(0, -1).map((n) => [n, migrations[n] as Migration]),
);

const CORPUS_DIR = join(import.meta.dirname, '..', 'schema-compat');
const corpora = readdirSync(CORPUS_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ file: f, corpus: JSON.parse(readFileSync(join(CORPUS_DIR, f), 'utf8')) as Corpus }));

for (const backend of testStores()) {
  describe(`rolling upgrade on ${backend.name}`, () => {
    test('the previous version starts on a database the latest migrated, serves it, and changes nothing', async () => {
      const db = await backend.open();
      try {
        const told: NewerSchema[] = [];
        const old = await openStore(db.databaseUrl, {
          migrator: { migrations: previousVersion, onNewerSchema: (newer) => told.push(newer) },
        });
        try {
          assert.deepEqual(told, [{ latestKnown: previousLevel, unknown: [latest] }]);
          const services = createServices(old);
          const org = await services.organizations.create(TEST_OPERATOR, 'Old version');
          const { record } = await services.tokens.issue(TEST_OPERATOR, org.id);
          assert.equal((await services.tokens.list(org.id)).length, 1);
          assert.equal(record.orgId, org.id);
          const level = await old.migrationLevel();
          assert.deepEqual(level.applied, names, 'nothing undone, nothing added');
        } finally {
          await old.close();
        }
        // And the latest version on the same database again: nothing to apply.
        const again = await openStore(db.databaseUrl);
        try {
          assert.deepEqual(again.migrationsApplied, []);
        } finally {
          await again.close();
        }
      } finally {
        await db.close();
      }
    });

    test('a database migrated by another line of versions is refused, and left as it was', async () => {
      const db = await backend.open();
      try {
        const otherLine = { ...previousVersion, [`${previousLevel}b-elsewhere`]: { up: async () => undefined } };
        await assert.rejects(
          openStore(db.databaseUrl, { migrator: { migrations: otherLine, onNewerSchema: () => undefined } }),
          (error: Error) => {
            assert.match(error.message, new RegExp(`does not know \\(${latest}\\) and lacks ones it knows`));
            return true;
          },
        );
        assert.deepEqual((await db.store.migrationLevel()).applied, names);
      } finally {
        await db.close();
      }
    });

    test(`a corpus of the previous level (${previousLevel}) is recorded for this store`, () => {
      const found = corpora.filter((c) => c.corpus.dialect === backend.name).map((c) => c.corpus.level);
      assert.ok(
        found.includes(previousLevel),
        `record one with test/schema-compat/record.ts from the commit before ${latest}; found ${found.join(', ')}`,
      );
    });

    for (const { file, corpus } of corpora.filter((c) => c.corpus.dialect === backend.name)) {
      test(`the statements of ${corpus.level} (${corpus.recordedFrom}) run on the latest schema: ${file}`, async () => {
        assert.ok(corpus.level < latest, `${file} is of an earlier level than ${latest}`);
        const db = await backend.open();
        const replay = backend.name === 'sqlite' ? sqliteReplay(db.databaseUrl) : await postgresReplay(db.databaseUrl);
        try {
          for (const [at, [index, params, recorded]] of corpus.run.entries()) {
            const text = corpus.statements[index] as string;
            const outcome = await replay.run(text, params);
            if (recorded === null) continue;
            assert.deepEqual(
              outcome,
              recorded,
              `statement ${at} of ${file} did ${JSON.stringify(outcome)}, at ${corpus.level} ${JSON.stringify(recorded)}: ${text}`,
            );
          }
        } finally {
          await replay.close();
          await db.close();
        }
      });
    }
  });
}

/**
 * 0014's indexes, as docs/operations.md has an operator build them before the upgrade on a large
 * PostgreSQL database: CONCURRENTLY, outside any transaction, so writes go on meanwhile.
 */
const PREBUILT_0014 = [
  'create index CONCURRENTLY if not exists users_live_ix on users (org_id, id) where deleted_at is null',
  'create index CONCURRENTLY if not exists team_members_user_team_ix on team_members (org_id, user_id, team_id)',
  'create index CONCURRENTLY if not exists team_subteams_member_team_ix on team_subteams (org_id, member_team_id, team_id)',
];

for (const kind of migrationKinds()) {
  test(`0014 on ${kind} finds its indexes built beforehand and applies`, async () => {
    const db = await openDatabaseAt(kind, '0013-support-console');
    try {
      for (const statement of PREBUILT_0014) {
        await sql.raw(kind === 'postgres' ? statement : statement.replace('CONCURRENTLY ', '')).execute(db.db);
      }
      const applied = await db.migrate();
      assert.ok(applied.includes('0014-scale-indexes'), `applied ${applied.join(', ')}`);
      if (kind === 'postgres') {
        const { rows } = await sql<{ relname: string; indisvalid: boolean }>`
          select c.relname, i.indisvalid from pg_index i join pg_class c on c.oid = i.indexrelid
          where c.relname in ('users_live_ix', 'team_members_user_team_ix', 'team_subteams_member_team_ix')
            and c.relnamespace = current_schema()::regnamespace`.execute(db.db);
        assert.deepEqual(rows.map((r) => [r.relname, r.indisvalid]).sort(), [
          ['team_members_user_team_ix', true],
          ['team_subteams_member_team_ix', true],
          ['users_live_ix', true],
        ]);
      }
    } finally {
      await db.close();
    }
  });
}

interface Replay {
  run(text: string, params: readonly unknown[]): Promise<Outcome>;
  close(): Promise<void>;
}

/** On its own connection, set up as open-sqlite.ts sets up the service's. */
function sqliteReplay(databaseUrl: string): Replay {
  const database = new Database(databaseUrl.slice('sqlite:'.length));
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  return {
    async run(text, params) {
      try {
        const statement = database.prepare(text);
        return statement.reader ? statement.all(...params).length : statement.run(...params).changes;
      } catch (error) {
        return { error: String((error as { code?: unknown }).code ?? error) };
      }
    },
    async close() {
      database.close();
    },
  };
}

/** On one connection whose search_path is the test's schema, as open-postgres.ts sets it. */
async function postgresReplay(databaseUrl: string): Promise<Replay> {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema');
  url.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: url.toString(), options: `-c search_path=${schema}` });
  await client.connect();
  return {
    async run(text, params) {
      try {
        const result = await client.query(text, params as unknown[]);
        return result.command === 'SELECT' ? result.rows.length : (result.rowCount ?? 0);
      } catch (error) {
        return { error: String((error as { code?: unknown }).code ?? error) };
      }
    },
    async close() {
      await client.end();
    },
  };
}
