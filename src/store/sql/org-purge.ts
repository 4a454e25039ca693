import { type Kysely, sql } from 'kysely';
import type { Database } from './db-schema.js';
import { rowLimit } from './row-limit.js';

/**
 * An organization's rows, table by table, children before the tables their foreign keys name,
 * each with the key its batches are picked by. Tables of later migrations that hold an
 * organization's rows are added here; any not listed that reference `orgs` with ON DELETE CASCADE
 * go with the organization row itself.
 */
const ORG_TABLES: readonly { readonly table: string; readonly key: readonly string[] }[] = [
  { table: 'team_subteams', key: ['team_id', 'member_team_id'] },
  { table: 'team_members', key: ['team_id', 'user_id'] },
  { table: 'user_values', key: ['user_id', 'attr', 'idx'] },
  { table: 'users', key: ['id'] },
  { table: 'teams', key: ['id'] },
  { table: 'provisioning_log', key: ['id'] },
  { table: 'events', key: ['id'] },
  { table: 'event_cursors', key: ['org_id'] },
  { table: 'webhook_deliveries', key: ['id'] },
  { table: 'webhook_cursors', key: ['webhook_id'] },
  { table: 'webhooks', key: ['id'] },
  { table: 'setup_links', key: ['id'] },
  { table: 'tokens', key: ['id'] },
];

/**
 * Deletes up to `batch` rows of the organization from the first of its tables that still has
 * some, or the organization row once they are all empty. One short statement, never a
 * transaction around the whole purge: no lock is held for long and one connection is used at a
 * time. Returns how many rows went (0: the organization is gone).
 */
export async function purgeOrgBatch(db: Kysely<Database>, orgId: string, batch: number): Promise<number> {
  for (const { table, key } of ORG_TABLES) {
    const cols = sql.join(key.map((k) => sql.ref(k)));
    const result =
      await sql`delete from ${sql.table(table)} where org_id = ${orgId} and (${cols}) in (select ${cols} from ${sql.table(table)} where org_id = ${orgId} limit ${rowLimit(batch)})`.execute(
        db,
      );
    const deleted = Number(result.numAffectedRows ?? 0);
    if (deleted > 0) return deleted;
  }
  const result = await db.deleteFrom('orgs').where('id', '=', orgId).executeTakeFirst();
  return Number(result.numDeletedRows);
}
