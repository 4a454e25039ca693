import type { Kysely, Transaction } from 'kysely';
import type { AuditTrailOps } from '../audit-trail-store.js';
import type { ServiceKeyOps } from '../service-keys-store.js';
import type { StaffOps } from '../staff-store.js';
import type {
  ExpiryWindow,
  LogErrorCount,
  LogFigures,
  LogQuery,
  LogRecord,
  LogWindow,
  MemberRecord,
  OrgRecord,
  Page,
  RowsQuery,
  StoreOps,
  TeamNestingCheck,
  TeamPathStep,
  TeamRecord,
  TokenExpiryCounts,
  TokenRecord,
  UserRecord,
  UserTeamRecord,
} from '../store.js';
import type { WebhookOps } from '../webhooks-store.js';
import { SqlAuditTrail } from './audit-trail-table.js';
import type { CredentialWrites } from './credential-writes.js';
import type { Database } from './db-schema.js';
import * as events from './events-table.js';
import { ListPositions, type ListWrites } from './list-positions.js';
import {
  addMemberRows,
  memberRowIds,
  removeAllMemberRows,
  removeMemberRows,
  TEAM_MEMBERS,
  USER_MEMBERS,
} from './member-rows.js';
import { purgeOrgBatch } from './org-purge.js';
import * as orgs from './orgs-table.js';
import * as log from './provisioning-log-table.js';
import { SqlServiceKeys } from './service-keys-table.js';
import type { SqlDialectHooks } from './sql-dialect.js';
import { SqlStaff } from './staff-table.js';
import type { TableGrowth } from './table-growth.js';
import * as nesting from './team-nesting.js';
import * as teams from './teams-table.js';
import * as tokens from './tokens-table.js';
import { findUsers } from './user-lookup.js';
import * as users from './users-table.js';
import { SqlWebhooks } from './webhooks-table.js';

/**
 * The operations of the one Store (SqlStore, sql-store.ts), shared by SQLite and PostgreSQL:
 * dialect differences come in through `hooks`, never through branches here. Each method hands its
 * table module (one per table: orgs-table.ts, users-table.ts, ...) the connection, or the
 * transaction it runs in.
 */
export class SqlOps implements StoreOps {
  /** Concrete: SqlStore.once flushes a transaction's queued events before COMMIT. */
  readonly events: events.SqlEvents;
  readonly serviceKeys: ServiceKeyOps;
  readonly webhooks: WebhookOps;
  readonly auditTrail: AuditTrailOps;
  readonly staff: StaffOps;
  /** Writes to tokens and organizations through this ops object (SqlStore.once counts them again). */
  credentialWrites = 0;

  constructor(
    protected readonly db: Kysely<Database> | Transaction<Database>,
    protected readonly hooks: SqlDialectHooks,
    protected readonly credentials: CredentialWrites,
    inTransaction = false,
    /** Marks writes that can move a user or team list (list-positions.ts); SqlStore's own by default. */
    protected readonly lists: ListWrites = new ListPositions(),
    /** Where inserted users are counted for PostgreSQL's statistics (table-growth.ts). */
    protected readonly growth?: TableGrowth,
  ) {
    this.events = new events.SqlEvents(db, hooks, inTransaction);
    this.serviceKeys = new SqlServiceKeys(db, hooks);
    this.webhooks = new SqlWebhooks(db, hooks);
    this.auditTrail = new SqlAuditTrail(db, hooks);
    this.staff = new SqlStaff(db, hooks);
  }

  insertOrg(org: OrgRecord): Promise<void> {
    return orgs.insertOrg(this.db, this.hooks, org);
  }

  getOrg(orgId: string): Promise<OrgRecord | undefined> {
    return orgs.getOrg(this.db, orgId);
  }

  listOrgs(page: { afterId?: string; limit: number }): Promise<OrgRecord[]> {
    return orgs.listOrgs(this.db, page);
  }

  async updateOrg(org: OrgRecord): Promise<void> {
    await orgs.updateOrg(this.db, this.hooks, org);
    this.wroteCredentials();
  }

  findOrgs(value: string, limit: number): Promise<OrgRecord[]> {
    return orgs.findOrgs(this.db, value, limit);
  }

  async purgeOrg(orgId: string, batch: number): Promise<number> {
    const result = await this.lists.wrote(orgId, () => purgeOrgBatch(this.db, orgId, batch));
    this.wroteCredentials();
    return result;
  }

