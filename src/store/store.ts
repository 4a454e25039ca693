/**
 * The only door to data. Every tenant method takes `orgId` first and the store applies it outside
 * anything the client controls (filters, ids, member references), so one organization's token can
 * never reach another's rows.
 */
import type { CheckedFilter } from '../scim/filter/check-filter.js';
import type { CheckedSortBy } from '../scim/list-check.js';
import type { ResourceDoc } from '../scim/resource-doc.js';
import type { AuditTrailOps } from './audit-trail-store.js';
import type { EventOps } from './events-store.js';
import type { LogErrorCount, LogFigures, LogQuery, LogRecord, LogWindow } from './log-records.js';
import type { MigrationLevel } from './migrate.js';
import type { RateLimiter, RateLimitOptions } from './rate-limiter.js';
import type { ServiceKeyOps } from './service-keys-store.js';
import type { StaffOps } from './staff-store.js';
import type { MemberRecord, TeamNestingCheck, TeamPathStep, UserTeamRecord } from './team-records.js';
import type { WebhookOps } from './webhooks-store.js';

export type { LogErrorCount, LogFigures, LogQuery, LogRecord, LogWindow } from './log-records.js';
export type { MigrationLevel } from './migrate.js';
export {
  type MemberRecord,
  memberIdOf,
  type TeamMemberRecord,
  type TeamNestingCheck,
  type TeamPathStep,
  type UserMemberRecord,
  type UserTeamRecord,
} from './team-records.js';

/**
 * What a SCIM DELETE of a user does to the Parallel account behind it (RFC 7644 §3.6 either way:
 * the SCIM resource is gone). `retain` keeps the account, deactivated and unlinked; `erase` removes
 * it and its memberships.
 */
export type DeleteMode = 'retain' | 'erase';

/**
 * The setting named as support types it or as any version stored it: before 0007-retained-users.ts
 * `retain` was `deactivate` and `erase` was `remove`, and a server of that version may still write
 * those during an upgrade. Undefined for anything else.
 */
export function deleteModeOf(name: string): DeleteMode | undefined {
  return DELETE_MODE_NAMES[name.trim().toLowerCase()];
}

const DELETE_MODE_NAMES: Readonly<Record<string, DeleteMode>> = {
  retain: 'retain',
  deactivate: 'retain',
  erase: 'erase',
  remove: 'erase',
};

export interface OrgRecord {
  readonly id: string;
  readonly name: string;
  readonly scimEnabled: boolean;
  readonly deleteMode: DeleteMode;
  readonly createdAt: number;
  readonly updatedAt: number;
  /**
   * The main application's own id for the organization, unique among organizations (the store
   * throws UniqueViolation('externalRef')). Absent or null: none set.
   */
  readonly externalRef?: string | null;
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

/** The bounds of one count of ending tokens (tokenExpiryCounts; services/token-expiry.ts). */
export interface ExpiryWindow {
  readonly now: number;
  /** Live tokens ending in (now, soonUntil] are "expiring". */
  readonly soonUntil: number;
  /** Unrevoked tokens that ended in (recentSince, now] are "expired recently". */
  readonly recentSince: number;
}

export interface TokenExpiryCounts {
  readonly expiring: number;
  readonly expiredRecently: number;
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
  /**
   * When the IdP deleted the user and the organization retains accounts: the row stays, invisible
   * to SCIM, until a create for the same person links it back. Absent or null: a live user.
   */
  readonly deletedAt?: number | null;
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

/**
 * A list request the core has checked (scim/list-request.ts checkListRequest): the store compiles
 * `filter`/`sortBy` to SQL, or throws NotFilterable / NotSortable (store-errors.ts) for an
 * attribute it keeps no column for. Rows, 0-based: the SCIM request (1-based) is ListRequest.
 */
export interface RowsQuery {
  readonly filter?: CheckedFilter;
  readonly sortBy?: CheckedSortBy;
  readonly sortOrder: 'ascending' | 'descending';
  /** 0-based offset (SCIM startIndex - 1). */
  readonly offset: number;
  readonly limit: number;
  /**
   * The match count from an earlier read of the same filter: a page read in chunks counts once,
   * on its first chunk, and later chunks skip the COUNT. Returned as `total` unchanged.
   */
  readonly knownTotal?: number;
  /** Users only: include users the IdP deleted whose accounts are retained (support's view, never SCIM). */
  readonly withDeleted?: boolean;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
  /** Characters of the stored documents of `items`, so a reader can size its next chunk by weight. */
  readonly docChars?: number;
}

/** Operations available both outside and inside a transaction. */
export interface StoreOps {
  /*
   * Beyond SCIM, each area is its own sub-store (one file of operations each: events-store.ts,
   * ...), reached the same way inside and outside a transaction: `tx.events.append(...)`.
   */
  readonly events: EventOps;
  readonly serviceKeys: ServiceKeyOps;
  readonly webhooks: WebhookOps;
  readonly auditTrail: AuditTrailOps;
  readonly staff: StaffOps;

