import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import type { StoreOptions } from '../../src/store/store-options.js';

/** One backend every store-level and end-to-end suite runs against. */
export interface TestStore {
  readonly name: string;
  /** Opens a fresh, migrated, empty database; `close` also deletes its files. */
  open(options?: StoreOptions): Promise<{ store: Store; databaseUrl: string; close(): Promise<void> }>;
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

/** The backends this run covers; TEST_STORES=sqlite narrows it. */
export function testStores(): TestStore[] {
  const all = [sqlite];
  const only = process.env.TEST_STORES?.split(',').map((s) => s.trim());
  return only ? all.filter((s) => only.includes(s.name)) : all;
}
