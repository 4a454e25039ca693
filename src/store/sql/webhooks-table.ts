import { type Kysely, sql } from 'kysely';
import type {
  ClaimedCursor,
  CursorRetry,
  WebhookCursorState,
  WebhookDeliveryRecord,
  WebhookOps,
  WebhookRecord,
  WebhookTotals,
} from '../webhooks-store.js';
import type { Database } from './db-schema.js';
import { rowLimit } from './row-limit.js';
import type { SqlDialectHooks } from './sql-dialect.js';
import * as claims from './webhook-claims.js';
import { deliveryToRow, headCursorOf, rowToCursor, rowToDelivery, rowToWebhook, webhookToRow } from './webhook-rows.js';

/*
 * Webhooks (`webhooks`), their cursors (`webhook_cursors`) and the delivery log
 * (`webhook_deliveries`), migration 0011. Every cursor write after a claim names the lease owner,
 * so an instance whose lease ran out can never move a cursor another instance now holds.
 */
export class SqlWebhooks implements WebhookOps {
  constructor(
    protected readonly db: Kysely<Database>,
    protected readonly hooks: SqlDialectHooks,
  ) {}

  async totals(): Promise<WebhookTotals> {
    const pairs = await this.db
      .selectFrom('webhook_cursors as wc')
      .innerJoin('webhooks as w', 'w.id', 'wc.webhook_id')
      .leftJoin('event_cursors as ec', 'ec.org_id', 'wc.org_id')
      .where('w.enabled', '=', 1)
      .select([
        sql<number>`coalesce(sum(case when ec.last_cursor > wc.last_cursor then ec.last_cursor - wc.last_cursor else 0 end), 0)`.as(
          'backlog',
        ),
        sql<number>`coalesce(sum(case when wc.failing_since is not null then 1 else 0 end), 0)`.as('failing'),
      ])
      .executeTakeFirstOrThrow();
    const off = await this.db
      .selectFrom('webhooks')
      .where('enabled', '=', 0)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return { backlog: Number(pairs.backlog), failingPairs: Number(pairs.failing), disabled: Number(off.n) };
  }

  async insert(webhook: WebhookRecord): Promise<void> {
    await this.db.insertInto('webhooks').values(webhookToRow(webhook)).execute();
  }

  async get(webhookId: string): Promise<WebhookRecord | undefined> {
    const row = await this.db.selectFrom('webhooks').selectAll().where('id', '=', webhookId).executeTakeFirst();
    return row && rowToWebhook(row);
  }

  async list(query: { readonly orgId?: string; readonly limit: number }): Promise<WebhookRecord[]> {
    let q = this.db.selectFrom('webhooks').selectAll();
    const { orgId } = query;
    if (orgId !== undefined) q = q.where((eb) => eb.or([eb('org_id', '=', orgId), eb('org_id', 'is', null)]));
    const rows = await q.orderBy('id').limit(rowLimit(query.limit)).execute();
    return rows.map(rowToWebhook);
  }

