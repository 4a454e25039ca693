import { type RawBuilder, sql } from 'kysely';
import type { WebhookCursorRecord, WebhookDeliveryRecord, WebhookRecord } from '../webhooks-store.js';
import type { WebhookCursorsTable, WebhookDeliveriesTable, WebhooksTable } from './db-schema.js';

/* Rows of the webhook tables (0011) ⇄ the records of webhooks-store.ts. */

/**
 * The organization's newest event cursor (0 when it has none), for the organization id in
 * `orgIdColumn`: one key probe of event_cursors (0010), which retention never lowers.
 */
export function headCursorOf(orgIdColumn: string): RawBuilder<number> {
  return sql<number>`coalesce((select ec.last_cursor from event_cursors ec where ec.org_id = ${sql.ref(orgIdColumn)}), 0)`;
}

/** Whether the organization in `orgIdColumn` has an event after the cursor in `cursorColumn`. */
export function hasEventAfter(orgIdColumn: string, cursorColumn: string): RawBuilder<boolean> {
  return sql<boolean>`exists (select 1 from event_cursors ec where ec.org_id = ${sql.ref(orgIdColumn)} and ec.last_cursor > ${sql.ref(cursorColumn)})`;
}

export function webhookToRow(w: WebhookRecord): WebhooksTable {
  return {
    id: w.id,
    org_id: w.orgId,
    url: w.url,
    description: w.description,
    secret: w.secret,
    previous_secret: w.previousSecret,
    previous_secret_expires_at: w.previousSecretExpiresAt,
    enabled: w.enabled ? 1 : 0,
    disabled_at: w.disabledAt,
    disabled_reason: w.disabledReason,
    created_at: w.createdAt,
    updated_at: w.updatedAt,
  };
}

const numberOrNull = (value: number | null): number | null => (value === null ? null : Number(value));

export function rowToWebhook(r: WebhooksTable): WebhookRecord {
  return {
    id: r.id,
    orgId: r.org_id,
    url: r.url,
    description: r.description,
    secret: r.secret,
    previousSecret: r.previous_secret,
    previousSecretExpiresAt: numberOrNull(r.previous_secret_expires_at),
    enabled: Number(r.enabled) === 1,
    disabledAt: numberOrNull(r.disabled_at),
    disabledReason: r.disabled_reason,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export function rowToCursor(r: WebhookCursorsTable): WebhookCursorRecord {
  return {
    webhookId: r.webhook_id,
    orgId: r.org_id,
    lastCursor: Number(r.last_cursor),
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    leaseOwner: r.lease_owner,
    leaseUntil: numberOrNull(r.lease_until),
    failingSince: numberOrNull(r.failing_since),
    lastStatus: numberOrNull(r.last_status),
    lastError: r.last_error,
    lastAttemptAt: numberOrNull(r.last_attempt_at),
  };
}

export function deliveryToRow(d: WebhookDeliveryRecord): WebhookDeliveriesTable {
  return {
    id: d.id,
    webhook_id: d.webhookId,
    org_id: d.orgId,
    event_id: d.eventId,
    event_type: d.eventType,
    cursor: d.cursor,
    attempt: d.attempt,
    at: d.at,
    status: d.status,
    error: d.error,
    response_excerpt: d.responseExcerpt,
    duration_ms: Math.round(d.durationMs),
  };
}

export function rowToDelivery(r: WebhookDeliveriesTable): WebhookDeliveryRecord {
  return {
    id: r.id,
    webhookId: r.webhook_id,
    orgId: r.org_id,
    eventId: r.event_id,
    eventType: r.event_type,
    cursor: numberOrNull(r.cursor),
    attempt: Number(r.attempt),
    at: Number(r.at),
    status: numberOrNull(r.status),
    error: r.error,
    responseExcerpt: r.response_excerpt,
    durationMs: Number(r.duration_ms),
  };
}
