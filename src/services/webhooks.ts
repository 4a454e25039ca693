import { invalidValue } from '../scim/scim-error.js';
import type { Store, StoreOps } from '../store/store.js';
import type { WebhookDeliveryRecord, WebhookRecord, WebhookTotals } from '../store/webhooks-store.js';
import type { Operator } from './audit.js';
import { type AuditAction, type AuditTrail, operatorLabel } from './audit-trail.js';
import { uuidv7 } from './ids.js';
import { orgNotFound } from './org-not-found.js';
import type { SupportOptions } from './tokens.js';
import { webhookPing } from './webhook-ping.js';
import { isSuccess, WebhookSender } from './webhook-sender.js';
import { DEFAULT_WEBHOOK_SETTINGS } from './webhook-settings.js';
import { newWebhookSecret, signedHeaders } from './webhook-signing.js';
import {
  checkWebhookUrl,
  summary,
  type TestResult,
  view,
  type WebhookSummary,
  type WebhookView,
  type WebhookWithSecret,
  webhookNotFound,
} from './webhook-views.js';

/** Longest description kept. */
export const MAX_WEBHOOK_DESCRIPTION = 200;
/** Most webhooks one list returns. */
export const MAX_WEBHOOKS_LISTED = 200;
/** Most organizations' cursors a list reads per webhook (a deployment-wide one has one per organization). */
export const MAX_CURSORS_READ = 1000;
/** Most delivery log entries one read returns. */
export const MAX_DELIVERIES_LISTED = 500;
/** Longest grace period of a rotated secret. */
export const MAX_ROTATION_GRACE_MS = 30 * 86_400_000;
/** The grace of a rotation when none is given: a day for the receiver to switch. */
export const DEFAULT_WEBHOOK_GRACE_MS = 86_400_000;

/**
 * Webhooks as support manages them, from the CLI and the console: add, list with their delivery
 * state, remove, enable (replaying what was missed), disable, rotate the secret, send a test
 * ping, read the delivery log. Every change is in the audit trail with who made it.
 */
export class Webhooks {
  constructor(
    private readonly store: Store,
    private readonly auditTrail: AuditTrail,
    private readonly clock: () => number,
    private readonly timeoutMs: number = DEFAULT_WEBHOOK_SETTINGS.timeoutMs,
  ) {}

  /** Runs a support action and its audit trail entry in one transaction. */
  private async audited<T>(
    operator: Operator,
    options: SupportOptions,
    run: (tx: StoreOps) => Promise<{ result: T; action: AuditAction }>,
  ): Promise<T> {
    return this.store.transaction(async (tx) => {
      const { result, action } = await run(tx);
      await this.auditTrail.record(tx, operator, { ...action, requestId: options.requestId ?? null });
      return result;
    });
  }

  private async found(tx: StoreOps, webhookId: string): Promise<WebhookRecord> {
    const webhook = await tx.webhooks.get(webhookId);
    if (!webhook) throw webhookNotFound(webhookId);
    return webhook;
  }

