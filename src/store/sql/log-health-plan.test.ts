import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompiledQuery, type Kysely } from 'kysely';
import { migrationKinds, openDatabaseAt } from '../../../test/helpers/database-at.js';
import type { Database } from './db-schema.js';
import { healthWindow, overviewWindow } from './provisioning-log-table.js';

/*
 * Health reads a day of a busy organization's log on every console page view: each window must
 * be an index range read backwards and stopped at the cap, never a scan or a sort of the day.
 */
test('SQLite reads the health windows through an index, newest first without a sort', async () => {
  if (!migrationKinds().includes('sqlite')) return;
  const opened = await openDatabaseAt('sqlite', '0009-log-identifiers');
  try {
    await opened.migrate();
    const db = opened.db as Kysely<Database>;
    const window = { since: 1, alarmSince: 2, cap: 50_000 };
    const plan = async (q: { compile(): CompiledQuery }) => {
      const compiled = q.compile();
      const rows = await db.executeQuery<{ detail: string }>(
        CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]),
      );
      return rows.rows.map((r) => r.detail).join('; ');
    };
    const one = await plan(healthWindow(db, 'o', window));
    assert.match(one, /USING INDEX provisioning_log_at_ix \(org_id=\? AND at>\?\)/, one);
    assert.doesNotMatch(one, /TEMP B-TREE|SCAN/, one);
    const all = await plan(overviewWindow(db, window));
    assert.match(all, /USING INDEX provisioning_log_prune_ix \(at>\?\)/, all);
    assert.doesNotMatch(all, /TEMP B-TREE|SCAN/, all);
  } finally {
    await opened.close();
  }
});
