import type { Kysely } from 'kysely';
import type { EventRecord } from '../store.js';
import type { Database, EventsTable } from './db-schema.js';

/*
 * The outbox (`events`), appended in the transaction of the change it reports. Ids are UUIDv7,
 * so id order is time order and `after` pages the feed without an offset.
 */

type Db = Kysely<Database>;

export async function appendEvent(db: Db, event: EventRecord): Promise<void> {
  await db.insertInto('events').values(eventToRow(event)).execute();
}

export async function listEvents(
  db: Db,
  orgId: string,
  after: string | undefined,
  limit: number,
): Promise<EventRecord[]> {
  let q = db.selectFrom('events').selectAll().where('org_id', '=', orgId);
  if (after !== undefined) q = q.where('id', '>', after);
  const rows = await q.orderBy('id').limit(limit).execute();
  return rows.map(rowToEvent);
}

function eventToRow(event: EventRecord): EventsTable {
  return {
    org_id: event.orgId,
    id: event.id,
    at: event.at,
    type: event.type,
    resource_id: event.resourceId,
    payload: JSON.stringify(event.payload),
  };
}

function rowToEvent(r: EventsTable): EventRecord {
  return {
    orgId: r.org_id,
    id: r.id,
    at: Number(r.at),
    type: r.type,
    resourceId: r.resource_id,
    payload: JSON.parse(r.payload) as unknown,
  };
}
