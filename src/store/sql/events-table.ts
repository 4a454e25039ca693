import { type Kysely, sql, type Transaction } from 'kysely';
import type { EventOps, EventRefs, NewEvent, StoredEvent } from '../events-store.js';
import type { TeamRecord, UserRecord } from '../store.js';
import { chunks, unique } from './batches.js';
import type { Database, EventsTable } from './db-schema.js';
import { insertPieces, preparedInsert } from './prepared-insert.js';
import { preparedQuery } from './prepared-query.js';
import { rowLimit } from './row-limit.js';
import { pageTeams, pageUsers } from './snapshot-pages.js';
import type { SqlDialectHooks } from './sql-dialect.js';

/*
 * Directory events (`events`) and each organization's feed counter (`event_cursors`).
 *
 * Cursors are given at commit, not when a change appends its event: the transaction's events wait
 * in a queue and `flush`, the last statement before COMMIT, takes the organization's next cursors
 * with one upsert of its counter row and writes the rows. On PostgreSQL that upsert holds the
 * counter row until the commit, so one organization's commits are serialized for the length of
 * the commit only (never its reads, never another organization's writes): that is the price of a
 * cursor a consumer can trust. A transaction that took cursor N has committed before the next one
 * can take N+1, so a reader never sees N+1 without N, and a rollback leaves no gap.
 */

type Db = Kysely<Database>;

export class SqlEvents implements EventOps {
  private readonly queue: NewEvent[] = [];

  constructor(
    protected readonly db: Db | Transaction<Database>,
    protected readonly hooks: SqlDialectHooks,
    /** Inside SqlStore.once: append queues, and the store calls `flush` before COMMIT. */
    private readonly inTransaction = false,
  ) {}

  async append(event: NewEvent): Promise<void> {
    if (this.inTransaction) {
      this.queue.push(event);
      return;
    }
    await (this.db as Db).transaction().execute((trx) => writeEvents(trx, this.hooks, [event]));
  }

  /** Gives the queued events their cursors and writes them; the transaction commits next. */
  async flush(): Promise<void> {
    if (this.queue.length === 0) return;
    const events = this.queue.splice(0, this.queue.length);
    await writeEvents(this.db, this.hooks, events);
  }

  async list(orgId: string, afterCursor: number, limit: number): Promise<StoredEvent[]> {
    const rows = await this.db
      .selectFrom('events')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('cursor', '>', afterCursor)
      .orderBy('cursor')
      .limit(rowLimit(limit))
      .execute();
    return rows.map(rowToEvent);
  }

  async forResource(orgId: string, resourceId: string, limit: number, before?: number): Promise<StoredEvent[]> {
    let q = this.db.selectFrom('events').selectAll().where('org_id', '=', orgId).where('resource_id', '=', resourceId);
    if (before !== undefined) q = q.where('cursor', '<', before);
    const rows = await q.orderBy('cursor', 'desc').limit(rowLimit(limit)).execute();
    return rows.map(rowToEvent);
  }

  async lastCursor(orgId: string): Promise<number> {
    const row = await this.db
      .selectFrom('event_cursors')
      .select('last_cursor')
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    return row ? Number(row.last_cursor) : 0;
  }

  async firstCursor(orgId: string): Promise<number> {
    const row = await this.db
      .selectFrom('event_cursors')
      .select('pruned_through')
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    return (row ? Number(row.pruned_through) : 0) + 1;
  }

  async prune(before: number, batch: number): Promise<number> {
    return (this.db as Db).transaction().execute(async (trx) => {
      // A bounded batch per statement, so retention never holds a long lock on a busy table.
      const oldest = await trx
        .selectFrom('events')
        .select(['org_id', 'cursor'])
        .where('at', '<', before)
        .orderBy('at')
        .limit(rowLimit(batch))
        .execute();
      const byOrg = new Map<string, number[]>();
      for (const row of oldest) {
        const list = byOrg.get(row.org_id);
        if (list) list.push(Number(row.cursor));
        else byOrg.set(row.org_id, [Number(row.cursor)]);
      }
      let deleted = 0;
      for (const [orgId, cursors] of byOrg) {
        for (const part of chunks(cursors)) {
          const result = await trx
            .deleteFrom('events')
            .where('org_id', '=', orgId)
            .where('cursor', 'in', part)
            .executeTakeFirst();
          deleted += Number(result.numDeletedRows);
        }
        // Times are taken before commit and cursors at commit, so an older event may hold a
        // higher cursor than a newer one: the feed is whole only above the highest cursor deleted.
        const through = Math.max(...cursors);
        await trx
          .updateTable('event_cursors')
          .set({
            pruned_through: sql<number>`case when pruned_through < ${through} then ${through} else pruned_through end`,
          })
          .where('org_id', '=', orgId)
          .execute();
      }
      return deleted;
    });
  }

