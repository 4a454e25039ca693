import { type Kysely, type Migration, sql } from 'kysely';
import { foldCase } from '../../../scim/fold-case.js';

/**
 * The audit trail of support's actions and organizations' external references (issue 10).
 *
 * `audit_trail` is keyed by its time-ordered id alone: an entry may name no organization (a
 * service key, a staff account), and the entry of an organization's deletion outlives the
 * organization, so `org_id` is no foreign key. Each index ends with the id, so every read the
 * trail offers (all, one organization, one actor) is a range read newest first.
 *
 * `orgs.external_ref` is the main application's own id for the organization: unique when set
 * (a partial index, so any number of organizations may have none). `orgs.name_ci` is the name
 * folded as userNames are (foldCase), so `org find` is an index lookup that ignores case; the
 * organizations are few, so the backfill reads them all at once.
 */
export const auditTrail: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('audit_trail')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('actor_kind', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('actor_label', 'text')
      .addColumn('org_id', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target_type', 'text')
      .addColumn('target_id', 'text')
      .addColumn('detail', 'text')
      .addColumn('request_id', 'text')
      .execute();
    await db.schema.createIndex('audit_trail_org_ix').on('audit_trail').columns(['org_id', 'id']).execute();
    await db.schema.createIndex('audit_trail_actor_ix').on('audit_trail').columns(['actor_label', 'id']).execute();
    await db.schema.createIndex('audit_trail_actor_id_ix').on('audit_trail').columns(['actor_id', 'id']).execute();

    await db.schema.alterTable('orgs').addColumn('external_ref', 'text').execute();
    await db.schema
      .createIndex('orgs_external_ref_uq')
      .on('orgs')
      .column('external_ref')
      .unique()
      .where(sql.ref('external_ref'), 'is not', null)
      .execute();
    await db.schema.alterTable('orgs').addColumn('name_ci', 'text').execute();
    const orgs: { id: string; name: string }[] = await db.selectFrom('orgs').select(['id', 'name']).execute();
    for (const org of orgs) {
      await db
        .updateTable('orgs')
        .set({ name_ci: foldCase(org.name) })
        .where('id', '=', org.id)
        .execute();
    }
    await db.schema.createIndex('orgs_name_ix').on('orgs').column('name_ci').execute();
  },
};
