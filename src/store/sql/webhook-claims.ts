import type { ExpressionBuilder, Kysely } from 'kysely';
import type { ClaimedCursor } from '../webhooks-store.js';
import type { Database } from './db-schema.js';
import { rowLimit } from './row-limit.js';
import type { SqlDialectHooks } from './sql-dialect.js';
import { hasEventAfter, headCursorOf, rowToCursor, rowToWebhook } from './webhook-rows.js';

/*
 * Webhook cursors come into being and are leased here (webhooks-table.ts has the rest). Inserts
 * of cursor rows skip the ones that exist: instances discovering organizations at the same time
 * add each row once.
 */

type Db = Kysely<Database>;

export async function startCursors(db: Db, webhookId: string, orgId: string | null, at: number): Promise<void> {
  let orgs = db
    .selectFrom('orgs as o')
    .select((eb) => [
      eb.val(webhookId).as('webhook_id'),
      'o.id as org_id',
      headCursorOf('o.id').as('last_cursor'),
      eb.val(0).as('attempts'),
      eb.val(at).as('next_attempt_at'),
    ])
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('webhook_cursors as c')
            .select('c.org_id')
            .where('c.webhook_id', '=', webhookId)
            .whereRef('c.org_id', '=', 'o.id'),
        ),
      ),
    );
  if (orgId !== null) orgs = orgs.where('o.id', '=', orgId);
  await db
    .insertInto('webhook_cursors')
    .columns(['webhook_id', 'org_id', 'last_cursor', 'attempts', 'next_attempt_at'])
    .expression(orgs)
    .onConflict((oc) => oc.columns(['webhook_id', 'org_id']).doNothing())
    .execute();
}

export async function discoverCursors(db: Db, at: number, limit: number): Promise<number> {
  const missing = db
    .selectFrom(['webhooks as w', 'orgs as o'])
    .select((eb) => [
      'w.id as webhook_id',
      'o.id as org_id',
      eb.val(0).as('last_cursor'),
      eb.val(0).as('attempts'),
      eb.val(at).as('next_attempt_at'),
    ])
    .where('w.org_id', 'is', null)
    .where('w.enabled', '=', 1)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('webhook_cursors as c')
            .select('c.org_id')
            .whereRef('c.webhook_id', '=', 'w.id')
            .whereRef('c.org_id', '=', 'o.id'),
        ),
      ),
    )
    .limit(rowLimit(limit));
  const result = await db
    .insertInto('webhook_cursors')
    .columns(['webhook_id', 'org_id', 'last_cursor', 'attempts', 'next_attempt_at'])
    .expression(missing)
    .onConflict((oc) => oc.columns(['webhook_id', 'org_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

export async function claimDue(
  db: Db,
  hooks: SqlDialectHooks,
  owner: string,
  now: number,
  leaseUntil: number,
  limit: number,
): Promise<ClaimedCursor[]> {
  const due = await hooks
    .claimRows(
      db
        .selectFrom('webhook_cursors as c')
        .select(['c.webhook_id', 'c.org_id'])
        .where('c.next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('c.lease_until', 'is', null), eb('c.lease_until', '<=', now)]))
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('webhooks as w')
              .select('w.id')
              .whereRef('w.id', '=', 'c.webhook_id')
              .where('w.enabled', '=', 1),
          ),
        )
        .where(hasEventAfter('c.org_id', 'c.last_cursor'))
        .orderBy('c.next_attempt_at')
        .limit(rowLimit(limit)),
    )
    .execute();
  if (due.length === 0) return [];
  const claimed = (eb: ExpressionBuilder<Database, 'webhook_cursors'>) =>
    eb.or(due.map((d) => eb.and([eb('webhook_id', '=', d.webhook_id), eb('org_id', '=', d.org_id)])));
  // The lease test again, and the owner on the read: a row someone else leased in between
  // (only possible without the claim lock) stays theirs.
  await db
    .updateTable('webhook_cursors')
    .set({ lease_owner: owner, lease_until: leaseUntil })
    .where(claimed)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
    .execute();
  const cursors = await db
    .selectFrom('webhook_cursors')
    .selectAll()
    .where(claimed)
    .where('lease_owner', '=', owner)
    .where('lease_until', '=', leaseUntil)
    .execute();
  const webhooks = await db
    .selectFrom('webhooks')
    .selectAll()
    .where('id', 'in', [...new Set(due.map((d) => d.webhook_id))])
    .execute();
  const byId = new Map(webhooks.map((w) => [w.id, rowToWebhook(w)]));
  return cursors.flatMap((row) => {
    const webhook = byId.get(row.webhook_id);
    return webhook ? [{ cursor: rowToCursor(row), webhook }] : [];
  });
}
