import { type Kysely, type Migration, sql } from 'kysely';

/**
 * DELETE per RFC 7644 §3.6 with the account kept (organization setting `retain`): a user the IdP
 * deleted stays as a row with `deleted_at` set, invisible to SCIM (every read filters on
 * `deleted_at is null`) and outside "conflict calculation": its userName no longer holds the
 * unique index, which becomes partial. Its externalId is cleared when it is retained, so that
 * index needs no change.
 *
 * A retained user is found again when the IdP re-creates the person (same userName or work
 * e-mail): `users_retained_ix` is the lookup by name among retained rows only, which the partial
 * unique index cannot serve.
 *
 * The DELETE settings are renamed to say what they do: `deactivate` (which kept the user visible
 * to SCIM, deactivated) becomes `retain`, `remove` becomes `erase`.
 *
 * Not expand/contract: a server of the previous version reading this schema would show retained
 * users to SCIM again, and would read `retain` as its `remove` (anything but `deactivate`), erasing
 * on DELETE. A rolling upgrade across this migration must stop the old version first.
 */
export const retainedUsers: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('users').addColumn('deleted_at', 'bigint').execute();
    await db.schema.dropIndex('users_user_name_uq').execute();
    await db.schema
      .createIndex('users_user_name_uq')
      .on('users')
      .columns(['org_id', 'user_name_ci'])
      .unique()
      .where(sql.ref('deleted_at'), 'is', null)
      .execute();
    await db.schema
      .createIndex('users_retained_ix')
      .on('users')
      .columns(['org_id', 'user_name_ci'])
      .where(sql.ref('deleted_at'), 'is not', null)
      .execute();
    await db.updateTable('orgs').set({ delete_mode: 'retain' }).where('delete_mode', '=', 'deactivate').execute();
    await db.updateTable('orgs').set({ delete_mode: 'erase' }).where('delete_mode', '=', 'remove').execute();
  },
};
