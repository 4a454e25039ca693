import type { Kysely, Migration } from 'kysely';

/**
 * Webhook subscriptions, delivery cursors with leases, the delivery log (issue 10).
 *
 * `webhooks` is deployment configuration, not tenant data: a subscription may serve every
 * organization (org_id NULL), so its key is its id alone; one for an organization goes with it
 * (cascade). The signing secrets are stored as they are, not hashed: every delivery must compute
 * an HMAC with them (docs/webhooks.md "Secrets").
 *
 * `webhook_cursors` holds one row per (webhook, organization): the last cursor the receiver
 * acknowledged, the retry state, and the lease an instance holds while it sends. Claiming reads
 * due rows by next_attempt_at.
 *
 * `webhook_deliveries` is the log of every attempt: read newest first per webhook (id is UUIDv7),
 * pruned by age.
 */
export const webhooks: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('webhooks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.references('orgs.id').onDelete('cascade'))
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('previous_secret', 'text')
      .addColumn('previous_secret_expires_at', 'bigint')
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('disabled_at', 'bigint')
      .addColumn('disabled_reason', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('webhooks_org_ix').on('webhooks').column('org_id').execute();

    await db.schema
      .createTable('webhook_cursors')
      .addColumn('webhook_id', 'text', (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('last_cursor', 'bigint', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'bigint')
      .addColumn('failing_since', 'bigint')
      .addColumn('last_status', 'integer')
      .addColumn('last_error', 'text')
      .addColumn('last_attempt_at', 'bigint')
      .addPrimaryKeyConstraint('webhook_cursors_pk', ['webhook_id', 'org_id'])
      .execute();
    await db.schema.createIndex('webhook_cursors_due_ix').on('webhook_cursors').columns(['next_attempt_at']).execute();
    await db.schema.createIndex('webhook_cursors_org_ix').on('webhook_cursors').column('org_id').execute();

    await db.schema
      .createTable('webhook_deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('webhook_id', 'text', (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
      // NULL for a test ping of a deployment-wide webhook; cascade with the organization.
      .addColumn('org_id', 'text', (c) => c.references('orgs.id').onDelete('cascade'))
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('event_type', 'text', (c) => c.notNull())
      // NULL for a test ping: it is no event of the feed.
      .addColumn('cursor', 'bigint')
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('status', 'integer')
      .addColumn('error', 'text')
      .addColumn('response_excerpt', 'text')
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('webhook_deliveries_webhook_ix')
      .on('webhook_deliveries')
      .columns(['webhook_id', 'id'])
      .execute();
    await db.schema.createIndex('webhook_deliveries_at_ix').on('webhook_deliveries').column('at').execute();
    await db.schema.createIndex('webhook_deliveries_org_ix').on('webhook_deliveries').column('org_id').execute();
  },
};
