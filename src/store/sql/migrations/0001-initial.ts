import type { Kysely, Migration } from 'kysely';

/** Columns with a case-insensitive twin (`<col>_ci`, the app-normalised value). */
const userStringColumns = [
  'display_name',
  'given_name',
  'family_name',
  'formatted_name',
  'nick_name',
  'title',
  'user_type',
  'locale',
  'preferred_language',
  'timezone',
  'employee_number',
  'cost_center',
  'organization',
  'division',
  'department',
] as const;

export const initial: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('orgs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('scim_enabled', 'integer', (c) => c.notNull())
      .addColumn('delete_mode', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('tokens')
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull())
      .addColumn('hint', 'text', (c) => c.notNull())
      .addColumn('label', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint')
      .addColumn('revoked_at', 'bigint')
      .addColumn('last_used_at', 'bigint')
      .addPrimaryKeyConstraint('tokens_pk', ['org_id', 'id'])
      .execute();
    // Authentication looks a token up by its hash alone: the hash is what names the organization.
    await db.schema.createIndex('tokens_hash_uq').on('tokens').column('token_hash').unique().execute();
    await db.schema.createIndex('tokens_id_ix').on('tokens').column('id').execute();

    let users = db.schema
      .createTable('users')
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('user_name', 'text', (c) => c.notNull())
      .addColumn('user_name_ci', 'text', (c) => c.notNull())
      .addColumn('external_id', 'text')
      .addColumn('active', 'integer', (c) => c.notNull())
      .addColumn('scim_managed', 'integer', (c) => c.notNull());
    for (const col of userStringColumns) {
      users = users.addColumn(col, 'text').addColumn(`${col}_ci`, 'text');
    }
    await users
      .addColumn('manager_id', 'text')
      .addColumn('doc', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('users_pk', ['org_id', 'id'])
      .execute();
    await db.schema
      .createIndex('users_user_name_uq')
      .on('users')
      .columns(['org_id', 'user_name_ci'])
      .unique()
      .execute();
    await db.schema
      .createIndex('users_external_id_uq')
      .on('users')
      .columns(['org_id', 'external_id'])
      .unique()
      .execute();
    await db.schema.createIndex('users_display_name_ix').on('users').columns(['org_id', 'display_name_ci']).execute();
    await db.schema.createIndex('users_updated_ix').on('users').columns(['org_id', 'updated_at']).execute();
    await db.schema.createIndex('users_created_ix').on('users').columns(['org_id', 'created_at']).execute();

    await db.schema
      .createTable('user_values')
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('attr', 'text', (c) => c.notNull())
      .addColumn('idx', 'integer', (c) => c.notNull())
      .addColumn('value', 'text')
      .addColumn('value_ci', 'text')
      .addColumn('type', 'text')
      .addColumn('type_ci', 'text')
      .addColumn('display', 'text')
      .addColumn('display_ci', 'text')
      .addColumn('primary_flag', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('user_values_pk', ['org_id', 'user_id', 'attr', 'idx'])
      .addForeignKeyConstraint('user_values_user_fk', ['org_id', 'user_id'], 'users', ['org_id', 'id'], (fk) =>
        fk.onDelete('cascade'),
      )
      .execute();
    // Linking an invited user by work e-mail, and emails[value eq ...] filters, look values up here.
    await db.schema
      .createIndex('user_values_value_ix')
      .on('user_values')
      .columns(['org_id', 'attr', 'value_ci'])
      .execute();

    await db.schema
      .createTable('provisioning_log')
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('request_id', 'text', (c) => c.notNull())
      .addColumn('token_id', 'text')
      .addColumn('user_agent', 'text')
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('resource_type', 'text')
      .addColumn('resource_id', 'text')
      .addColumn('summary', 'text')
      .addColumn('error_code', 'text')
      .addColumn('error_detail', 'text')
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('provisioning_log_pk', ['org_id', 'id'])
      .execute();
    await db.schema.createIndex('provisioning_log_at_ix').on('provisioning_log').columns(['org_id', 'at']).execute();
    await db.schema
      .createIndex('provisioning_log_resource_ix')
      .on('provisioning_log')
      .columns(['org_id', 'resource_id', 'at'])
      .execute();

    await db.schema
      .createTable('events')
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('resource_id', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('events_pk', ['org_id', 'id'])
      .execute();
  },
};
