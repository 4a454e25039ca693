import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { buildServer } from '../../src/http/build-server.js';
import { createServices } from '../../src/services/index.js';
import { migrations } from '../../src/store/sql/migrations/index.js';
import { testStores } from '../helpers/stores.js';

const ALL = Object.keys(migrations).sort();

/**
 * The migration level as the database records it, and how a newer instance's migration (one this
 * code does not know) shows: in the store's answer, and on /healthz once /readyz has read it.
 */
for (const backend of testStores()) {
  describe(`migration level on ${backend.name}`, () => {
    let db: Awaited<ReturnType<typeof backend.open>>;
    before(async () => {
      db = await backend.open();
    });
    after(async () => {
      await db.close();
    });

    test('a migrated store records every migration this code knows, none unknown; a second migrate applies none', async () => {
      const level = await db.store.migrationLevel();
      assert.deepEqual(level.applied, ALL);
      assert.equal(level.latest, ALL.at(-1));
      assert.deepEqual(level.unknown, []);
      assert.deepEqual(db.store.migrationsApplied, ALL, 'the open applied them all');
      assert.deepEqual(await db.store.migrate(), []);
    });

    test("another version's newer migration is reported as unknown, on /healthz after a /readyz", async () => {
      const services = createServices(db.store);
      const app = await buildServer({ services, config: { logLevel: 'silent' } });
      try {
        await app.ready();
        const before = (await app.inject({ url: '/healthz' })).json();
        assert.deepEqual(before.migrations, { applied: ALL.at(-1), latest: ALL.at(-1) });
        // What a newer instance's start leaves in the table (Kysely's own bookkeeping row).
        // biome-ignore lint/suspicious/noExplicitAny: the bookkeeping table is not in the typed schema
        const kysely = (db.store as any).kysely;
        await sql`insert into kysely_migration (name, timestamp) values ('9999-from-a-newer-version', ${new Date().toISOString()})`.execute(
          kysely,
        );
        const stale = (await app.inject({ url: '/healthz' })).json();
        assert.deepEqual(stale.migrations, before.migrations, '/healthz reads no database');
        assert.equal((await app.inject({ url: '/readyz' })).statusCode, 200);
        const after = (await app.inject({ url: '/healthz' })).json();
        assert.deepEqual(after.migrations, {
          applied: '9999-from-a-newer-version',
          latest: ALL.at(-1),
          unknown: ['9999-from-a-newer-version'],
        });
        const level = await db.store.migrationLevel();
        assert.deepEqual(level.unknown, ['9999-from-a-newer-version']);
      } finally {
        await app.close();
      }
    });
  });
}
