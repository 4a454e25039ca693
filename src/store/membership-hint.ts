import type { UserRecord } from './store.js';

/*
 * What a read of users learnt about their memberships on the way: the store's user reads also
 * ask whether each user is in any team (one index probe in the same statement), and most users
 * of most organizations are in none. Rendering such a user's `groups` (services/user-render.ts)
 * then needs no walk over teams: one statement fewer on a GET by id or an IdP lookup.
 *
 * Kept beside the records, not in them: only the very object the read returned carries the hint,
 * so a copy made to write a change (`{ ...current, doc }`) never inherits a fact that the change
 * may have made stale. A record without the hint is rendered as before, by reading its teams.
 */
const readInNoTeam = new WeakSet<UserRecord>();

/** The store's reads: `user`, as read, was in no team. */
export function markReadInNoTeam(user: UserRecord): UserRecord {
  readInNoTeam.add(user);
  return user;
}

/** Whether the read that returned `user` found it in no team. */
export function wasReadInNoTeam(user: UserRecord): boolean {
  return readInNoTeam.has(user);
}