  insertToken(token: TokenRecord): Promise<void> {
    return tokens.insertToken(this.db, this.hooks, token);
  }

  findTokenWithOrg(tokenHash: string): Promise<{ token: TokenRecord; org: OrgRecord } | undefined> {
    return tokens.findTokenWithOrg(this.db, tokenHash);
  }

  findTokenById(tokenId: string): Promise<TokenRecord | undefined> {
    return tokens.findTokenById(this.db, tokenId);
  }

  listTokens(orgId: string): Promise<TokenRecord[]> {
    return tokens.listTokens(this.db, orgId);
  }

  async revokeToken(orgId: string, tokenId: string, at: number): Promise<void> {
    await tokens.revokeToken(this.db, orgId, tokenId, at);
    this.wroteCredentials();
  }

  touchToken(orgId: string, tokenId: string, at: number): Promise<void> {
    return tokens.touchToken(this.db, orgId, tokenId, at);
  }

  async expireToken(orgId: string, tokenId: string, at: number): Promise<void> {
    await tokens.expireToken(this.db, orgId, tokenId, at);
    this.wroteCredentials();
  }

  async revokeOrgTokens(orgId: string, at: number): Promise<number> {
    const result = await tokens.revokeOrgTokens(this.db, orgId, at);
    this.wroteCredentials();
    return result;
  }

  tokenExpiryCounts(window: ExpiryWindow): Promise<TokenExpiryCounts> {
    return tokens.tokenExpiryCounts(this.db, window);
  }

  private wroteCredentials(): void {
    this.credentialWrites++;
    this.credentials.wrote();
  }

  findUsers(orgId: string, value: string, limit: number): Promise<UserRecord[]> {
    return findUsers(this.db, orgId, value, limit);
  }

  insertUser(user: UserRecord): Promise<void> {
    this.growth?.insertedUser();
    return this.lists.wrote(user.orgId, () => users.insertUser(this.db, this.hooks, user));
  }

  updateUser(user: UserRecord, expectedVersion: number, previous?: UserRecord): Promise<void> {
    return this.lists.wrote(user.orgId, () => users.updateUser(this.db, this.hooks, user, expectedVersion, previous));
  }

  deleteUser(orgId: string, userId: string): Promise<boolean> {
    return this.lists.wrote(orgId, () => users.deleteUser(this.db, orgId, userId));
  }

  getUser(
    orgId: string,
    userId: string,
    options?: { lock?: boolean; withDeleted?: boolean },
  ): Promise<UserRecord | undefined> {
    return users.getUser(this.db, this.hooks, orgId, userId, options);
  }

  findUsersByUserNameOrWorkEmail(
    orgId: string,
    userName: string,
    workEmails: readonly string[],
  ): Promise<UserRecord[]> {
    return users.findUsersByUserNameOrWorkEmail(this.db, this.hooks, orgId, userName, workEmails);
  }

  listUsers(orgId: string, query: RowsQuery): Promise<Page<UserRecord>> {
    return users.listUsers(this.db, this.hooks, orgId, query, this.lists.memory);
  }

  newestUsers(orgId: string, page: { afterId?: string; limit: number }): Promise<UserRecord[]> {
    return users.newestUsers(this.db, orgId, page);
  }

  existingUserIds(orgId: string, userIds: readonly string[]): Promise<Set<string>> {
    return users.existingUserIds(this.db, this.hooks, orgId, userIds);
  }

  insertTeam(team: TeamRecord): Promise<void> {
    return this.lists.wrote(team.orgId, () => teams.insertTeam(this.db, this.hooks, team));
  }

  updateTeam(team: TeamRecord, expectedVersion: number): Promise<void> {
    return this.lists.wrote(team.orgId, () => teams.updateTeam(this.db, this.hooks, team, expectedVersion));
  }

  deleteTeam(orgId: string, teamId: string): Promise<boolean> {
    return this.lists.wrote(orgId, () => teams.deleteTeam(this.db, orgId, teamId));
  }

  getTeam(orgId: string, teamId: string, options?: { lock?: boolean }): Promise<TeamRecord | undefined> {
    return teams.getTeam(this.db, this.hooks, orgId, teamId, options);
  }

  listTeams(orgId: string, query: RowsQuery): Promise<Page<TeamRecord>> {
    return teams.listTeams(this.db, this.hooks, orgId, query, this.lists.memory);
  }