  async remove(webhookId: string): Promise<boolean> {
    // Cursors and the delivery log go with it (foreign keys, on delete cascade).
    const result = await this.db.deleteFrom('webhooks').where('id', '=', webhookId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async setEnabled(webhookId: string, enabled: boolean, at: number, reason: string | null): Promise<boolean> {
    if (!enabled) {
      const result = await this.db
        .updateTable('webhooks')
        .set({ enabled: 0, disabled_at: at, disabled_reason: reason, updated_at: at })
        .where('id', '=', webhookId)
        .where('enabled', '=', 1)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    }
    const result = await this.db
      .updateTable('webhooks')
      .set({ enabled: 1, disabled_at: null, disabled_reason: null, updated_at: at })
      .where('id', '=', webhookId)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    // The cursors keep last_cursor: what the receiver missed is sent next, in order.
    await this.db
      .updateTable('webhook_cursors')
      .set({ attempts: 0, next_attempt_at: at, failing_since: null })
      .where('webhook_id', '=', webhookId)
      .execute();
    return true;
  }

  async rotateSecret(
    webhookId: string,
    secret: string,
    previousExpiresAt: number | null,
    at: number,
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('webhooks')
      .set({
        // SET reads the row as it was, so the old current secret becomes the previous one.
        previous_secret: previousExpiresAt === null ? null : sql<string>`secret`,
        previous_secret_expires_at: previousExpiresAt,
        secret,
        updated_at: at,
      })
      .where('id', '=', webhookId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  startCursors(webhookId: string, orgId: string | null, at: number): Promise<void> {
    return claims.startCursors(this.db, webhookId, orgId, at);
  }

  discoverCursors(at: number, limit: number): Promise<number> {
    return claims.discoverCursors(this.db, at, limit);
  }

  claimDue(owner: string, now: number, leaseUntil: number, limit: number): Promise<ClaimedCursor[]> {
    return claims.claimDue(this.db, this.hooks, owner, now, leaseUntil, limit);
  }

  async advance(
    webhookId: string,
    orgId: string,
    owner: string,
    outcome: { readonly cursor: number; readonly status: number; readonly at: number; readonly leaseUntil: number },
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('webhook_cursors')
      .set({
        last_cursor: outcome.cursor,
        attempts: 0,
        failing_since: null,
        last_status: outcome.status,
        last_error: null,
        last_attempt_at: outcome.at,
        lease_until: outcome.leaseUntil,
      })
      .where('webhook_id', '=', webhookId)
      .where('org_id', '=', orgId)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async retryLater(webhookId: string, orgId: string, owner: string, retry: CursorRetry): Promise<boolean> {
    const result = await this.db
      .updateTable('webhook_cursors')
      .set({
        attempts: retry.attempts,
        next_attempt_at: retry.nextAttemptAt,
        failing_since: retry.failingSince,
        last_status: retry.lastStatus,
        last_error: retry.lastError,
        last_attempt_at: retry.at,
        lease_owner: null,
        lease_until: null,
      })
      .where('webhook_id', '=', webhookId)
      .where('org_id', '=', orgId)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async release(webhookId: string, orgId: string, owner: string): Promise<boolean> {
    const result = await this.db
      .updateTable('webhook_cursors')
      .set({ lease_owner: null, lease_until: null })
      .where('webhook_id', '=', webhookId)
      .where('org_id', '=', orgId)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async cursors(
    webhookId: string,
    query: { readonly orgId?: string; readonly limit: number },
  ): Promise<WebhookCursorState[]> {
    let q = this.db
      .selectFrom('webhook_cursors as c')
      .selectAll('c')
      .select(headCursorOf('c.org_id').as('head_cursor'))
      .where('c.webhook_id', '=', webhookId);
    if (query.orgId !== undefined) q = q.where('c.org_id', '=', query.orgId);
    // Failing organizations first, the longest streak first: they are what a capped read must show.
    const rows = await q
      .orderBy(sql`case when c.failing_since is null then 1 else 0 end`)
      .orderBy('c.failing_since')
      .orderBy('c.org_id')
      .limit(rowLimit(query.limit))
      .execute();
    return rows.map((r) => ({ ...rowToCursor(r), headCursor: Number(r.head_cursor) }));
  }

  async appendDelivery(delivery: WebhookDeliveryRecord): Promise<void> {
    await this.db.insertInto('webhook_deliveries').values(deliveryToRow(delivery)).execute();
  }

  async deliveries(
    webhookId: string,
    query: { readonly orgId?: string; readonly before?: string; readonly limit: number },
  ): Promise<WebhookDeliveryRecord[]> {
    let q = this.db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId);
    if (query.orgId !== undefined) q = q.where('org_id', '=', query.orgId);
    if (query.before !== undefined) q = q.where('id', '<', query.before);
    const rows = await q.orderBy('id', 'desc').limit(rowLimit(query.limit)).execute();
    return rows.map(rowToDelivery);
  }

  async pruneDeliveries(before: number, batch: number): Promise<number> {
    // A bounded batch per statement, like the provisioning log's retention.
    const oldest = this.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('at', '<', before)
      .limit(rowLimit(batch));
    const result = await this.db.deleteFrom('webhook_deliveries').where('id', 'in', oldest).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
