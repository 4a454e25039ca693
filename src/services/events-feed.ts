import { invalidValue, ScimError } from '../scim/scim-error.js';
import type { StoredEvent } from '../store/events-store.js';
import type { Store } from '../store/store.js';
import { type DirectoryEvent, toDirectoryEvent } from './directory-events.js';
import { limitParam, requiredParam, wholeParam } from './feed-params.js';
import { orgNotFound } from './org-not-found.js';

/** Events per feed page unless `limit` says otherwise, and the most one page holds. */
export const FEED_DEFAULT_LIMIT = 100;
export const FEED_MAX_LIMIT = 1000;
/**
 * Characters of event JSON after which a page takes no further event (at least one is always
 * sent): a page of 1,000 large users is never built whole. `hasMore` says the rest follows.
 */
export const FEED_MAX_PAGE_CHARS = 4 * 1024 * 1024;
/** Rows per store read while a page is filled. */
const READ_CHUNK = 100;
/** Rows per statement when retention deletes events. */
const PRUNE_BATCH = 5000;

export interface FeedPage {
  readonly events: readonly DirectoryEvent[];
  /** The cursor to pass as `after` for the next page: the last event's, or `after` when none. */
  readonly next: number;
  /** Whether events after `next` exist already. */
  readonly hasMore: boolean;
}

/**
 * The organization's directory events in cursor order (docs/events.md "Feed"). Cursors are
 * gapless and given in commit order, so "everything after N" is exactly what a consumer at N has
 * not seen; one that fell behind retention is told so (410) rather than silently skipped ahead.
 */
export class EventsFeed {
  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
  ) {}

  /** `GET /api/v1/events?org=&after=&limit=`, its parameters as the query string gave them. */
  async read(query: Readonly<Record<string, unknown>>): Promise<FeedPage> {
    const orgId = requiredParam(query, 'org', 'events.org');
    const after = wholeParam(query, 'after', 0, 0, 'events.after');
    const limit = limitParam(query, FEED_DEFAULT_LIMIT, FEED_MAX_LIMIT, 'events.limit');
    return this.page(orgId, after, limit);
  }

  async page(orgId: string, after: number, limit: number): Promise<FeedPage> {
    if (!(await this.store.getOrg(orgId))) throw orgNotFound(orgId);
    const last = await this.store.events.lastCursor(orgId);
    if (after > last) {
      throw invalidValue(
        `"after" is ${after} but the organization's newest event is ${last}; pass a cursor this feed returned`,
        'events.cursorAhead',
      );
    }
    const page = await this.fill(orgId, after, limit);
    // Read after the rows: a prune that ran meanwhile is seen here, so a page it cut short is refused.
    const first = await this.store.events.firstCursor(orgId);
    if (after < first - 1) throw cursorExpired(after, first);
    return page;
  }

  /** A user's or team's own events, newest first (the console's user and team pages). */
  async forResource(
    orgId: string,
    resourceId: string,
    options: { readonly limit?: number; readonly before?: number } = {},
  ): Promise<DirectoryEvent[]> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), FEED_MAX_LIMIT);
    const rows = await this.store.events.forResource(orgId, resourceId, limit, options.before);
    return rows.map(toDirectoryEvent);
  }

  /** Deletes events older than the retention period, all organizations; returns how many. */
  async prune(retentionMs: number): Promise<number> {
    const before = this.clock() - retentionMs;
    let total = 0;
    for (;;) {
      const deleted = await this.store.events.prune(before, PRUNE_BATCH);
      total += deleted;
      if (deleted < PRUNE_BATCH) return total;
    }
  }

  private async fill(orgId: string, after: number, limit: number): Promise<FeedPage> {
    const events: DirectoryEvent[] = [];
    let next = after;
    let chars = 0;
    for (;;) {
      const want = Math.min(READ_CHUNK, limit - events.length);
      // One more than wanted: whether it exists is `hasMore`.
      const rows: StoredEvent[] = await this.store.events.list(orgId, next, want + 1);
      for (const row of rows.slice(0, want)) {
        const event = toDirectoryEvent(row);
        const size = JSON.stringify(event).length;
        if (events.length > 0 && chars + size > FEED_MAX_PAGE_CHARS) return { events, next, hasMore: true };
        events.push(event);
        chars += size;
        next = row.cursor;
      }
      if (rows.length <= want) return { events, next, hasMore: false };
      if (events.length >= limit) return { events, next, hasMore: true };
    }
  }
}

function cursorExpired(after: number, first: number): ScimError {
  return new ScimError(
    410,
    `Events after cursor ${after} are no longer kept (retention starts at ${first}); start again from a snapshot (GET /api/v1/snapshot)`,
    undefined,
    'events.cursorExpired',
  );
}
