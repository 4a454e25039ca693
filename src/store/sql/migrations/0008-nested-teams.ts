import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Nested teams (RFC 7643 §4.2: a Group's members are Users or Groups). One nested member is one
 * row, like a user member in team_members, so adding or removing one never touches the others.
 * Both ends cascade: a deleted team leaves every team that held it and loses the teams it held.
 * The member-side index serves the walks up the nesting (a user's indirect groups, the cycle
 * check) and the cascade from a deleted member team.
 */
export const nestedTeams: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('team_subteams')
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('team_id', 'text', (c) => c.notNull())
      .addColumn('member_team_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('team_subteams_pk', ['org_id', 'team_id', 'member_team_id'])
      .addForeignKeyConstraint('team_subteams_team_fk', ['org_id', 'team_id'], 'teams', ['org_id', 'id'], (fk) =>
        fk.onDelete('cascade'),
      )
      .addForeignKeyConstraint(
        'team_subteams_member_fk',
        ['org_id', 'member_team_id'],
        'teams',
        ['org_id', 'id'],
        (fk) => fk.onDelete('cascade'),
      )
      // The service refuses a team inside itself with a readable 400; this is the backstop.
      .addCheckConstraint('team_subteams_not_self', sql`team_id <> member_team_id`)
      .execute();
    await db.schema
      .createIndex('team_subteams_member_ix')
      .on('team_subteams')
      .columns(['org_id', 'member_team_id'])
      .execute();
  },
};