  insertOrg(org: OrgRecord): Promise<void>;
  getOrg(orgId: string): Promise<OrgRecord | undefined>;
  /** Organizations in id order after `afterId` (keyset: one primary-key range read per page). */
  listOrgs(page: { readonly afterId?: string; readonly limit: number }): Promise<OrgRecord[]>;
  /** Throws UniqueViolation('externalRef') when another organization holds the external ref. */
  updateOrg(org: OrgRecord): Promise<void>;
  /**
   * Organizations whose id or external ref is `value`, or whose name is `value` ignoring case:
   * index lookups only, at most `limit`.
   */
  findOrgs(value: string, limit: number): Promise<OrgRecord[]>;
  /**
   * Offboarding: deletes up to `batch` of the organization's rows (its tables one at a time,
   * children first, the organization row once the rest is gone) in one short statement; returns
   * how many went, 0 once the organization is gone. Call it outside a transaction, repeatedly.
   */
  purgeOrg(orgId: string, batch: number): Promise<number>;

  insertToken(token: TokenRecord): Promise<void>;
  /** The token and its organization in one round trip: this runs on every SCIM request. */
  findTokenWithOrg(tokenHash: string): Promise<{ token: TokenRecord; org: OrgRecord } | undefined>;
  /** Tokens are looked up by id alone for revocation by support (ids are globally unique). */
  findTokenById(tokenId: string): Promise<TokenRecord | undefined>;
  listTokens(orgId: string): Promise<TokenRecord[]>;
  revokeToken(orgId: string, tokenId: string, at: number): Promise<void>;
  touchToken(orgId: string, tokenId: string, at: number): Promise<void>;
  /** Sets when the token stops authenticating (a rotated token's grace). */
  expireToken(orgId: string, tokenId: string, at: number): Promise<void>;
  /** Revokes every token of the organization not revoked yet; returns how many. */
  revokeOrgTokens(orgId: string, at: number): Promise<number>;
  /**
   * Unrevoked tokens of all organizations ending in (now, soonUntil] and in (recentSince, now],
   * not counting a token replaced by a newer live one of its organization and label that
   * outlives it (services/token-expiry.ts): one indexed range read.
   */
  tokenExpiryCounts(window: ExpiryWindow): Promise<TokenExpiryCounts>;

  /** Throws UniqueViolation('userName' | 'externalId'). */
  insertUser(user: UserRecord): Promise<void>;
  /**
   * Writes `user` if the stored version is still `expectedVersion`; throws ConcurrentUpdate
   * otherwise and UniqueViolation on a clash. `previous`, the record as read at that version,
   * lets the store leave out what did not change (an index entry written again costs a page).
   */
  updateUser(user: UserRecord, expectedVersion: number, previous?: UserRecord): Promise<void>;
  deleteUser(orgId: string, userId: string): Promise<boolean>;
  /**
   * A live user (never a retained one unless `withDeleted`). `lock` holds the row until the
   * transaction ends, for a read that precedes a write.
   */
  getUser(
    orgId: string,
    userId: string,
    options?: { lock?: boolean; withDeleted?: boolean },
  ): Promise<UserRecord | undefined>;
  /**
   * Users of the organization whose userName (ignoring case) or work e-mail matches, retained
   * ones included: they are who a create may link back.
   */
  findUsersByUserNameOrWorkEmail(orgId: string, userName: string, workEmails: readonly string[]): Promise<UserRecord[]>;
  listUsers(orgId: string, query: RowsQuery): Promise<Page<UserRecord>>;
  /**
   * Support's list (the console): users, retained ones included, newest first (ids are
   * time-ordered), those after `afterId` in that order: one primary-key range read per page, no count.
   */
  newestUsers(orgId: string, page: { readonly afterId?: string; readonly limit: number }): Promise<UserRecord[]>;
  /**
   * Support's lookup: users whose userName or any e-mail is `value` ignoring case, or whose
   * externalId is `value` exactly; retained accounts included; index lookups only, at most `limit`.
   */
  findUsers(orgId: string, value: string, limit: number): Promise<UserRecord[]>;

