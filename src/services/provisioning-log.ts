import { INDEXED_MAX_LENGTH } from '../scim/limits.js';
import type { LogQuery, LogRecord, Store, StoreOps } from '../store/store.js';
import { type Audit, type Change, tokenIdOf } from './audit.js';
import { uuidv7 } from './ids.js';
import { LogBatch, type LogBatchFailure } from './log-batch.js';
import { orgNotFound } from './org-not-found.js';

/** Longest summary or error detail kept per entry: a log row must stay small at a million users. */
const MAX_TEXT = 1000;
/**
 * Longest subject name or externalId kept: INDEXED_MAX_LENGTH, the most a valid one holds, so a
 * search by a stored value matches; a refused body's 10 MB userName must not reach an index.
 */
const MAX_SUBJECT = INDEXED_MAX_LENGTH;
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

/** Longest path kept per entry. */
const MAX_PATH = 2000;

/**
 * A path past `max` loses its middle, never its end: a filter's value (`userName eq "jane"`) sits
 * at the end of the query, and it is what support searches the log for.
 */
export function clipMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  // By code point, so no surrogate pair is split (the driver would store U+FFFD).
  const points = Array.from(text);
  if (points.length <= max) return text;
  const head = Math.floor((max - 1) / 3);
  return `${points.slice(0, head).join('')}…${points.slice(points.length - (max - 1 - head)).join('')}`;
}

/** How a request ended, for its log entry: the status answered and, on an error, its code. */
export interface LogOutcome {
  readonly status: number;
  readonly errorCode?: string;
  readonly errorDetail?: string;
}

/** What the entry says the request was about: the change, or for a failure the resource it named. */
export type LogSubject = Pick<Change, 'resourceType' | 'resourceId' | 'name' | 'externalId'> & {
  readonly summary?: string | null;
};

function clipSubject(value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (value.length <= MAX_SUBJECT) return value;
  // Never half a surrogate pair: a lone one is not text, and the driver would store U+FFFD.
  const cut = value.charCodeAt(MAX_SUBJECT - 1) >= 0xd800 && value.charCodeAt(MAX_SUBJECT - 1) < 0xdc00;
  return value.slice(0, cut ? MAX_SUBJECT - 1 : MAX_SUBJECT);
}

/**
 * The provisioning log: one entry per SCIM request that reached an organization, so support can
 * answer "why did this user not sync?" from our side. Never the token, never a request body.
 */
export class ProvisioningLog {
  private readonly batch: LogBatch;

  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
  ) {
    this.batch = new LogBatch((entries) => store.appendLogs(entries));
  }

  /** Where a batch of entries that could not be written is reported (the server's metric and log). */
  onWriteFailure(listener: LogBatchFailure): void {
    this.batch.onWriteFailure(listener);
  }

  /**
   * Writes the entries still held in memory (at most LOG_BATCH_DELAY_MS old): before a read of
   * the log in this process, and before the store closes.
   */
  flush(): Promise<void> {
    return this.batch.flush();
  }

  private entry(audit: Audit, subject: LogSubject | undefined, outcome: LogOutcome): LogRecord {
    const now = this.clock();
    const { origin } = audit;
    return {
      orgId: audit.org.id,
      id: uuidv7(origin.startedAt),
      at: origin.startedAt,
      requestId: audit.requestId,
      tokenId: tokenIdOf(audit),
      userAgent: audit.userAgent === null ? null : audit.userAgent.slice(0, 300),
      method: origin.method,
      path: clipMiddle(readablePath(origin.path), MAX_PATH),
      status: outcome.status,
      resourceType: subject?.resourceType ?? null,
      resourceId: subject?.resourceId ?? null,
      summary: clip(subject?.summary ?? undefined),
      errorCode: outcome.errorCode ?? null,
      errorDetail: clip(outcome.errorDetail),
      durationMs: Math.max(0, now - origin.startedAt),
      subjectName: clipSubject(subject?.name),
      subjectExternalId: clipSubject(subject?.externalId),
    };
  }

  /**
   * A change's entry, inside the change's transaction: both commit or neither does. `status` is
   * what the use case's success means in SCIM (201 created, 204 nothing to return, 200).
   */
  async recordInTransaction(
    tx: StoreOps,
    audit: Audit,
    change: Omit<Change, 'logged'>,
    status: number,
  ): Promise<Change> {
    await tx.appendLogs([this.entry(audit, change, { status })]);
    return { ...change, logged: true };
  }

  /**
   * When the response is sent: reads (with the change they returned), and every error (an error
   * means the transaction that held the use case's entry rolled back), with what the request named.
   * Batched (log-batch.ts): written within LOG_BATCH_DELAY_MS, and before any read of the log here.
   */
  async record(audit: Audit, subject: LogSubject | undefined, outcome: LogOutcome): Promise<void> {
    if (outcome.status === 429) {
      const kept = this.refusals.admit(tokenIdOf(audit) ?? audit.org.id, this.clock());
      if (kept === undefined) return;
      if (kept > 0) {
        const detail = `${outcome.errorDetail ?? ''} (and ${kept} more 429 answer${kept === 1 ? '' : 's'} to this token since the last one logged, not logged one by one)`;
        outcome = { ...outcome, errorDetail: detail };
      }
    }
    await this.batch.add(this.entry(audit, subject, outcome));
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
    await this.flush();
    const org = await this.store.getOrg(orgId);
    if (!org) throw orgNotFound(orgId);
    return this.store.queryLog(orgId, query);
  }

  /** One entry, for the console's detail page; undefined when the organization has none by that id. */
  async get(orgId: string, id: string): Promise<LogRecord | undefined> {
    await this.flush();
    const org = await this.store.getOrg(orgId);
    if (!org) throw orgNotFound(orgId);
    return this.store.getLog(orgId, id);
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
