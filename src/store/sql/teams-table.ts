import type { Kysely } from 'kysely';
import type { Page, RowsQuery, TeamRecord } from '../store.js';
import { ConcurrentUpdate } from '../store-errors.js';
import { groupAttributeMap } from './attribute-map.js';
import { bumpTeamVersions } from './batches.js';
import type { Database } from './db-schema.js';
import type { ListPositions } from './list-positions.js';
import { docChars, listRows } from './list-rows.js';
import { removeAllMemberRows, TEAM_MEMBERS } from './member-rows.js';
import type { SqlDialectHooks } from './sql-dialect.js';
import { rowToTeam, type TeamRowRead, teamReadColumns, teamToRow } from './team-row.js';
import { uniqueWrite } from './unique-write.js';

/*
 * Teams (`teams`, SCIM Groups). Member rows of both kinds are member-rows.ts; the walks over nested
 * teams are team-nesting.ts.
 */

type Db = Kysely<Database>;

export async function insertTeam(db: Db, hooks: SqlDialectHooks, team: TeamRecord): Promise<void> {
  await uniqueWrite(hooks, () => db.insertInto('teams').values(teamToRow(team)).execute());
}

export async function updateTeam(
  db: Db,
  hooks: SqlDialectHooks,
  team: TeamRecord,
  expectedVersion: number,
): Promise<void> {
  await uniqueWrite(hooks, async () => {
    const { org_id, id, created_at, ...rest } = teamToRow(team);
    const result = await db
      .updateTable('teams')
      .set(rest)
      .where('org_id', '=', org_id)
      .where('id', '=', id)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new ConcurrentUpdate();
  });
}

export async function deleteTeam(db: Db, orgId: string, teamId: string): Promise<boolean> {
  await db.deleteFrom('team_members').where('org_id', '=', orgId).where('team_id', '=', teamId).execute();
  await removeAllMemberRows(db, TEAM_MEMBERS, orgId, teamId);
  await db.deleteFrom('team_subteams').where('org_id', '=', orgId).where('member_team_id', '=', teamId).execute();
  const result = await db.deleteFrom('teams').where('org_id', '=', orgId).where('id', '=', teamId).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export async function getTeam(
  db: Db,
  hooks: SqlDialectHooks,
  orgId: string,
  teamId: string,
  options: { lock?: boolean } = {},
): Promise<TeamRecord | undefined> {
  let q = db.selectFrom('teams as r').select(teamReadColumns).where('r.org_id', '=', orgId).where('r.id', '=', teamId);
  if (options.lock && hooks.lockRows) q = q.forNoKeyUpdate();
  const row = await q.executeTakeFirst();
  return row && rowToTeam(row);
}

export async function listTeams(
  db: Db,
  hooks: SqlDialectHooks,
  orgId: string,
  query: RowsQuery,
  memory?: ListPositions,
): Promise<Page<TeamRecord>> {
  const { total, rows } = await listRows(
    db,
    hooks,
    'teams',
    groupAttributeMap,
    orgId,
    query,
    teamReadColumns,
    false,
    memory,
  );
  return { total, items: (rows as unknown as TeamRowRead[]).map(rowToTeam), docChars: docChars(rows) };
}

export async function removeUserFromTeams(db: Db, orgId: string, userId: string, at: number): Promise<string[]> {
  const rows = await db
    .deleteFrom('team_members')
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .returning('team_id')
    .execute();
  const teamIds = rows.map((r) => r.team_id);
  await bumpTeamVersions(db, orgId, teamIds, at);
  return teamIds;
}
