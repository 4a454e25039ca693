import type { StoreOps, TeamRecord } from '../store/store.js';
import { type EventContext, type MemberData, memberEvent, teamData } from './directory-events.js';

/** What a member plan did: ids for the log summary, by kind for the events. */
export interface MemberChange {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly byKind: {
    readonly addedUsers: readonly string[];
    readonly addedTeams: readonly string[];
    readonly removedUsers: readonly string[];
    readonly removedTeams: readonly string[];
  };
}

export const NO_MEMBER_CHANGE: MemberChange = {
  added: [],
  removed: [],
  byKind: { addedUsers: [], addedTeams: [], removedUsers: [], removedTeams: [] },
};

/**
 * One event per member added or removed, naming `team` as it is after the change. A nested team
 * is a member in its own right: its events name it, never its users. The names come in one read
 * per chunk of ids, not one per member.
 */
export async function appendMemberEvents(
  tx: StoreOps,
  ctx: EventContext,
  team: TeamRecord,
  change: MemberChange['byKind'],
): Promise<void> {
  const users = [...change.addedUsers, ...change.removedUsers];
  const teams = [...change.addedTeams, ...change.removedTeams];
  if (users.length === 0 && teams.length === 0) return;
  const refs = await tx.events.refs(team.orgId, users, teams);
  const data = teamData(team);
  const user = (id: string): MemberData => ({ type: 'user', id, userName: refs.users.get(id) ?? '' });
  const nested = (id: string): MemberData => ({ type: 'team', id, displayName: refs.teams.get(id)?.displayName ?? '' });
  for (const id of change.addedUsers) await tx.events.append(memberEvent(ctx, 'team.member_added', data, user(id)));
  for (const id of change.addedTeams) await tx.events.append(memberEvent(ctx, 'team.member_added', data, nested(id)));
  for (const id of change.removedUsers) await tx.events.append(memberEvent(ctx, 'team.member_removed', data, user(id)));
  for (const id of change.removedTeams) {
    await tx.events.append(memberEvent(ctx, 'team.member_removed', data, nested(id)));
  }
}
