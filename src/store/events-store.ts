import type { TeamRecord, UserRecord } from './store.js';

/**
 * Directory events (issue 10): the outbox written in the transaction of the change it reports,
 * and the feed read from it. Each organization's events carry a gapless cursor 1, 2, 3, ... in
 * commit order, so a consumer that has seen cursor N has seen every event up to N, and a gap would
 * be a bug it can detect.
 */
export interface NewEvent {
  readonly orgId: string;
  /** UUIDv7: the event's identity for consumers (the webhook-id of its deliveries). */
  readonly id: string;
  readonly at: number;
  /** A product type (services/directory-events.ts EVENT_TYPES). */
  readonly type: string;
  /** Version of the `data` shape of the type: 1 today; 0 for the rows written before 0010. */
  readonly version: number;
  /** The user or team the event is about (a member event: the team). */
  readonly resourceId: string;
  /** Who made the change, as services/audit.ts Actor (null on rows written before 0010). */
  readonly actor: unknown;
  readonly requestId: string | null;
  /** The versioned body of the type: the resource as it is after the change. */
  readonly data: unknown;
}

export interface StoredEvent extends NewEvent {
  /** Position in the organization's feed: 1 for its first event, one more for each after it. */
  readonly cursor: number;
}

/** What a member event names of its team and member, read for the ids a change touched. */
export interface EventRefs {
  /** userName by user id (retained users included). */
  readonly users: ReadonlyMap<string, string>;
  readonly teams: ReadonlyMap<string, { readonly displayName: string; readonly externalId: string | null }>;
}

export interface EventOps {
  /**
   * Queues the event in the transaction; the store gives the transaction's events their cursors
   * in one statement just before it commits, so the organization's counter is held only for the
   * commit (PostgreSQL serializes the organization's commits there, never its reads or the other
   * organizations). Outside a transaction the event is written at once, in a transaction of its own.
   * Events queued in a transaction are not visible to `list` before it commits.
   */
  append(event: NewEvent): Promise<void>;
  /** Events after `afterCursor` (0: from the start), in cursor order. */
  list(orgId: string, afterCursor: number, limit: number): Promise<StoredEvent[]>;
  /** The events about one user or team, newest first, before the cursor `before` if given. */
  forResource(orgId: string, resourceId: string, limit: number, before?: number): Promise<StoredEvent[]>;
  /** The cursor of the organization's newest event (0 when it has none); pruning never lowers it. */
  lastCursor(orgId: string): Promise<number>;
  /**
   * The lowest cursor from which the feed is whole: every event from it on is kept (1 until
   * retention deleted any). A consumer whose position is below `firstCursor - 1` has missed events.
   */
  firstCursor(orgId: string): Promise<number>;
  /**
   * Deletes up to `batch` events older than `before`, all organizations, and records per
   * organization the highest cursor deleted (see `firstCursor`); returns how many.
   */
  prune(before: number, batch: number): Promise<number>;
  /**
   * The snapshot's pages: live users (never retained accounts) in id order after `afterId`, one
   * range read of the primary key per page.
   */
  pageUsers(orgId: string, afterId: string | undefined, limit: number): Promise<UserRecord[]>;
  /** Teams in id order after `afterId`, like `pageUsers`. */
  pageTeams(orgId: string, afterId: string | undefined, limit: number): Promise<TeamRecord[]>;
  /** The names member events carry, for the user and team ids a change touched: one read per chunk. */
  refs(orgId: string, userIds: readonly string[], teamIds: readonly string[]): Promise<EventRefs>;
}
