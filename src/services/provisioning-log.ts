import type { LogQuery, LogRecord, Store, StoreOps } from '../store/store.js';
import { uuidv7 } from './ids.js';
import type { RequestContext } from './request-context.js';
import { ServiceError } from './service-error.js';

/** Longest summary or error detail kept per entry: a log row must stay small at a million users. */
const MAX_TEXT = 1000;
const PRUNE_BATCH = 5000;

const clip = (text: string | undefined): string | null =>
  text === undefined ? null : text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;

/** `filter=userName%20eq%20%22x%22` reads as `filter=userName eq "x"` in the log. */
function readablePath(path: string): string {
  try {
    return decodeURIComponent(path.replace(/\+/g, ' '));
  } catch {
    return path;
  }
}

export interface LogOutcome {
  readonly status: number;
  readonly errorCode?: string;
  readonly errorDetail?: string;
}

/**
 * The provisioning log: one entry per SCIM request that reached an organization, so support can
 * answer "why did this user not sync?" from our side. Never the token, never a request body.
 */
export class ProvisioningLog {
  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
  ) {}

  entry(ctx: RequestContext, outcome: LogOutcome): LogRecord {
    const now = this.clock();
    return {
      orgId: ctx.org.id,
      id: uuidv7(ctx.startedAt),
      at: ctx.startedAt,
      requestId: ctx.requestId,
      tokenId: ctx.tokenId,
      userAgent: ctx.userAgent === null ? null : ctx.userAgent.slice(0, 300),
      method: ctx.method,
      path: readablePath(ctx.path).slice(0, 2000),
      status: outcome.status,
      resourceType: ctx.outcome.resourceType ?? null,
      resourceId: ctx.outcome.resourceId ?? null,
      summary: clip(ctx.outcome.summary),
      errorCode: outcome.errorCode ?? null,
      errorDetail: clip(outcome.errorDetail),
      durationMs: Math.max(0, now - ctx.startedAt),
    };
  }

  /** Inside the transaction of the change it records: both commit or neither does. */
  async recordInTransaction(tx: StoreOps, ctx: RequestContext, status: number): Promise<void> {
    await tx.appendLog(this.entry(ctx, { status }));
    ctx.logged = true;
  }

  /**
   * When the response is sent, for requests whose service did not log: reads, and every error
   * (an error means the transaction that held the service's entry rolled back).
   */
  async record(ctx: RequestContext, outcome: LogOutcome): Promise<void> {
    if (ctx.logged && outcome.status < 400) return;
    ctx.logged = true;
    if (outcome.status === 429) {
      const kept = this.refusals.admit(ctx.tokenId ?? ctx.org.id, this.clock());
      if (kept === undefined) return;
      if (kept > 0) {
        const detail = `${outcome.errorDetail ?? ''} (and ${kept} more 429 answer${kept === 1 ? '' : 's'} to this token since the last one logged, not logged one by one)`;
        outcome = { ...outcome, errorDetail: detail };
      }
    }
    await this.store.appendLog(this.entry(ctx, outcome));
  }

  private readonly refusals = new RefusalSampler();

  /** Deletes entries older than `retentionMs`, in batches; returns how many went. */
  async prune(retentionMs: number): Promise<number> {
    const before = this.clock() - retentionMs;
    let total = 0;
    for (;;) {
      const deleted = await this.store.pruneLog(before, PRUNE_BATCH);
      total += deleted;
      if (deleted < PRUNE_BATCH) return total;
    }
  }

  async query(orgId: string, query: LogQuery): Promise<LogRecord[]> {
    const org = await this.store.getOrg(orgId);
    if (!org) throw new ServiceError('notFound', `No organization with id ${orgId}`);
    return this.store.queryLog(orgId, query);
  }
}

/**
 * Refusals (429: rate limit, tenant bulkhead) are logged one by one up to
 * {@link REFUSALS_LOGGED_PER_SECOND} per token per second; past that, the next logged one carries
 * the count of those skipped. A client hammering past its limit must not turn every refused
 * request into a database write, which would make a refusal cost what it refuses. Per process;
 * keys unused for a minute are forgotten, so memory stays bounded.
 */
class RefusalSampler {
  private readonly windows = new Map<string, { start: number; logged: number; skipped: number }>();

  /** undefined: do not log this one; a number: log it, noting how many were skipped before it. */
  admit(key: string, now: number): number | undefined {
    let window = this.windows.get(key);
    if (window === undefined || now - window.start >= 1000) {
      if (window === undefined && this.windows.size >= 10_000) this.forgetIdle(now);
      const skipped = window?.skipped ?? 0;
      window = { start: now, logged: 0, skipped: 0 };
      this.windows.set(key, window);
      window.logged++;
      return skipped;
    }
    if (window.logged < REFUSALS_LOGGED_PER_SECOND) {
      window.logged++;
      return 0;
    }
    window.skipped++;
    return undefined;
  }

  private forgetIdle(now: number): void {
    for (const [key, window] of this.windows) if (now - window.start > 60_000) this.windows.delete(key);
  }
}

const REFUSALS_LOGGED_PER_SECOND = 5;
