import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CompiledQuery, type Kysely } from 'kysely';
import { migrationKinds, openDatabaseAt } from '../../../../test/helpers/database-at.js';
import { openStore } from '../../open-store.js';
import type { Database } from '../db-schema.js';
import { logSelects } from '../provisioning-log-table.js';

/*
 * Migration 0009 on a database written by 0001-0008: the entries of before keep NULL subjects and
 * stay readable, and a search by subject is one index range read per arm.
 */

const T0 = 1_700_000_000_000;

for (const kind of migrationKinds()) {
  describe(`migration 0009-log-identifiers on ${kind}`, () => {
    test('old entries keep NULL subjects and remain queryable; new ones are found by subject', async () => {
      const opened = await openDatabaseAt(kind, '0008-nested-teams');
      try {
        await opened.db
          .insertInto('orgs')
          .values({ id: 'o', name: 'o', scim_enabled: 1, delete_mode: 'retain', created_at: T0, updated_at: T0 })
          .execute();
        await opened.db
          .insertInto('provisioning_log')
          .values({
            org_id: 'o',
            id: 'log-1',
            at: T0,
            request_id: 'req-1',
            method: 'POST',
            path: '/scim/v2/Users',
            status: 409,
            resource_type: 'User',
            duration_ms: 1,
          })
          .execute();
        await opened.migrate();
        const store = await openStore(opened.databaseUrl);
        try {
          const [old] = await store.queryLog('o', { limit: 10 });
          assert.equal(old?.id, 'log-1');
          assert.equal(old?.subjectName, null);
          assert.equal(old?.subjectExternalId, null);
          assert.equal((await store.queryLog('o', { limit: 10, requestId: 'req-1' })).length, 1);
          assert.deepEqual(await store.queryLog('o', { limit: 10, subject: 'jane' }), []);
          await store.appendLogs([
            {
              ...(old as NonNullable<typeof old>),
              id: 'log-2',
              requestId: 'req-2',
              subjectName: 'Jane',
              subjectExternalId: 'jane',
            },
          ]);
          const found = await store.queryLog('o', { limit: 10, subject: 'JANE' });
          assert.deepEqual(
            found.map((e) => e.id),
            ['log-2'],
            'a row matching both arms is listed once',
          );
        } finally {
          await store.close();
        }
      } finally {
        await opened.close();
      }
    });
  });
}

test('SQLite reads each subject arm through its index, newest first without a sort', async () => {
  if (!migrationKinds().includes('sqlite')) return;
  const opened = await openDatabaseAt('sqlite', '0008-nested-teams');
  try {
    await opened.migrate();
    const db = opened.db as Kysely<Database>;
    const arms = logSelects(db, 'o', { limit: 50, subject: 'jane@contoso.com', status: 400, statusClass: true });
    const plans: string[] = [];
    for (const arm of arms) {
      const compiled = arm.compile();
      const rows = await db.executeQuery<{ detail: string }>(
        CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]),
      );
      plans.push(rows.rows.map((r) => r.detail).join('; '));
    }
    assert.equal(plans.length, 2);
    assert.match(plans[0] ?? '', /USING INDEX provisioning_log_subject_name_ix \(org_id=\? AND subject_name_ci=\?\)/);
    assert.match(
      plans[1] ?? '',
      /USING INDEX provisioning_log_subject_external_id_ix \(org_id=\? AND subject_external_id=\?\)/,
    );
    for (const plan of plans) assert.doesNotMatch(plan, /TEMP B-TREE|SCAN/, plan);
  } finally {
    await opened.close();
  }
});
