/*
 * The records of team membership and nesting the store reads: members as a Group lists them, a
 * user's teams, and what a nesting change would do. store.ts re-exports them with the interface.
 */

/**
 * A member as a Group renders it: a user, or a team nested in the team (RFC 7643 §4.2). User and
 * team ids are both UUIDv7 and never collide, so one id order pages both kinds together.
 */
export type MemberRecord = UserMemberRecord | TeamMemberRecord;

export interface UserMemberRecord {
  readonly kind: 'user';
  readonly userId: string;
  readonly userName: string;
  readonly displayName: string | null;
}

/** A nested team: a member in its own right, never expanded into its users. */
export interface TeamMemberRecord {
  readonly kind: 'team';
  readonly teamId: string;
  readonly displayName: string;
}

/** The id a member is paged by (keyset: `pageMembers` continues after it). */
export function memberIdOf(member: MemberRecord): string {
  return member.kind === 'user' ? member.userId : member.teamId;
}

/**
 * A team a user belongs to, as the User's `groups` attribute renders it (RFC 7643 §4.1.2):
 * `direct` when the user is a member row of the team, `indirect` when the team holds, at some
 * depth, a team the user is in. A team that is both is direct.
 */
export interface UserTeamRecord {
  readonly teamId: string;
  readonly displayName: string;
  readonly type: 'direct' | 'indirect';
}

/**
 * What adding teams as members of one team would do to the nesting, as `checkTeamNesting` finds
 * it. Depths count nesting steps and are walked at most MAX_TEAM_NESTING_DEPTH steps, so a
 * figure at the cap means "the cap or more".
 */
export interface TeamNestingCheck {
  /** Longest chain of teams holding the team (0: no team holds it). */
  readonly above: number;
  /** Longest chain of teams inside any candidate (0: no candidate holds a team). */
  readonly below: number;
  /**
   * Candidates that already hold the team, directly or not, or are the team itself: adding one
   * would close a cycle. Each maps to the fewest steps from it down to the team (0: itself).
   */
  readonly containing: ReadonlyMap<string, number>;
}

/** One team on a nesting path, for an error detail that names it. */
export interface TeamPathStep {
  readonly teamId: string;
  readonly displayName: string;
}
