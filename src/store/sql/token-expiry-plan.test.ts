import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompiledQuery, type Kysely } from 'kysely';
import { migrationKinds, openDatabaseAt } from '../../../test/helpers/database-at.js';
import type { Database } from './db-schema.js';
import { tokenExpiryQuery } from './tokens-table.js';

/*
 * The scim_tokens_expiring gauge is read at scrape time: its query must be a range read of the
 * expiry index (0015), with the replacement test a primary-key lookup per candidate, never a scan
 * of every token of every organization.
 */
test('SQLite counts ending tokens through tokens_expiry_ix and the primary key, without a scan', async () => {
  if (!migrationKinds().includes('sqlite')) return;
  const opened = await openDatabaseAt('sqlite', '0015-token-expiry-index');
  try {
    const db = opened.db as Kysely<Database>;
    const compiled = tokenExpiryQuery(db, { now: 10, soonUntil: 20, recentSince: 5 }).compile();
    const rows = await db.executeQuery<{ detail: string }>(
      CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]),
    );
    const plan = rows.rows.map((r) => r.detail).join('; ');
    assert.match(plan, /SEARCH t USING INDEX tokens_expiry_ix \(expires_at>\? AND expires_at<\?\)/, plan);
    assert.match(plan, /SEARCH n USING (INDEX tokens_pk|INDEX sqlite_autoindex_tokens_1) \(org_id=\?\)/, plan);
    assert.doesNotMatch(plan, /SCAN/, plan);
  } finally {
    await opened.close();
  }
});