  /** Throws UniqueViolation('externalId'). */
  insertTeam(team: TeamRecord): Promise<void>;
  /** Like updateUser: optimistic on `expectedVersion`. */
  updateTeam(team: TeamRecord, expectedVersion: number): Promise<void>;
  /**
   * Removes the team and its memberships, both the members it holds and its places in other teams
   * (never the users). Read `removeTeamFromParents` first to learn which teams it left.
   */
  deleteTeam(orgId: string, teamId: string): Promise<boolean>;
  getTeam(orgId: string, teamId: string, options?: { lock?: boolean }): Promise<TeamRecord | undefined>;
  listTeams(orgId: string, query: RowsQuery): Promise<Page<TeamRecord>>;

  /**
   * Which of `userIds` are live users of the organization (one indexed lookup per chunk of ids).
   * Inside a transaction the users found stay until it ends (PostgreSQL: FOR SHARE, which a
   * DELETE, erase or retain, waits for), so they can be referenced safely.
   */
  existingUserIds(orgId: string, userIds: readonly string[]): Promise<Set<string>>;
  /** Adds memberships; returns the user ids that were not members before. */
  addMembers(orgId: string, teamId: string, userIds: readonly string[], at: number): Promise<string[]>;
  /** Removes memberships; returns the user ids that were members. */
  removeMembers(orgId: string, teamId: string, userIds: readonly string[]): Promise<string[]>;
  /**
   * Removes every team membership of the user, each team getting a new version (its member list
   * changed); returns the ids of the teams it left.
   */
  removeUserFromTeams(orgId: string, userId: string, at: number): Promise<string[]>;
  /** Removes every membership of the team; returns the removed user ids. */
  removeAllMembers(orgId: string, teamId: string): Promise<string[]>;
  /** All member ids: only for a full replacement of the list, which must know the old one. */
  memberIds(orgId: string, teamId: string): Promise<string[]>;
  /**
   * One page of members, users and nested teams together in id order, after `afterId` (keyset
   * paging: one indexed range read per kind, whatever the team size).
   */
  pageMembers(orgId: string, teamId: string, afterId: string | undefined, limit: number): Promise<MemberRecord[]>;
  /**
   * The teams of each of `userIds`, direct and indirect (through nested teams, at most
   * MAX_TEAM_NESTING_DEPTH steps up), in team-id order: one query per chunk, never one per user.
   */
  teamsOfUsers(orgId: string, userIds: readonly string[]): Promise<Map<string, UserTeamRecord[]>>;

  /**
   * Which of `teamIds` are teams of the organization (one indexed lookup per chunk). Inside a
   * transaction the teams found stay until it ends (PostgreSQL: FOR KEY SHARE), like
   * `existingUserIds`.
   */
  existingTeamIds(orgId: string, teamIds: readonly string[]): Promise<Set<string>>;
  /** Nests teams in `teamId`; returns the ids that were not members before. Check the nesting first. */
  addTeamMembers(orgId: string, teamId: string, memberTeamIds: readonly string[], at: number): Promise<string[]>;
  /** Removes nested teams; returns the ids that were members. */
  removeTeamMembers(orgId: string, teamId: string, memberTeamIds: readonly string[]): Promise<string[]>;
  /** Removes every nested team of the team; returns their ids. */
  removeAllTeamMembers(orgId: string, teamId: string): Promise<string[]>;
  /** All nested team ids: only for a full replacement of the list, like `memberIds`. */
  teamMemberIds(orgId: string, teamId: string): Promise<string[]>;
  /**
   * Takes the team out of every team that holds it, each of those getting a new version; returns
   * their ids.
   */
  removeTeamFromParents(orgId: string, teamId: string, at: number): Promise<string[]>;
  /**
   * Serializes changes to the organization's nesting until the transaction ends. A cycle can close
   * through teams that no single change touches (A⊃B and C⊃D committed, then B⊃C and D⊃A at once),
   * so locking the two teams of each change cannot keep cycles out; one lock per organization can.
   * SQLite needs none (BEGIN IMMEDIATE already serializes writers).
   */
  lockTeamNesting(orgId: string): Promise<void>;
  /** What nesting `memberTeamIds` in `teamId` would do: one bounded recursive query per chunk. */
  checkTeamNesting(orgId: string, teamId: string, memberTeamIds: readonly string[]): Promise<TeamNestingCheck>;
  /**
   * A shortest chain from `fromTeamId` down to `toTeamId`, both included, when it is `steps` long
   * (as `checkTeamNesting` reported it); empty when there is none.
   */
  teamNestingPath(orgId: string, fromTeamId: string, toTeamId: string, steps: number): Promise<TeamPathStep[]>;

