import { sql } from 'kysely';
import { markReadInNoTeam } from '../membership-hint.js';
import type { UserRecord } from '../store.js';
import { rowToUser, type UserRowRead } from './user-row.js';

/**
 * A column of the user reads (users-table.ts): whether the user `r` is a direct member of any
 * team, one probe of team_members_user_ix. A user in no direct team is in no indirect one either
 * (nesting only lifts a membership upwards), so its `groups` are empty without the walk of
 * team-nesting.ts `teamsOfUsers` (measured on SQLite: the probe 3 µs in the user's statement, the
 * walk 17 µs and a statement of its own).
 */
export const inTeamColumn = sql<
  number | boolean
>`exists (select 1 from team_members m where m.org_id = r.org_id and m.user_id = r.id)`.as('in_team');

/** rowToUser, and the membership hint (membership-hint.ts) when the row says the user is in no team. */
export function rowToProbedUser(row: UserRowRead & { readonly in_team?: number | boolean }): UserRecord {
  const user = rowToUser(row);
  // 0 on SQLite, false on PostgreSQL; a row without the column says nothing.
  return row.in_team === 0 || row.in_team === false ? markReadInNoTeam(user) : user;
}
