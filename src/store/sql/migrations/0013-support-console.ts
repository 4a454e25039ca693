import type { Kysely, Migration } from 'kysely';

/**
 * Staff accounts, console sessions, sign-in throttling and setup links (issue 10). Everything a
 * browser or a link presents is stored as a hash; sessions and counters live here, not in a
 * process, so every instance on the database signs the same people in and throttles the same
 * guesses.
 */
export const supportConsole: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('staff')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('email_ci', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text')
      .addColumn('disabled', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('staff_email_uq').on('staff').column('email_ci').unique().execute();

    await db.schema
      .createTable('staff_password_links')
      .addColumn('link_hash', 'text', (c) => c.primaryKey())
      .addColumn('staff_id', 'text', (c) => c.notNull().references('staff.id'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('staff_password_links_staff_ix')
      .on('staff_password_links')
      .column('staff_id')
      .execute();

    await db.schema
      .createTable('staff_sessions')
      .addColumn('id_hash', 'text', (c) => c.primaryKey())
      .addColumn('staff_id', 'text', (c) => c.notNull().references('staff.id'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
      .addColumn('csrf_token', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('staff_sessions_staff_ix').on('staff_sessions').column('staff_id').execute();
    await db.schema.createIndex('staff_sessions_expires_ix').on('staff_sessions').column('expires_at').execute();

    // One row per failed sign-in and key (`email:...`, `address:...`): a count over a window
    // needs no upsert arithmetic, and rows older than the window are pruned.
    await db.schema
      .createTable('sign_in_failures')
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sign_in_failures_key_ix').on('sign_in_failures').columns(['key', 'at']).execute();
    await db.schema.createIndex('sign_in_failures_at_ix').on('sign_in_failures').column('at').execute();

    await db.schema
      .createTable('setup_links')
      // Cascade: offboarding an organization takes its unused links with it.
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('secret_hash', 'text', (c) => c.notNull())
      // Who made it (services/audit.ts Operator as JSON): the trail names them for its use too.
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .addColumn('token_id', 'text')
      .addPrimaryKeyConstraint('setup_links_pk', ['org_id', 'id'])
      .execute();
    await db.schema.createIndex('setup_links_secret_uq').on('setup_links').column('secret_hash').unique().execute();
  },
};
