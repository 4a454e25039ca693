import type { Kysely, Migration } from 'kysely';

/**
 * Teams (SCIM Groups) and memberships as rows: one member is one row, so adding or removing one
 * member never reads or rewrites the others.
 */
export const teams: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('teams')
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('display_name_ci', 'text', (c) => c.notNull())
      .addColumn('external_id', 'text')
      .addColumn('doc', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('teams_pk', ['org_id', 'id'])
      .execute();
    await db.schema
      .createIndex('teams_external_id_uq')
      .on('teams')
      .columns(['org_id', 'external_id'])
      .unique()
      .execute();
    await db.schema.createIndex('teams_display_name_ix').on('teams').columns(['org_id', 'display_name_ci']).execute();
    await db.schema.createIndex('teams_updated_ix').on('teams').columns(['org_id', 'updated_at']).execute();

    await db.schema
      .createTable('team_members')
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('team_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('team_members_pk', ['org_id', 'team_id', 'user_id'])
      .addForeignKeyConstraint('team_members_team_fk', ['org_id', 'team_id'], 'teams', ['org_id', 'id'], (fk) =>
        fk.onDelete('cascade'),
      )
      .addForeignKeyConstraint('team_members_user_fk', ['org_id', 'user_id'], 'users', ['org_id', 'id'], (fk) =>
        fk.onDelete('cascade'),
      )
      .execute();
    // A user's `groups` attribute and the cascade from a removed user read by user.
    await db.schema.createIndex('team_members_user_ix').on('team_members').columns(['org_id', 'user_id']).execute();
  },
};
