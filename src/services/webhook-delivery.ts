import type { StoredEvent } from '../store/events-store.js';
import type { Store } from '../store/store.js';
import type { ClaimedCursor, WebhookDeliveryRecord, WebhookRecord } from '../store/webhooks-store.js';
import { toDirectoryEvent } from './directory-events.js';
import { uuidv7 } from './ids.js';
import { isSuccess, type SendResult, WebhookSender } from './webhook-sender.js';
import { retryDelayMs, streakExhausted, type WebhookSettings } from './webhook-settings.js';
import { signedHeaders } from './webhook-signing.js';

/** What the worker reports through; pino's logger has this shape. */
export interface WorkerLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Events one lease sends at most before the pair goes back in line (fairness between organizations). */
const EVENTS_PER_LEASE = 100;
/** Events read per statement while sending. */
const EVENT_PAGE = 20;
/** Organizations a deployment-wide webhook's cursor discovery adds per statement. */
const DISCOVER_BATCH = 500;
/** Slack on top of a send's timeout before a lease may be taken over. */
const LEASE_MARGIN_MS = 30_000;

/** A pair's failure streak while a lease sends. */
interface Streak {
  attempts: number;
  failingSince: number | null;
}

/** A running worker: `stop` lets the sends in flight end (aborting them) and releases their leases. */
/** Told of each attempt's outcome (main.ts counts them for Prometheus); never throws. */
export interface DeliveryObserver {
  attempt(outcome: 'delivered' | 'failed'): void;
  disabled(): void;
}

const UNOBSERVED: DeliveryObserver = { attempt: () => undefined, disabled: () => undefined };

export interface RunningWorker {
  /** Resolves once no send is in flight; the store may close after it. */
  stop(): Promise<void>;
  /** Looks for due work now instead of at the next poll (tests, and a burst of work). */
  wake(): void;
}

/**
 * Webhook delivery, run by every instance in the background: nothing on a SCIM request's path
 * (the events are already in the outbox when the request answers).
 *
 * Each tick leases due (webhook, organization) cursors in one short transaction, at most as many
 * as the instance has free sending slots; each leased pair then sends its events one at a time in
 * cursor order, outside any transaction, and moves its cursor after each 2xx. So delivery is in
 * order per organization, at least once (a crash between the 2xx and the cursor write sends that
 * one event again), and one pair is only ever sent by the instance holding its lease.
 */
export class WebhookDelivery {
  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
  ) {}

  start(
    settings: WebhookSettings,
    log: WorkerLog,
    options: { readonly owner?: string; readonly observer?: DeliveryObserver } = {},
  ): RunningWorker {
    const worker = new Worker(
      this.store,
      this.clock,
      settings,
      log,
      options.owner ?? uuidv7(),
      options.observer ?? UNOBSERVED,
    );
    worker.schedule(0);
    return worker;
  }
}