  pageUsers(orgId: string, afterId: string | undefined, limit: number): Promise<UserRecord[]> {
    return pageUsers(this.db, orgId, afterId, limit);
  }

  pageTeams(orgId: string, afterId: string | undefined, limit: number): Promise<TeamRecord[]> {
    return pageTeams(this.db, orgId, afterId, limit);
  }

  async refs(orgId: string, userIds: readonly string[], teamIds: readonly string[]): Promise<EventRefs> {
    const users = new Map<string, string>();
    const teams = new Map<string, { displayName: string; externalId: string | null }>();
    for (const ids of chunks(unique(userIds))) {
      const rows = await this.db
        .selectFrom('users')
        .select(['id', 'user_name'])
        .where('org_id', '=', orgId)
        .where('id', 'in', ids)
        .execute();
      for (const r of rows) users.set(r.id, r.user_name);
    }
    for (const ids of chunks(unique(teamIds))) {
      const rows = await this.db
        .selectFrom('teams')
        .select(['id', 'display_name', 'external_id'])
        .where('org_id', '=', orgId)
        .where('id', 'in', ids)
        .execute();
      for (const r of rows) teams.set(r.id, { displayName: r.display_name, externalId: r.external_id });
    }
    return { users, teams };
  }
}

/** Takes each organization's next cursors (organizations in id order: one lock order) and writes the rows. */
async function writeEvents(
  db: Db | Transaction<Database>,
  hooks: SqlDialectHooks,
  events: readonly NewEvent[],
): Promise<void> {
  const byOrg = new Map<string, NewEvent[]>();
  for (const event of events) {
    const list = byOrg.get(event.orgId);
    if (list) list.push(event);
    else byOrg.set(event.orgId, [event]);
  }
  for (const orgId of [...byOrg.keys()].sort()) {
    const mine = byOrg.get(orgId) ?? [];
    const taken = await db.executeQuery(takeCursors(db, hooks, '', { orgId, count: mine.length, added: mine.length }));
    const last = taken.rows[0];
    if (last === undefined) throw new Error(`no event cursor row for organization ${orgId}`);
    const first = Number(last.last_cursor) - mine.length + 1;
    const rows = mine.map((event, i) => eventToRow(event, first + i));
    for (const part of insertPieces(rows)) await db.executeQuery(insertEvents(db, hooks, part));
  }
}

/** The organization's counter moved on by `added`; the new last cursor returned. Compiled once. */
const takeCursors = preparedQuery(['orgId', 'count', 'added'], (db, _hooks, _variant: '', a) =>
  db
    .insertInto('event_cursors')
    .values({ org_id: a.orgId, last_cursor: a.count, pruned_through: 0 })
    .onConflict((oc) =>
      oc.column('org_id').doUpdateSet({ last_cursor: sql<number>`event_cursors.last_cursor + ${a.added}` }),
    )
    .returning('last_cursor'),
);

/** What eventToRow writes: every column of `events` (prepared-insert.test.ts). */
export const eventRowColumns = [
  'org_id',
  'id',
  'cursor',
  'at',
  'type',
  'version',
  'resource_id',
  'actor',
  'request_id',
  'data',
] satisfies (keyof EventsTable)[];

const insertEvents = preparedInsert('events', eventRowColumns);

function eventToRow(event: NewEvent, cursor: number): EventsTable {
  return {
    org_id: event.orgId,
    id: event.id,
    cursor,
    at: event.at,
    type: event.type,
    version: event.version,
    resource_id: event.resourceId,
    actor: event.actor === null || event.actor === undefined ? null : JSON.stringify(event.actor),
    request_id: event.requestId,
    data: JSON.stringify(event.data),
  };
}

function rowToEvent(r: EventsTable): StoredEvent {
  return {
    orgId: r.org_id,
    id: r.id,
    cursor: Number(r.cursor),
    at: Number(r.at),
    type: r.type,
    version: Number(r.version),
    resourceId: r.resource_id,
    actor: r.actor === null ? null : (JSON.parse(r.actor) as unknown),
    requestId: r.request_id,
    data: JSON.parse(r.data) as unknown,
  };
}
