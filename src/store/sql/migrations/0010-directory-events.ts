import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Directory events as a product (issue 10; docs/events.md).
 *
 * `events` is rebuilt rather than altered: each row gains a gapless per-organization `cursor`
 * (NOT NULL, which SQLite cannot add to a filled table), a `version` of its data shape, the
 * `actor` and the `request_id`. The rows written before keep their data as it was and read as
 * version 0; their cursors follow id order (ids are UUIDv7, so creation order), their types take
 * the product names (`member.added` → `team.member_added`, `member.removed` →
 * `team.member_removed`, `user.linked` → `user.reactivated` when it brought back a retained
 * account, else `user.updated`), and they have no actor or request id.
 *
 * `event_cursors` holds each organization's last cursor, so the next commit takes the next one
 * with one upsert, and the highest cursor retention deleted, so the feed can tell a consumer that
 * fell behind retention (410) from one that is up to date.
 *
 * `service_keys` are the deployment-wide credentials of the feed: no org_id, since the rest of
 * Parallel reads every organization with one.
 *
 * Not expand/contract: a server of the previous version would write rows without a cursor. A
 * rolling upgrade across this migration must stop the old version first.
 */
export const directoryEvents: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('events_next')
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('cursor', 'bigint', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('resource_id', 'text', (c) => c.notNull())
      .addColumn('actor', 'text')
      .addColumn('request_id', 'text')
      .addColumn('data', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('directory_events_pk', ['org_id', 'id'])
      .execute();
    await sql`
      insert into events_next (org_id, id, "cursor", at, type, version, resource_id, actor, request_id, data)
      select org_id, id, row_number() over (partition by org_id order by id), at,
        case type
          when 'member.added' then 'team.member_added'
          when 'member.removed' then 'team.member_removed'
          when 'user.linked' then
            case when payload like '%"previouslyDeletedAt"%' then 'user.reactivated' else 'user.updated' end
          else type
        end,
        0, resource_id, null, null, payload
      from events`.execute(db);
    await db.schema.dropTable('events').execute();
    await db.schema.alterTable('events_next').renameTo('events').execute();
    // The feed: one range read per page.
    await db.schema.createIndex('events_cursor_uq').on('events').columns(['org_id', 'cursor']).unique().execute();
    // A user's or team's own history, newest first (the console's user page).
    await db.schema
      .createIndex('events_resource_ix')
      .on('events')
      .columns(['org_id', 'resource_id', 'cursor'])
      .execute();
    // Retention deletes the oldest events across organizations.
    await db.schema.createIndex('events_prune_ix').on('events').column('at').execute();

    await db.schema
      .createTable('event_cursors')
      .addColumn('org_id', 'text', (c) => c.primaryKey())
      .addColumn('last_cursor', 'bigint', (c) => c.notNull())
      .addColumn('pruned_through', 'bigint', (c) => c.notNull())
      .execute();
    await sql`
      insert into event_cursors (org_id, last_cursor, pruned_through)
      select org_id, max("cursor"), 0 from events group by org_id`.execute(db);

    await db.schema
      .createTable('service_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('key_hash', 'text', (c) => c.notNull())
      .addColumn('hint', 'text', (c) => c.notNull())
      .addColumn('label', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint')
      .addColumn('revoked_at', 'bigint')
      .addColumn('last_used_at', 'bigint')
      .execute();
    await db.schema.createIndex('service_keys_hash_uq').on('service_keys').column('key_hash').unique().execute();
  },
};
