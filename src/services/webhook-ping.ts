import type { WebhookRecord } from '../store/webhooks-store.js';

/**
 * The body of a test ping: the envelope of a directory event (docs/events.md), so a receiver's
 * parsing is tried too, with a type no feed ever carries and no cursor, so it never moves one.
 */
export interface WebhookPing {
  readonly id: string;
  readonly type: 'webhook.test';
  readonly version: 1;
  readonly orgId: string | null;
  readonly cursor: null;
  readonly occurredAt: string;
  readonly actor: null;
  readonly requestId: null;
  readonly data: { readonly webhookId: string };
}

export function webhookPing(webhook: Pick<WebhookRecord, 'id' | 'orgId'>, id: string, at: number): WebhookPing {
  return {
    id,
    type: 'webhook.test',
    version: 1,
    orgId: webhook.orgId,
    cursor: null,
    occurredAt: new Date(at).toISOString(),
    actor: null,
    requestId: null,
    data: { webhookId: webhook.id },
  };
}