class Worker implements RunningWorker {
  private readonly sender: WebhookSender;
  private readonly aborts = new AbortController();
  private readonly running = new Set<Promise<void>>();
  private readonly leaseMs: number;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private again = false;
  private stopped = false;
  private lastDiscovery = Number.NEGATIVE_INFINITY;
  private currentTick: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
    private readonly settings: WebhookSettings,
    private readonly log: WorkerLog,
    private readonly owner: string,
    private readonly observer: DeliveryObserver,
  ) {
    this.sender = new WebhookSender(settings.timeoutMs);
    // A send never outlives its timeout, and each 2xx renews the lease, so a live holder always
    // renews before another instance may take the pair over.
    this.leaseMs = 2 * settings.timeoutMs + LEASE_MARGIN_MS;
  }

  schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.currentTick = this.tick();
    }, delayMs);
    this.timer.unref();
  }

  wake(): void {
    if (this.ticking) this.again = true;
    else this.schedule(0);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    this.ticking = true;
    try {
      const now = this.clock();
      if (now - this.lastDiscovery >= this.settings.discoverIntervalMs) {
        this.lastDiscovery = now;
        await this.store.webhooks.discoverCursors(now, DISCOVER_BATCH);
      }
      const free = this.settings.concurrency - this.running.size;
      if (free > 0) {
        const claimed = await this.store.transaction((tx) =>
          tx.webhooks.claimDue(this.owner, now, now + this.leaseMs, free),
        );
        for (const claim of claimed) {
          // Stopped while claiming: the pairs go back in line at once instead of at lease expiry.
          if (this.stopped) await this.store.webhooks.release(claim.webhook.id, claim.cursor.orgId, this.owner);
          else this.track(this.deliver(claim));
        }
      }
    } catch (error) {
      this.log.error({ err: error }, 'webhook delivery tick failed');
    } finally {
      this.ticking = false;
    }
    // With every slot busy, the next look waits for one to free (track wakes it); else it polls.
    if (this.again) {
      this.again = false;
      this.schedule(0);
    } else if (this.running.size < this.settings.concurrency) {
      this.schedule(this.settings.pollIntervalMs);
    }
  }

  private track(run: Promise<void>): void {
    const tracked = run
      .catch((error: unknown) => this.log.error({ err: error }, 'webhook delivery failed'))
      .finally(() => {
        this.running.delete(tracked);
        this.wake();
      });
    this.running.add(tracked);
  }

  /** Sends the pair's events after its cursor until it is caught up, fails, or has sent its share. */
  private async deliver(claim: ClaimedCursor): Promise<void> {
    const { webhookId, orgId } = claim.cursor;
    const streak: Streak = { attempts: claim.cursor.attempts, failingSince: claim.cursor.failingSince };
    let cursor = claim.cursor.lastCursor;
    let sent = 0;
    while (!this.stopped && sent < EVENTS_PER_LEASE) {
      // Read again per page: a disable, removal or rotation by support takes effect within a page.
      const webhook = await this.store.webhooks.get(webhookId);
      if (!webhook?.enabled) break;
      const page = await this.store.events.list(orgId, cursor, Math.min(EVENT_PAGE, EVENTS_PER_LEASE - sent));
      if (page.length === 0) break;
      for (const event of page) {
        const outcome = await this.sendOne(webhook, event, streak);
        if (outcome !== 'sent') return;
        cursor = event.cursor;
        sent++;
      }
    }
    await this.store.webhooks.release(webhookId, orgId, this.owner);
  }

  /** One attempt at one event; `streak` is the pair's failure streak, updated in place. */
  private async sendOne(
    webhook: WebhookRecord,
    event: StoredEvent,
    streak: Streak,
  ): Promise<'sent' | 'failed' | 'lost'> {
    const body = JSON.stringify(toDirectoryEvent(event));
    const at = this.clock();
    const attempt = streak.attempts + 1;
    const headers = signedHeaders(webhook, event.id, body, at);
    const result = await this.sender.send(webhook.url, headers, body, this.aborts.signal);
    if (result.aborted) {
      await this.store.webhooks.release(webhook.id, event.orgId, this.owner);
      return 'lost';
    }
    const delivery = deliveryOf(webhook, event, attempt, at, result);
    const done = this.clock();
    if (isSuccess(result)) {
      const held = await this.store.transaction(async (tx) => {
        const renewed = await tx.webhooks.advance(webhook.id, event.orgId, this.owner, {
          cursor: event.cursor,
          status: result.status ?? 0,
          at: done,
          leaseUntil: done + this.leaseMs,
        });
        // The log row only with the cursor move: a send the lease no longer covered is not ours.
        if (renewed) await tx.webhooks.appendDelivery(delivery);
        return renewed;
      });
      streak.attempts = 0;
      streak.failingSince = null;
      this.observer.attempt('delivered');
      return held ? 'sent' : 'lost';
    }
    const failingSince = streak.failingSince ?? at;
    const retry = {
      attempts: attempt,
      nextAttemptAt: done + retryDelayMs(attempt, this.settings),
      failingSince,
      lastStatus: result.status,
      lastError: result.error ?? 'failed',
      at: done,
    };
    await this.store.transaction(async (tx) => {
      if (await tx.webhooks.retryLater(webhook.id, event.orgId, this.owner, retry)) {
        await tx.webhooks.appendDelivery(delivery);
      }
    });
    this.observer.attempt('failed');
    if (streakExhausted(this.settings, failingSince, attempt, done)) {
      await this.disable(webhook, event, attempt, failingSince, result);
    }
    return 'failed';
  }

  private async disable(
    webhook: WebhookRecord,
    event: StoredEvent,
    attempts: number,
    failingSince: number,
    result: SendResult,
  ): Promise<void> {
    const reason =
      `failing since ${new Date(failingSince).toISOString()} (${attempts} attempts at event ${event.cursor} of ` +
      `organization ${event.orgId}); last error: ${result.error ?? 'none'}`;
    if (await this.store.webhooks.setEnabled(webhook.id, false, this.clock(), reason)) {
      this.log.warn({ webhookId: webhook.id, orgId: event.orgId, attempts }, 'webhook disabled after a failure streak');
      this.observer.disabled();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.aborts.abort();
    await this.currentTick;
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    this.sender.close();
  }
}

function deliveryOf(
  webhook: WebhookRecord,
  event: StoredEvent,
  attempt: number,
  at: number,
  result: SendResult,
): WebhookDeliveryRecord {
  return {
    id: uuidv7(at),
    webhookId: webhook.id,
    orgId: event.orgId,
    eventId: event.id,
    eventType: event.type,
    cursor: event.cursor,
    attempt,
    at,
    status: result.status,
    error: result.error,
    responseExcerpt: result.excerpt,
    durationMs: result.durationMs,
  };
}
