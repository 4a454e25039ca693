import type { Kysely, Transaction } from 'kysely';
import type { TeamRecord, UserRecord } from '../store.js';
import type { Database } from './db-schema.js';
import { rowLimit } from './row-limit.js';
import { rowToTeam, teamReadColumns } from './team-row.js';
import { rowToUser, userReadColumns } from './user-row.js';

/*
 * The snapshot's pages (docs/events.md "Snapshot"): keyset reads in id order, each one range of
 * the primary key (org_id, id), whatever the organization's size. The comparison is the column's
 * own, never a byte-order collation, so that the index answers it on PostgreSQL too; ids are
 * UUIDv7 text (hex and hyphens), whose order is the same in every collation.
 */

type Db = Kysely<Database> | Transaction<Database>;

/** Live users after `afterId` (retained accounts are not part of the directory). */
export async function pageUsers(
  db: Db,
  orgId: string,
  afterId: string | undefined,
  limit: number,
): Promise<UserRecord[]> {
  let q = db
    .selectFrom('users as r')
    .select(userReadColumns)
    .where('r.org_id', '=', orgId)
    .where('r.deleted_at', 'is', null);
  if (afterId !== undefined) q = q.where('r.id', '>', afterId);
  const rows = await q.orderBy('r.id').limit(rowLimit(limit)).execute();
  return rows.map(rowToUser);
}

export async function pageTeams(
  db: Db,
  orgId: string,
  afterId: string | undefined,
  limit: number,
): Promise<TeamRecord[]> {
  let q = db.selectFrom('teams as r').select(teamReadColumns).where('r.org_id', '=', orgId);
  if (afterId !== undefined) q = q.where('r.id', '>', afterId);
  const rows = await q.orderBy('r.id').limit(rowLimit(limit)).execute();
  return rows.map(rowToTeam);
}