  /** Entries in one statement per chunk: a change's one entry, or a batch of reads and refusals. */
  appendLogs(entries: readonly LogRecord[]): Promise<void>;
  queryLog(orgId: string, query: LogQuery): Promise<LogRecord[]>;
  /** One entry by its id (the console's detail page). */
  getLog(orgId: string, id: string): Promise<LogRecord | undefined>;
  /** Deletes up to `batch` log entries older than `before`, all organizations; returns how many. */
  pruneLog(before: number, batch: number): Promise<number>;
  /** One organization's figures over the window: one range read of its newest entries by (org_id, at). */
  logFigures(orgId: string, window: LogWindow): Promise<LogFigures>;
  /** The `limit` most frequent error codes among the same entries, most frequent first. */
  logErrorCounts(orgId: string, window: LogWindow, limit: number): Promise<LogErrorCount[]>;
  /**
   * Figures of every organization with entries in the window, in one grouped query over the
   * newest `cap` entries of all organizations together (by time, the retention index).
   */
  logFiguresByOrg(window: LogWindow): Promise<LogFigures[]>;
}

export interface CredentialsVersion {
  readonly stamp: string;
  readonly complete: boolean;
}

export interface Store extends StoreOps {
  readonly dialect: 'sqlite' | 'postgres';
  /** Runs `fn` in one transaction: every write in it commits together or not at all. */
  transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T>;
  /** A per-key request limiter whose counters every instance on this database shares. */
  rateLimiter(options: RateLimitOptions): RateLimiter;
  /**
   * Changes whenever a token or an organization may have changed, without a round trip: at once
   * for writes through this store (again after their commit), and on SQLite for a commit by any
   * other process on the file. `complete` is false where other instances' writes cannot be seen
   * (PostgreSQL): what is cached against it must also age out.
   */
  credentialsVersion(): CredentialsVersion;
  /** Cheapest round trip to the database, for readiness probes. */
  ping(): Promise<void>;
  /**
   * Applies pending migrations (safe to run on every start); returns the names of those this call
   * applied.
   */
  migrate(): Promise<readonly string[]>;
  /** Names of the migrations this store's `migrate` calls applied (what this start did). */
  readonly migrationsApplied: readonly string[];
  /** The schema's migration level as the database records it now (one small read). */
  migrationLevel(): Promise<MigrationLevel>;
  /**
   * SQLite: a consistent online copy of the database in the new file `target` (or over it if
   * `replace`), checked before it takes that name (sqlite/sqlite-backup.ts). Throws BackupRefused
   * when no copy was made; on PostgreSQL always (pg_dump copies it, docs/operations.md).
   */
  backupTo(target: string, options: { readonly replace: boolean }): Promise<BackupCopy>;
  close(): Promise<void>;
}

/** A finished backup as read back from the copy itself. */
export interface BackupCopy {
  readonly path: string;
  readonly bytes: number;
  /** `ok`, or what SQLite's integrity_check found (such a copy is never kept). */
  readonly integrity: string;
  /** The last migration applied in the copy: what a server restoring it needs at least. */
  readonly migrationLevel: string | null;
  readonly organizations: number;
  /** Live users (retained ones, deleted by their IdP, not counted). */
  readonly users: number;
  /** Steps of the online backup, and how many times a commit elsewhere made it start over. */
  readonly steps: number;
  readonly restarts: number;
}
