import type { Kysely, Migration } from 'kysely';

/** Retention deletes the oldest log entries across organizations; this index finds them. */
export const logRetention: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.createIndex('provisioning_log_prune_ix').on('provisioning_log').column('at').execute();
  },
};
