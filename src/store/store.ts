/**
 * The only door to data. Every tenant method takes `orgId` first and the store applies it outside
 * anything the client controls (filters, ids, member references), so one organization's token can
 * never reach another's rows.
 */
import type { AttrPath, Filter } from '../scim/filter/ast.js';
import type { ResourceDoc } from '../scim/resources/resource-doc.js';
import type { RateLimiter, RateLimitOptions } from './rate-limiter.js';

export type DeleteMode = 'deactivate' | 'remove';

export interface OrgRecord {
  readonly id: string;
  readonly name: string;
  readonly scimEnabled: boolean;
  readonly deleteMode: DeleteMode;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface TokenRecord {
  readonly orgId: string;
  readonly id: string;
  readonly tokenHash: string;
  readonly hint: string;
  readonly label: string | null;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
  readonly lastUsedAt: number | null;
}

export interface UserRecord {
  readonly orgId: string;
  readonly id: string;
  readonly userName: string;
  readonly externalId: string | null;
  readonly active: boolean;
  readonly scimManaged: boolean;
  /** Canonical SCIM attributes as stored (no id/meta). */
  readonly doc: ResourceDoc;
  readonly version: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface TeamRecord {
  readonly orgId: string;
  readonly id: string;
  readonly displayName: string;
  readonly externalId: string | null;
  /** Canonical SCIM attributes without members (memberships are rows). */
  readonly doc: ResourceDoc;
  readonly version: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A member as a Group renders it. */
export interface MemberRecord {
  readonly userId: string;
  readonly userName: string;
  readonly displayName: string | null;
}

/** A team a user belongs to, as the User's `groups` attribute renders it. */
export interface UserTeamRecord {
  readonly teamId: string;
  readonly displayName: string;
}

export interface LogRecord {
  readonly orgId: string;
  readonly id: string;
  readonly at: number;
  readonly requestId: string;
  readonly tokenId: string | null;
  readonly userAgent: string | null;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly resourceType: string | null;
  readonly resourceId: string | null;
  readonly summary: string | null;
  readonly errorCode: string | null;
  readonly errorDetail: string | null;
  readonly durationMs: number;
}

export interface LogQuery {
  readonly since?: number;
  readonly until?: number;
  /** Exact status, or a class: 400 with `statusClass` true means 4xx. */
  readonly status?: number;
  readonly statusClass?: boolean;
  readonly resourceId?: string;
  readonly method?: string;
  readonly limit: number;
  /** Return entries older than this log id (time-ordered ids page backwards). */
  readonly before?: string;
}

export interface EventRecord {
  readonly orgId: string;
  readonly id: string;
  readonly at: number;
  readonly type: string;
  readonly resourceId: string;
  readonly payload: unknown;
}

/** A checked list request: the store compiles `filter`/`sortBy` to SQL or throws invalidFilter. */
export interface ListQuery {
  readonly filter?: Filter;
  readonly sortBy?: AttrPath;
  readonly sortOrder: 'ascending' | 'descending';
  /** 0-based offset (SCIM startIndex - 1). */
  readonly offset: number;
  readonly limit: number;
  /**
   * The match count from an earlier read of the same filter: a page read in chunks counts once,
   * on its first chunk, and later chunks skip the COUNT. Returned as `total` unchanged.
   */
  readonly knownTotal?: number;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
  /** Characters of the stored documents of `items`, so a reader can size its next chunk by weight. */
  readonly docChars?: number;
}

/** Operations available both outside and inside a transaction. */
export interface StoreOps {
  insertOrg(org: OrgRecord): Promise<void>;
  getOrg(orgId: string): Promise<OrgRecord | undefined>;
  listOrgs(): Promise<OrgRecord[]>;
  updateOrg(org: OrgRecord): Promise<void>;

  insertToken(token: TokenRecord): Promise<void>;
  /** The token and its organization in one round trip: this runs on every SCIM request. */
  findTokenWithOrg(tokenHash: string): Promise<{ token: TokenRecord; org: OrgRecord } | undefined>;
  /** Tokens are looked up by id alone for revocation by support (ids are globally unique). */
  findTokenById(tokenId: string): Promise<TokenRecord | undefined>;
  listTokens(orgId: string): Promise<TokenRecord[]>;
  revokeToken(orgId: string, tokenId: string, at: number): Promise<void>;
  touchToken(orgId: string, tokenId: string, at: number): Promise<void>;

  /** Throws UniqueViolation('userName' | 'externalId'). */
  insertUser(user: UserRecord): Promise<void>;
  /**
   * Writes `user` if the stored version is still `expectedVersion`; throws ConcurrentUpdate
   * otherwise and UniqueViolation on a clash.
   */
  updateUser(user: UserRecord, expectedVersion: number): Promise<void>;
  deleteUser(orgId: string, userId: string): Promise<boolean>;
  /** `lock` holds the row until the transaction ends, for a read that precedes a write. */
  getUser(orgId: string, userId: string, options?: { lock?: boolean }): Promise<UserRecord | undefined>;
  /** Users of the organization whose userName (ignoring case) or work e-mail matches. */
  findUsersByUserNameOrWorkEmail(orgId: string, userName: string, workEmails: readonly string[]): Promise<UserRecord[]>;
  listUsers(orgId: string, query: ListQuery): Promise<Page<UserRecord>>;

  /** Throws UniqueViolation('externalId'). */
  insertTeam(team: TeamRecord): Promise<void>;
  /** Like updateUser: optimistic on `expectedVersion`. */
  updateTeam(team: TeamRecord, expectedVersion: number): Promise<void>;
  /** Removes the team and its memberships (never the users). */
  deleteTeam(orgId: string, teamId: string): Promise<boolean>;
  getTeam(orgId: string, teamId: string, options?: { lock?: boolean }): Promise<TeamRecord | undefined>;
  listTeams(orgId: string, query: ListQuery): Promise<Page<TeamRecord>>;

  /**
   * Which of `userIds` are users of the organization (one indexed lookup per chunk of ids). Inside a
   * transaction the users found stay until it ends (PostgreSQL: FOR KEY SHARE), so they can be
   * referenced safely.
   */
  existingUserIds(orgId: string, userIds: readonly string[]): Promise<Set<string>>;
  /** Adds memberships; returns the user ids that were not members before. */
  addMembers(orgId: string, teamId: string, userIds: readonly string[], at: number): Promise<string[]>;
  /** Removes memberships; returns the user ids that were members. */
  removeMembers(orgId: string, teamId: string, userIds: readonly string[]): Promise<string[]>;
  /** Removes every membership of the team; returns the removed user ids. */
  removeAllMembers(orgId: string, teamId: string): Promise<string[]>;
  /** All member ids: only for a full replacement of the list, which must know the old one. */
  memberIds(orgId: string, teamId: string): Promise<string[]>;
  /** One page of members in user-id order, after `afterUserId` (keyset paging). */
  pageMembers(orgId: string, teamId: string, afterUserId: string | undefined, limit: number): Promise<MemberRecord[]>;
  /** The teams of each of `userIds`, in one query per chunk (never one per user). */
  teamsOfUsers(orgId: string, userIds: readonly string[]): Promise<Map<string, UserTeamRecord[]>>;

  appendLog(entry: LogRecord): Promise<void>;
  queryLog(orgId: string, query: LogQuery): Promise<LogRecord[]>;
  /** Deletes up to `batch` log entries older than `before`, all organizations; returns how many. */
  pruneLog(before: number, batch: number): Promise<number>;

  appendEvent(event: EventRecord): Promise<void>;
  listEvents(orgId: string, after: string | undefined, limit: number): Promise<EventRecord[]>;
}

export interface Store extends StoreOps {
  readonly dialect: 'sqlite' | 'postgres';
  /** Runs `fn` in one transaction: every write in it commits together or not at all. */
  transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T>;
  /** A per-key request limiter whose counters every instance on this database shares. */
  rateLimiter(options: RateLimitOptions): RateLimiter;
  /** Cheapest round trip to the database, for readiness probes. */
  ping(): Promise<void>;
  /** Applies pending migrations (safe to run on every start). */
  migrate(): Promise<void>;
  close(): Promise<void>;
}
