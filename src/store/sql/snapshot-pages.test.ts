import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompiledQuery, type Kysely } from 'kysely';
import { migrationKinds, openDatabaseAt } from '../../../test/helpers/database-at.js';
import type { Database } from './db-schema.js';

/*
 * The feed and the snapshot read one index range per page, whatever the organization's size:
 * SQLite's plans show it (no scan of the table, no sort).
 */

async function plan(db: Kysely<Database>, query: { compile(): CompiledQuery }): Promise<string> {
  const compiled = query.compile();
  const rows = await db.executeQuery<{ detail: string }>(
    CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]),
  );
  return rows.rows.map((r) => r.detail).join('; ');
}

test('SQLite answers feed, resource history and snapshot pages from an index, without a sort', async () => {
  if (!migrationKinds().includes('sqlite')) return;
  const opened = await openDatabaseAt('sqlite', '0010-directory-events');
  try {
    const db = opened.db as Kysely<Database>;
    const plans = {
      feed: await plan(
        db,
        db
          .selectFrom('events')
          .selectAll()
          .where('org_id', '=', 'o')
          .where('cursor', '>', 5)
          .orderBy('cursor')
          .limit(100),
      ),
      history: await plan(
        db,
        db
          .selectFrom('events')
          .selectAll()
          .where('org_id', '=', 'o')
          .where('resource_id', '=', 'u')
          .orderBy('cursor', 'desc')
          .limit(50),
      ),
      users: await plan(
        db,
        db
          .selectFrom('users as r')
          .select('r.id')
          .where('r.org_id', '=', 'o')
          .where('r.deleted_at', 'is', null)
          .where('r.id', '>', 'x')
          .orderBy('r.id')
          .limit(100),
      ),
      teams: await plan(
        db,
        db
          .selectFrom('teams as r')
          .select('r.id')
          .where('r.org_id', '=', 'o')
          .where('r.id', '>', 'x')
          .orderBy('r.id')
          .limit(100),
      ),
    };
    assert.match(plans.feed, /USING INDEX events_cursor_uq \(org_id=\? AND cursor>\?\)/, plans.feed);
    assert.match(plans.history, /USING INDEX events_resource_ix \(org_id=\? AND resource_id=\?\)/, plans.history);
    assert.match(plans.users, /\(org_id=\? AND id>\?\)/, plans.users);
    assert.match(plans.teams, /\(org_id=\? AND id>\?\)/, plans.teams);
    for (const p of Object.values(plans)) assert.doesNotMatch(p, /TEMP B-TREE|SCAN/, p);
  } finally {
    await opened.close();
  }
});