  addMembers(orgId: string, teamId: string, userIds: readonly string[], at: number): Promise<string[]> {
    return this.lists.wrote(orgId, () => addMemberRows(this.db, USER_MEMBERS, orgId, teamId, userIds, at));
  }

  removeMembers(orgId: string, teamId: string, userIds: readonly string[]): Promise<string[]> {
    return this.lists.wrote(orgId, () => removeMemberRows(this.db, USER_MEMBERS, orgId, teamId, userIds));
  }

  removeUserFromTeams(orgId: string, userId: string, at: number): Promise<string[]> {
    return this.lists.wrote(orgId, () => teams.removeUserFromTeams(this.db, orgId, userId, at));
  }

  removeAllMembers(orgId: string, teamId: string): Promise<string[]> {
    return this.lists.wrote(orgId, () => removeAllMemberRows(this.db, USER_MEMBERS, orgId, teamId));
  }

  memberIds(orgId: string, teamId: string): Promise<string[]> {
    return memberRowIds(this.db, USER_MEMBERS, orgId, teamId);
  }

  pageMembers(orgId: string, teamId: string, afterId: string | undefined, limit: number): Promise<MemberRecord[]> {
    return nesting.pageMembers(this.db, orgId, teamId, afterId, limit);
  }

  teamsOfUsers(orgId: string, userIds: readonly string[]): Promise<Map<string, UserTeamRecord[]>> {
    return nesting.teamsOfUsers(this.db, orgId, userIds);
  }

  existingTeamIds(orgId: string, teamIds: readonly string[]): Promise<Set<string>> {
    return nesting.existingTeamIds(this.db, this.hooks, orgId, teamIds);
  }

  addTeamMembers(orgId: string, teamId: string, memberTeamIds: readonly string[], at: number): Promise<string[]> {
    return this.lists.wrote(orgId, () => addMemberRows(this.db, TEAM_MEMBERS, orgId, teamId, memberTeamIds, at));
  }

  removeTeamMembers(orgId: string, teamId: string, memberTeamIds: readonly string[]): Promise<string[]> {
    return this.lists.wrote(orgId, () => removeMemberRows(this.db, TEAM_MEMBERS, orgId, teamId, memberTeamIds));
  }

  removeAllTeamMembers(orgId: string, teamId: string): Promise<string[]> {
    return this.lists.wrote(orgId, () => removeAllMemberRows(this.db, TEAM_MEMBERS, orgId, teamId));
  }

  teamMemberIds(orgId: string, teamId: string): Promise<string[]> {
    return memberRowIds(this.db, TEAM_MEMBERS, orgId, teamId);
  }

  removeTeamFromParents(orgId: string, teamId: string, at: number): Promise<string[]> {
    return this.lists.wrote(orgId, () => nesting.removeTeamFromParents(this.db, orgId, teamId, at));
  }

  lockTeamNesting(orgId: string): Promise<void> {
    return nesting.lockTeamNesting(this.db, this.hooks, orgId);
  }

  checkTeamNesting(orgId: string, teamId: string, memberTeamIds: readonly string[]): Promise<TeamNestingCheck> {
    return nesting.checkTeamNesting(this.db, orgId, teamId, memberTeamIds);
  }

  teamNestingPath(orgId: string, fromTeamId: string, toTeamId: string, steps: number): Promise<TeamPathStep[]> {
    return nesting.teamNestingPath(this.db, orgId, fromTeamId, toTeamId, steps);
  }

  appendLogs(entries: readonly LogRecord[]): Promise<void> {
    return log.appendLogs(this.db, this.hooks, entries);
  }

  queryLog(orgId: string, query: LogQuery): Promise<LogRecord[]> {
    return log.queryLog(this.db, orgId, query);
  }

  getLog(orgId: string, id: string): Promise<LogRecord | undefined> {
    return log.getLog(this.db, orgId, id);
  }

  pruneLog(before: number, batch: number): Promise<number> {
    return log.pruneLog(this.db, before, batch);
  }

  logFigures(orgId: string, window: LogWindow): Promise<LogFigures> {
    return log.logFigures(this.db, orgId, window);
  }

  logErrorCounts(orgId: string, window: LogWindow, limit: number): Promise<LogErrorCount[]> {
    return log.logErrorCounts(this.db, orgId, window, limit);
  }

  logFiguresByOrg(window: LogWindow): Promise<LogFigures[]> {
    return log.logFiguresByOrg(this.db, window);
  }
}
