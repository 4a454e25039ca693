import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../../src/store/open-store.js';
import type { PostgresOptions } from '../../src/store/postgres/open-postgres.js';
import type { Store } from '../../src/store/store.js';

/** One backend every store-level and end-to-end suite runs against. */
export interface TestStore {
  readonly name: 'sqlite' | 'postgres';
  /** Opens a fresh, migrated, empty database; `close` also deletes it. */
  open(options?: PostgresOptions): Promise<{ store: Store; databaseUrl: string; close(): Promise<void> }>;
}

const sqlite: TestStore = {
  name: 'sqlite',
  async open(options = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'parallel-scim-test-'));
    const databaseUrl = `sqlite:${join(dir, 'test.db')}`;
    const store = await openStore(databaseUrl, options);
    return {
      store,
      databaseUrl,
      async close() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/** Each open gets its own schema on the test server (scripts/test.mjs provides it). */
function postgres(serverUrl: string): TestStore {
  return {
    name: 'postgres',
    async open(options = {}) {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const url = new URL(serverUrl);
      url.searchParams.set('schema', schema);
      const databaseUrl = url.toString();
      const store = await openStore(databaseUrl, options);
      return {
        store,
        databaseUrl,
        async close() {
          await store.close();
          const admin = new pg.Client({ connectionString: serverUrl });
          await admin.connect();
          try {
            await admin.query(`drop schema if exists ${schema} cascade`);
          } finally {
            await admin.end();
          }
        },
      };
    },
  };
}

/** The backends this run covers: SQLite always, PostgreSQL when the runner provides one. */
export function testStores(): TestStore[] {
  const all: TestStore[] = [sqlite];
  if (process.env.TEST_POSTGRES_URL) all.push(postgres(process.env.TEST_POSTGRES_URL));
  const only = process.env.TEST_STORES?.split(',').map((s) => s.trim());
  return only ? all.filter((s) => only.includes(s.name)) : all;
}
