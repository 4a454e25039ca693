/**
 * Webhook subscriptions, their per-organization delivery cursors with leases, and the delivery
 * log (issue 10). A cursor row says how far one webhook has delivered one organization's events
 * (events-store.ts cursors); an instance holds a row's lease while it sends, so no two instances
 * send the same organization's events to the same webhook at once.
 */
export interface WebhookRecord {
  /** UUIDv7. */
  readonly id: string;
  /** The organization whose events it receives; null: every organization's (deployment-wide). */
  readonly orgId: string | null;
  /** http:// or https:// (services/webhooks.ts checks it). */
  readonly url: string;
  readonly description: string | null;
  /** `whsec_` + base64: stored readable, since each delivery signs with it. */
  readonly secret: string;
  /** The secret before the last rotation, also signed with until `previousSecretExpiresAt`. */
  readonly previousSecret: string | null;
  readonly previousSecretExpiresAt: number | null;
  readonly enabled: boolean;
  readonly disabledAt: number | null;
  /** Why it was disabled: by support, or after a failure streak (with the last error). */
  readonly disabledReason: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Where one webhook stands in one organization's feed. */
export interface WebhookCursorRecord {
  readonly webhookId: string;
  readonly orgId: string;
  /** The last cursor the receiver acknowledged with a 2xx; the next send is the event after it. */
  readonly lastCursor: number;
  /** Failed attempts at the event after `lastCursor` (0 after a success). */
  readonly attempts: number;
  /** Not claimed before this time (backoff after a failure). */
  readonly nextAttemptAt: number;
  readonly leaseOwner: string | null;
  readonly leaseUntil: number | null;
  /** When the current failure streak began; null when the last attempt succeeded. */
  readonly failingSince: number | null;
  /** The receiver's status at the last attempt; null when it gave none (refused, timeout, DNS). */
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly lastAttemptAt: number | null;
}

/** A cursor with the organization's newest event cursor, for backlog figures. */
export interface WebhookCursorState extends WebhookCursorRecord {
  /** The organization's newest event cursor (0: none); backlog is this minus `lastCursor`. */
  readonly headCursor: number;
}

/** A cursor an instance has just leased, with its webhook. */
export interface ClaimedCursor {
  readonly cursor: WebhookCursorRecord;
  readonly webhook: WebhookRecord;
}

/** One attempt in the delivery log. */
export interface WebhookDeliveryRecord {
  /** UUIDv7: id order is time order. */
  readonly id: string;
  readonly webhookId: string;
  /** Null only for a test ping of a deployment-wide webhook. */
  readonly orgId: string | null;
  /** The event id: the `webhook-id` header, the same on every retry. */
  readonly eventId: string;
  readonly eventType: string;
  /** The event's cursor; null for a test ping. */
  readonly cursor: number | null;
  /** 1 for the first attempt at this event, one more for each retry. */
  readonly attempt: number;
  readonly at: number;
  /** The receiver's HTTP status; null when none came (refused, timeout, DNS, reset). */
  readonly status: number | null;
  /** What went wrong, short; null on a 2xx. */
  readonly error: string | null;
  /** The start of the receiver's response body, clipped. */
  readonly responseExcerpt: string | null;
  readonly durationMs: number;
}

/** How a failed attempt leaves the cursor. */
export interface CursorRetry {
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly failingSince: number;
  readonly lastStatus: number | null;
  readonly lastError: string;
  readonly at: number;
}

/** Delivery state of the whole deployment, for metrics (no organization ids: bounded series). */
export interface WebhookTotals {
  /** Events enabled webhooks have yet to deliver, all organizations together. */
  readonly backlog: number;
  /** (webhook, organization) pairs of enabled webhooks whose last attempt failed. */
  readonly failingPairs: number;
  /** Webhooks switched off, by support or after a failure streak. */
  readonly disabled: number;
}

export interface WebhookOps {
  /** One aggregate over every cursor (a scrape's worth of work: a row per webhook and organization). */
  totals(): Promise<WebhookTotals>;
  /** Stores a new webhook (its organization must exist). */
  insert(webhook: WebhookRecord): Promise<void>;
  get(webhookId: string): Promise<WebhookRecord | undefined>;
  /**
   * Webhooks in id order, at most `limit`: all of them, or with `orgId` those that receive that
   * organization's events (its own and the deployment-wide ones).
   */
  list(query: { readonly orgId?: string; readonly limit: number }): Promise<WebhookRecord[]>;
  /** Deletes the webhook with its cursors and delivery log; false when there was none. */
  remove(webhookId: string): Promise<boolean>;
  /**
   * Disables or enables. Enabling also makes each of its cursors due at `at` with a fresh retry
   * count, so delivery resumes from where it stopped and replays what it missed. False when the
   * webhook is gone, or (disabling) when it is disabled already.
   */
  setEnabled(webhookId: string, enabled: boolean, at: number, reason: string | null): Promise<boolean>;
  /** A new current secret; the old one signs too until `previousExpiresAt` (null: at once no more). */
  rotateSecret(webhookId: string, secret: string, previousExpiresAt: number | null, at: number): Promise<boolean>;
  /**
   * Creates the webhook's cursor rows at each organization's newest event (one organization, or
   * with null every one), so a new webhook receives what happens from now on, not the history.
   * Rows that exist are left alone.
   */
  startCursors(webhookId: string, orgId: string | null, at: number): Promise<void>;
  /**
   * For enabled deployment-wide webhooks, creates the missing cursor rows (at cursor 0: such an
   * organization had no row when the webhook began, so it came later) for up to `limit`
   * organizations; returns how many it created.
   */
  discoverCursors(at: number, limit: number): Promise<number>;
  /**
   * Inside a short transaction: leases up to `limit` cursors of enabled webhooks that are due
   * (`nextAttemptAt` reached, no live lease) and have an event after `lastCursor`, oldest due
   * first, to `owner` until `leaseUntil`. Rows another instance is claiming are passed over.
   */
  claimDue(owner: string, now: number, leaseUntil: number, limit: number): Promise<ClaimedCursor[]>;
  /**
   * After a 2xx: the cursor moves to `cursor`, its failure streak ends and the lease is extended
   * to `leaseUntil`. False (nothing changed) when `owner` no longer holds the lease.
   */
  advance(
    webhookId: string,
    orgId: string,
    owner: string,
    outcome: { readonly cursor: number; readonly status: number; readonly at: number; readonly leaseUntil: number },
  ): Promise<boolean>;
  /** After a failure: records it and releases the lease; false when `owner` no longer held it. */
  retryLater(webhookId: string, orgId: string, owner: string, retry: CursorRetry): Promise<boolean>;
  /** Gives the lease up (the cursor stays due); false when `owner` no longer held it. */
  release(webhookId: string, orgId: string, owner: string): Promise<boolean>;
  /**
   * The webhook's cursors with their organizations' newest cursors: those in a failure streak
   * first (longest first), then by organization id.
   */
  cursors(webhookId: string, query: { readonly orgId?: string; readonly limit: number }): Promise<WebhookCursorState[]>;
  appendDelivery(delivery: WebhookDeliveryRecord): Promise<void>;
  /** The webhook's delivery log newest first, older than `before` (a delivery id) when given. */
  deliveries(
    webhookId: string,
    query: { readonly orgId?: string; readonly before?: string; readonly limit: number },
  ): Promise<WebhookDeliveryRecord[]>;
  /** Deletes up to `batch` delivery log entries older than `before`; returns how many. */
  pruneDeliveries(before: number, batch: number): Promise<number>;
}
