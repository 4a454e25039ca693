import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Indexes that keep reads flat as one organization grows to a million users (issue 11,
 * bench/scale.ts). Expand-only: indexes, which the previous version ignores. On PostgreSQL each
 * CREATE INDEX blocks writes to its table while it builds (seconds per million rows).
 *
 * - `users_live_ix`: the live users in id order, ids only, which is the order of a SCIM list
 *   without sortBy. A page deep in it (startIndex 900,001 of a million) walks its OFFSET over this
 *   index and reads only the page's rows whole (a deferred join, sql/list-rows.ts), about 7 times
 *   less work on SQLite; the primary key cannot serve it, as every row skipped would be read to
 *   test `deleted_at`.
 * - `team_members_user_team_ix`, `team_subteams_member_team_ix`: a user's teams (the `groups` of
 *   every rendered user, sql/team-nesting.ts) and the teams above a team, covering. SQLite prefers
 *   a covering index on `org_id` alone (the primary key) to a non-covering one on `(org_id,
 *   user_id)`, so without these every user read walked all memberships of the organization: 18 ms
 *   a user at 100,000 memberships. The non-covering indexes of 0002 and 0008 are now redundant; a
 *   later contract migration may drop them.
 *
 * `ifNotExists` (added after it shipped; nothing changes for a database that applied it): on a
 * large PostgreSQL database the operator may build these first without blocking writes, as
 * docs/operations.md "Upgrades" shows (CREATE INDEX CONCURRENTLY IF NOT EXISTS, same definition),
 * and the migration then finds them.
 */
export const scaleIndexes: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createIndex('users_live_ix')
      .ifNotExists()
      .on('users')
      .columns(['org_id', 'id'])
      .where(sql.ref('deleted_at'), 'is', null)
      .execute();
    await db.schema
      .createIndex('team_members_user_team_ix')
      .ifNotExists()
      .on('team_members')
      .columns(['org_id', 'user_id', 'team_id'])
      .execute();
    await db.schema
      .createIndex('team_subteams_member_team_ix')
      .ifNotExists()
      .on('team_subteams')
      .columns(['org_id', 'member_team_id', 'team_id'])
      .execute();
  },
};
