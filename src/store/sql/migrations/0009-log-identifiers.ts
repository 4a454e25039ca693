import type { Kysely, Migration } from 'kysely';

/**
 * What a log entry was about, as the request named it (issue 10): a refused create has no
 * resource id, so without these "why did jane@contoso.com not arrive?" found nothing. Nullable,
 * so the entries written before stay as they are and remain readable. Each index leads with the
 * organization and ends with the time-ordered id, so a search is one range read, newest first.
 * The request id support is quoted (every response's x-request-id, a 500's detail) gets its own.
 */
export const logIdentifiers: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('provisioning_log').addColumn('subject_name', 'text').execute();
    await db.schema.alterTable('provisioning_log').addColumn('subject_name_ci', 'text').execute();
    await db.schema.alterTable('provisioning_log').addColumn('subject_external_id', 'text').execute();
    await db.schema
      .createIndex('provisioning_log_subject_name_ix')
      .on('provisioning_log')
      .columns(['org_id', 'subject_name_ci', 'id'])
      .execute();
    await db.schema
      .createIndex('provisioning_log_subject_external_id_ix')
      .on('provisioning_log')
      .columns(['org_id', 'subject_external_id', 'id'])
      .execute();
    await db.schema
      .createIndex('provisioning_log_request_ix')
      .on('provisioning_log')
      .columns(['org_id', 'request_id'])
      .execute();
  },
};