  /**
   * A new webhook, for one organization or (no `orgId`) every organization. It receives what
   * happens from now on: each organization's cursor starts at its newest event.
   */
  async add(
    operator: Operator,
    input: { readonly url: string; readonly orgId?: string; readonly description?: string },
    options: SupportOptions = {},
  ): Promise<WebhookWithSecret> {
    const url = checkWebhookUrl(input.url);
    const description = input.description?.trim() || null;
    if (description !== null && description.length > MAX_WEBHOOK_DESCRIPTION) {
      throw invalidValue(`A description may have at most ${MAX_WEBHOOK_DESCRIPTION} characters`, 'webhook.description');
    }
    const now = this.clock();
    const webhook: WebhookRecord = {
      id: uuidv7(now),
      orgId: input.orgId ?? null,
      url,
      description,
      secret: newWebhookSecret(),
      previousSecret: null,
      previousSecretExpiresAt: null,
      enabled: true,
      disabledAt: null,
      disabledReason: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.audited(operator, options, async (tx) => {
      if (webhook.orgId !== null && !(await tx.getOrg(webhook.orgId))) throw orgNotFound(webhook.orgId);
      await tx.webhooks.insert(webhook);
      await tx.webhooks.startCursors(webhook.id, webhook.orgId, now);
      return { result: undefined, action: this.action('webhook.added', webhook, { url, description }) };
    });
    return { webhook: summary(webhook), secret: webhook.secret };
  }

  private action(name: string, webhook: WebhookRecord, detail?: Record<string, unknown>): AuditAction {
    return { action: name, orgId: webhook.orgId, targetType: 'webhook', targetId: webhook.id, detail: detail ?? null };
  }

  /** The deployment's delivery state in three figures, for the metrics an SRE alerts on. */
  totals(): Promise<WebhookTotals> {
    return this.store.webhooks.totals();
  }

  /** Webhooks with their state: all, or those receiving `orgId`'s events (its own and deployment-wide ones). */
  async list(query: { readonly orgId?: string } = {}): Promise<WebhookView[]> {
    if (query.orgId !== undefined && !(await this.store.getOrg(query.orgId))) throw orgNotFound(query.orgId);
    const webhooks = await this.store.webhooks.list({ ...query, limit: MAX_WEBHOOKS_LISTED });
    return Promise.all(
      webhooks.map(async (w) =>
        view(w, await this.store.webhooks.cursors(w.id, { ...query, limit: MAX_CURSORS_READ })),
      ),
    );
  }

  async get(webhookId: string, query: { readonly orgId?: string } = {}): Promise<WebhookView> {
    const webhook = await this.store.webhooks.get(webhookId);
    if (!webhook) throw webhookNotFound(webhookId);
    return view(webhook, await this.store.webhooks.cursors(webhookId, { ...query, limit: MAX_CURSORS_READ }));
  }

  /** Removes the webhook, its cursors and its delivery log. */
  async remove(operator: Operator, webhookId: string, options: SupportOptions = {}): Promise<WebhookSummary> {
    return this.audited(operator, options, async (tx) => {
      const webhook = await this.found(tx, webhookId);
      await tx.webhooks.remove(webhookId);
      return { result: summary(webhook), action: this.action('webhook.removed', webhook, { url: webhook.url }) };
    });
  }

  /** Stops deliveries; the cursors stay where they are, so `enable` later replays what was missed. */
  async disable(
    operator: Operator,
    webhookId: string,
    options: SupportOptions & { reason?: string } = {},
  ): Promise<WebhookSummary> {
    const why =
      options.reason?.trim() ||
      `disabled by ${operatorLabel(operator) ?? (operator.kind === 'staff' ? 'staff' : 'the CLI')}`;
    return this.audited(operator, options, async (tx) => {
      const webhook = await this.found(tx, webhookId);
      await tx.webhooks.setEnabled(webhookId, false, this.clock(), why);
      return { result: summary(await this.found(tx, webhookId)), action: this.action('webhook.disabled', webhook) };
    });
  }

  /**
   * Resumes deliveries from each organization's cursor, at once and with a fresh retry count:
   * the events missed while disabled or failing are sent next, in order.
   */
  async enable(operator: Operator, webhookId: string, options: SupportOptions = {}): Promise<WebhookSummary> {
    return this.audited(operator, options, async (tx) => {
      const webhook = await this.found(tx, webhookId);
      await tx.webhooks.setEnabled(webhookId, true, this.clock(), null);
      const detail = webhook.enabled ? { wasEnabled: true } : { disabledReason: webhook.disabledReason };
      return {
        result: summary(await this.found(tx, webhookId)),
        action: this.action('webhook.enabled', webhook, detail),
      };
    });
  }

  /**
   * A new secret, shown once. The old one keeps signing, beside the new, for `graceMs` (0: it
   * stops at once), so a receiver can switch without rejecting a delivery.
   */
  async rotateSecret(
    operator: Operator,
    webhookId: string,
    options: SupportOptions & { graceMs?: number } = {},
  ): Promise<WebhookWithSecret> {
    const graceMs = options.graceMs ?? DEFAULT_WEBHOOK_GRACE_MS;
    if (!Number.isInteger(graceMs) || graceMs < 0 || graceMs > MAX_ROTATION_GRACE_MS) {
      throw invalidValue('The grace period must be from 0 to 30 days', 'webhook.grace');
    }
    const secret = newWebhookSecret();
    const now = this.clock();
    return this.audited(operator, options, async (tx) => {
      const webhook = await this.found(tx, webhookId);
      await tx.webhooks.rotateSecret(webhookId, secret, graceMs > 0 ? now + graceMs : null, now);
      const rotated = await this.found(tx, webhookId);
      return {
        result: { webhook: summary(rotated), secret },
        action: this.action('webhook.secretRotated', webhook, { graceMs }),
      };
    });
  }

  /**
   * Sends a signed `webhook.test` ping at once, outside the event feed, and answers with how the
   * receiver took it; the attempt is in the delivery log.
   */
  async test(operator: Operator, webhookId: string, options: SupportOptions = {}): Promise<TestResult> {
    const webhook = await this.store.webhooks.get(webhookId);
    if (!webhook) throw webhookNotFound(webhookId);
    const at = this.clock();
    const ping = webhookPing(webhook, uuidv7(at), at);
    const body = JSON.stringify(ping);
    const sender = new WebhookSender(this.timeoutMs);
    const result = await sender
      .send(webhook.url, signedHeaders(webhook, ping.id, body, at), body)
      .finally(() => sender.close());
    const delivery: WebhookDeliveryRecord = {
      id: uuidv7(at),
      webhookId,
      orgId: webhook.orgId,
      eventId: ping.id,
      eventType: ping.type,
      cursor: null,
      attempt: 1,
      at,
      status: result.status,
      error: result.error,
      responseExcerpt: result.excerpt,
      durationMs: result.durationMs,
    };
    const outcome: TestResult = {
      ok: isSuccess(result),
      status: result.status,
      error: result.error,
      responseExcerpt: result.excerpt,
      durationMs: result.durationMs,
    };
    await this.audited(operator, options, async (tx) => {
      // Removed while the ping was in flight: nothing to log it under.
      if (await tx.webhooks.get(webhookId)) await tx.webhooks.appendDelivery(delivery);
      return { result: undefined, action: this.action('webhook.tested', webhook, { status: result.status }) };
    });
    return outcome;
  }

  /** The delivery log, newest first; `before` (a delivery id) pages back. */
  async deliveries(
    webhookId: string,
    query: { readonly orgId?: string; readonly before?: string; readonly limit: number },
  ): Promise<{ readonly items: WebhookDeliveryRecord[]; readonly next: string | null }> {
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_DELIVERIES_LISTED) {
      throw invalidValue(`The limit must be a whole number from 1 to ${MAX_DELIVERIES_LISTED}`, 'webhook.limit');
    }
    if (!(await this.store.webhooks.get(webhookId))) throw webhookNotFound(webhookId);
    const items = await this.store.webhooks.deliveries(webhookId, query);
    const last = items.at(-1);
    return { items, next: items.length === query.limit && last ? last.id : null };
  }

  /** Deletes delivery log entries older than `maxAgeMs`, in batches; returns how many. */
  async pruneDeliveries(maxAgeMs: number): Promise<number> {
    const before = this.clock() - maxAgeMs;
    let total = 0;
    for (;;) {
      const deleted = await this.store.webhooks.pruneDeliveries(before, PRUNE_BATCH);
      total += deleted;
      if (deleted < PRUNE_BATCH) return total;
    }
  }
}

const PRUNE_BATCH = 5000;
