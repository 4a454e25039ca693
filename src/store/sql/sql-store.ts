import { type Kysely, sql, type Transaction } from 'kysely';
import { foldCase } from '../../scim/fold-case.js';
import { resolvePath } from '../../scim/schema/resolve-path.js';
import { invalidValue } from '../../scim/scim-error.js';
import { migrateToLatest } from '../migrate.js';
import type { RateLimiter, RateLimitOptions } from '../rate-limiter.js';
import {
  deleteModeOf,
  type EventRecord,
  type ListQuery,
  type LogQuery,
  type LogRecord,
  type MemberRecord,
  type OrgRecord,
  type Page,
  type Store,
  type StoreOps,
  type TeamNestingCheck,
  type TeamPathStep,
  type TeamRecord,
  type TokenRecord,
  type UserRecord,
  type UserTeamRecord,
} from '../store.js';
import { ConcurrentUpdate, UniqueViolation } from '../store-errors.js';
import { type AttributeMap, groupAttributeMap, userAttributeMap } from './attribute-map.js';
import { bumpTeamVersions, chunks, unique } from './batches.js';
import { compileListFilter } from './compile-filter.js';
import type { Database, OrgsTable, ProvisioningLogTable, TokensTable } from './db-schema.js';
import type { SqlDialectHooks } from './sql-dialect.js';
import * as nesting from './team-nesting.js';
import { rowToTeam, type TeamRowRead, teamReadColumns, teamToRow } from './team-row.js';
import { rowToUser, userReadColumns, userToRow, userToValueRows } from './user-row.js';

/**
 * The one Store implementation, shared by SQLite and PostgreSQL: dialect differences come in
 * through `hooks`, never through branches here.
 */
class SqlOps implements StoreOps {
  constructor(
    protected readonly db: Kysely<Database> | Transaction<Database>,
    protected readonly hooks: SqlDialectHooks,
  ) {}

  /** Runs a write and turns a driver unique violation into UniqueViolation. */
  private async write<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const key = this.hooks.uniqueViolationKey(error);
      if (key !== undefined) throw new UniqueViolation(key);
      throw error;
    }
  }

  async insertOrg(org: OrgRecord): Promise<void> {
    await this.write(() => this.db.insertInto('orgs').values(orgToRow(org)).execute());
  }

  async getOrg(orgId: string): Promise<OrgRecord | undefined> {
    const row = await this.db.selectFrom('orgs').selectAll().where('id', '=', orgId).executeTakeFirst();
    return row && rowToOrg(row);
  }

  async listOrgs(): Promise<OrgRecord[]> {
    const rows = await this.db.selectFrom('orgs').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(rowToOrg);
  }

  async updateOrg(org: OrgRecord): Promise<void> {
    const { id, ...rest } = orgToRow(org);
    await this.db.updateTable('orgs').set(rest).where('id', '=', id).execute();
  }

  async insertToken(token: TokenRecord): Promise<void> {
    await this.write(() => this.db.insertInto('tokens').values(tokenToRow(token)).execute());
  }

  async findTokenWithOrg(tokenHash: string): Promise<{ token: TokenRecord; org: OrgRecord } | undefined> {
    const row = await this.db
      .selectFrom('tokens as t')
      .innerJoin('orgs as o', 'o.id', 't.org_id')
      .selectAll('t')
      .select([
        'o.name as org_name',
        'o.scim_enabled as org_scim_enabled',
        'o.delete_mode as org_delete_mode',
        'o.created_at as org_created_at',
        'o.updated_at as org_updated_at',
      ])
      .where('t.token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row) return undefined;
    const { org_name, org_scim_enabled, org_delete_mode, org_created_at, org_updated_at, ...token } = row;
    return {
      token: rowToToken(token),
      org: rowToOrg({
        id: token.org_id,
        name: org_name,
        scim_enabled: org_scim_enabled,
        delete_mode: org_delete_mode,
        created_at: org_created_at,
        updated_at: org_updated_at,
      }),
    };
  }

  async findTokenById(tokenId: string): Promise<TokenRecord | undefined> {
    const row = await this.db.selectFrom('tokens').selectAll().where('id', '=', tokenId).executeTakeFirst();
    return row && rowToToken(row);
  }

  async listTokens(orgId: string): Promise<TokenRecord[]> {
    const rows = await this.db
      .selectFrom('tokens')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(rowToToken);
  }

  async revokeToken(orgId: string, tokenId: string, at: number): Promise<void> {
    await this.db
      .updateTable('tokens')
      .set({ revoked_at: at })
      .where('org_id', '=', orgId)
      .where('id', '=', tokenId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async touchToken(orgId: string, tokenId: string, at: number): Promise<void> {
    await this.db
      .updateTable('tokens')
      .set({ last_used_at: at })
      .where('org_id', '=', orgId)
      .where('id', '=', tokenId)
      .execute();
  }

  async insertUser(user: UserRecord): Promise<void> {
    await this.write(async () => {
      await this.db.insertInto('users').values(userToRow(user)).execute();
      await this.insertValues(user);
    });
  }

  async updateUser(user: UserRecord, expectedVersion: number): Promise<void> {
    await this.write(async () => {
      const { org_id, id, created_at, user_name_ci, ...rest } = userToRow(user);
      const result = await this.db
        .updateTable('users')
        .set({
          ...rest,
          // A user that lost a case-folding collision in migration 0005 keeps its marked value
          // (ASCII capitals, which no fold contains) while its userName stays the same, so that
          // the IdP can still update and deactivate it; a new userName is folded as usual.
          user_name_ci: sql<string>`case when user_name = ${user.userName} and user_name_ci <> lower(user_name_ci) then user_name_ci else ${user_name_ci} end`,
        })
        .where('org_id', '=', org_id)
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) throw new ConcurrentUpdate();
      await this.db.deleteFrom('user_values').where('org_id', '=', org_id).where('user_id', '=', id).execute();
      await this.insertValues(user);
    });
  }

  private async insertValues(user: UserRecord): Promise<void> {
    const rows = userToValueRows(user);
    if (rows.length > 0) await this.db.insertInto('user_values').values(rows).execute();
  }

  async deleteUser(orgId: string, userId: string): Promise<boolean> {
    await this.db.deleteFrom('user_values').where('org_id', '=', orgId).where('user_id', '=', userId).execute();
    const result = await this.db
      .deleteFrom('users')
      .where('org_id', '=', orgId)
      .where('id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async getUser(
    orgId: string,
    userId: string,
    options: { lock?: boolean; withDeleted?: boolean } = {},
  ): Promise<UserRecord | undefined> {
    let q = this.db
      .selectFrom('users as r')
      .select(userReadColumns)
      .where('r.org_id', '=', orgId)
      .where('r.id', '=', userId);
    if (!options.withDeleted) q = q.where('r.deleted_at', 'is', null);
    if (options.lock && this.hooks.lockRows) q = q.forNoKeyUpdate();
    const row = await q.executeTakeFirst();
    return row && rowToUser(row);
  }

  async findUsersByUserNameOrWorkEmail(
    orgId: string,
    userName: string,
    workEmails: readonly string[],
  ): Promise<UserRecord[]> {
    // Two index lookups rather than one OR: an OR with a subquery makes SQLite walk every user of
    // the organization, on every create of an initial sync.
    const names = [...new Set([foldCase(userName), ...workEmails.map(foldCase)])];
    // Live and retained users sit in two partial indexes (0007-retained-users.ts); a predicate
    // naming neither would scan the organization.
    const byNameIn = (live: boolean) =>
      this.db
        .selectFrom('users as r')
        .select(userReadColumns)
        .where('r.org_id', '=', orgId)
        .where('r.user_name_ci', 'in', names)
        .where('r.deleted_at', live ? 'is' : 'is not', null);
    const byName = await byNameIn(true).unionAll(byNameIn(false)).execute();
    // An invited user's address may also sit in an emails entry of any type.
    const byEmail =
      workEmails.length === 0
        ? []
        : await this.db
            .selectFrom('user_values as v')
            .innerJoin('users as r', (j) => j.onRef('r.org_id', '=', 'v.org_id').onRef('r.id', '=', 'v.user_id'))
            .select(userReadColumns)
            .distinct()
            .where('v.org_id', '=', orgId)
            .where('v.attr', '=', 'emails')
            .where('v.value_ci', 'in', workEmails.map(foldCase))
            .limit(10)
            .execute();
    const found = new Map([...byName, ...byEmail].map((row) => [row.id, rowToUser(row)]));
    return [...found.values()].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  async listUsers(orgId: string, query: ListQuery): Promise<Page<UserRecord>> {
    const { total, rows } = await this.list(
      'users',
      userAttributeMap,
      orgId,
      query,
      userReadColumns,
      query.withDeleted,
    );
    return { total, items: rows.map(rowToUser), docChars: docChars(rows) };
  }

  async insertTeam(team: TeamRecord): Promise<void> {
    await this.write(() => this.db.insertInto('teams').values(teamToRow(team)).execute());
  }

  async updateTeam(team: TeamRecord, expectedVersion: number): Promise<void> {
    await this.write(async () => {
      const { org_id, id, created_at, ...rest } = teamToRow(team);
      const result = await this.db
        .updateTable('teams')
        .set(rest)
        .where('org_id', '=', org_id)
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) throw new ConcurrentUpdate();
    });
  }

  async deleteTeam(orgId: string, teamId: string): Promise<boolean> {
    await this.db.deleteFrom('team_members').where('org_id', '=', orgId).where('team_id', '=', teamId).execute();
    await nesting.removeAllTeamMembers(this.db, orgId, teamId);
    await this.db
      .deleteFrom('team_subteams')
      .where('org_id', '=', orgId)
      .where('member_team_id', '=', teamId)
      .execute();
    const result = await this.db
      .deleteFrom('teams')
      .where('org_id', '=', orgId)
      .where('id', '=', teamId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async getTeam(orgId: string, teamId: string, options: { lock?: boolean } = {}): Promise<TeamRecord | undefined> {
    let q = this.db
      .selectFrom('teams as r')
      .select(teamReadColumns)
      .where('r.org_id', '=', orgId)
      .where('r.id', '=', teamId);
    if (options.lock && this.hooks.lockRows) q = q.forNoKeyUpdate();
    const row = await q.executeTakeFirst();
    return row && rowToTeam(row);
  }

  async listTeams(orgId: string, query: ListQuery): Promise<Page<TeamRecord>> {
    const { total, rows } = await this.list('teams', groupAttributeMap, orgId, query, teamReadColumns);
    return { total, items: (rows as unknown as TeamRowRead[]).map(rowToTeam), docChars: docChars(rows) };
  }

  async existingUserIds(orgId: string, userIds: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const ids of chunks(unique(userIds))) {
      let q = this.db
        .selectFrom('users')
        .select('id')
        .where('org_id', '=', orgId)
        .where('id', 'in', ids)
        .where('deleted_at', 'is', null);
      // The users found are about to be referenced (a membership row). FOR SHARE makes a
      // concurrent DELETE wait for us, or, when it committed first, leaves them unfound here (a
      // 400 rather than a foreign-key error, or a membership of a retained user, later). FOR KEY
      // SHARE, which the foreign key takes, would not stop a retain: that is an UPDATE of a
      // non-key column, so the membership would land after the retain had ended them all.
      if (this.hooks.lockRows) q = q.forShare();
      const rows = await q.execute();
      for (const row of rows) found.add(row.id);
    }
    return found;
  }

  async addMembers(orgId: string, teamId: string, userIds: readonly string[], at: number): Promise<string[]> {
    const added: string[] = [];
    for (const ids of chunks(unique(userIds))) {
      const rows = await this.db
        .insertInto('team_members')
        .values(ids.map((user_id) => ({ org_id: orgId, team_id: teamId, user_id, created_at: at })))
        // A member added twice stays one membership (SPEC: adding a member twice leaves one).
        .onConflict((oc) => oc.columns(['org_id', 'team_id', 'user_id']).doNothing())
        .returning('user_id')
        .execute();
      for (const row of rows) added.push(row.user_id);
    }
    return added;
  }

  async removeMembers(orgId: string, teamId: string, userIds: readonly string[]): Promise<string[]> {
    const removed: string[] = [];
    for (const ids of chunks(unique(userIds))) {
      const rows = await this.db
        .deleteFrom('team_members')
        .where('org_id', '=', orgId)
        .where('team_id', '=', teamId)
        .where('user_id', 'in', ids)
        .returning('user_id')
        .execute();
      for (const row of rows) removed.push(row.user_id);
    }
    return removed;
  }

  async removeUserFromTeams(orgId: string, userId: string, at: number): Promise<string[]> {
    const rows = await this.db
      .deleteFrom('team_members')
      .where('org_id', '=', orgId)
      .where('user_id', '=', userId)
      .returning('team_id')
      .execute();
    const teamIds = rows.map((r) => r.team_id);
    await bumpTeamVersions(this.db, orgId, teamIds, at);
    return teamIds;
  }

  async removeAllMembers(orgId: string, teamId: string): Promise<string[]> {
    const rows = await this.db
      .deleteFrom('team_members')
      .where('org_id', '=', orgId)
      .where('team_id', '=', teamId)
      .returning('user_id')
      .execute();
    return rows.map((r) => r.user_id);
  }

  async memberIds(orgId: string, teamId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('team_members')
      .select('user_id')
      .where('org_id', '=', orgId)
      .where('team_id', '=', teamId)
      .execute();
    return rows.map((r) => r.user_id);
  }

  async pageMembers(
    orgId: string,
    teamId: string,
    afterId: string | undefined,
    limit: number,
  ): Promise<MemberRecord[]> {
    return nesting.pageMembers(this.db, orgId, teamId, afterId, limit);
  }

  async teamsOfUsers(orgId: string, userIds: readonly string[]): Promise<Map<string, UserTeamRecord[]>> {
    return nesting.teamsOfUsers(this.db, orgId, userIds);
  }

  async existingTeamIds(orgId: string, teamIds: readonly string[]): Promise<Set<string>> {
    return nesting.existingTeamIds(this.db, this.hooks, orgId, teamIds);
  }

  async addTeamMembers(orgId: string, teamId: string, memberTeamIds: readonly string[], at: number): Promise<string[]> {
    return nesting.addTeamMembers(this.db, orgId, teamId, memberTeamIds, at);
  }

  async removeTeamMembers(orgId: string, teamId: string, memberTeamIds: readonly string[]): Promise<string[]> {
    return nesting.removeTeamMembers(this.db, orgId, teamId, memberTeamIds);
  }

  async removeAllTeamMembers(orgId: string, teamId: string): Promise<string[]> {
    return nesting.removeAllTeamMembers(this.db, orgId, teamId);
  }

  async teamMemberIds(orgId: string, teamId: string): Promise<string[]> {
    return nesting.teamMemberIds(this.db, orgId, teamId);
  }

  async removeTeamFromParents(orgId: string, teamId: string, at: number): Promise<string[]> {
    return nesting.removeTeamFromParents(this.db, orgId, teamId, at);
  }

  async lockTeamNesting(orgId: string): Promise<void> {
    await nesting.lockTeamNesting(this.db, this.hooks, orgId);
  }

  async checkTeamNesting(orgId: string, teamId: string, memberTeamIds: readonly string[]): Promise<TeamNestingCheck> {
    return nesting.checkTeamNesting(this.db, orgId, teamId, memberTeamIds);
  }

  async teamNestingPath(orgId: string, fromTeamId: string, toTeamId: string, steps: number): Promise<TeamPathStep[]> {
    return nesting.teamNestingPath(this.db, orgId, fromTeamId, toTeamId, steps);
  }

  /**
   * One list implementation for every resource table: organization predicate first and outside
   * the compiled filter, then sort (absent values last, the same on both databases), then id as
   * the tie-breaker so pages are stable.
   */
  private async list<T extends 'users' | 'teams', C extends readonly string[]>(
    table: T,
    map: AttributeMap,
    orgId: string,
    query: ListQuery,
    columns: C,
    withDeleted = false,
  ) {
    // sortBy is checked before anything runs: a bad one is refused whether or not rows match.
    const sortTarget = query.sortBy ? sortColumn(map, query.sortBy) : undefined;
    const where = await compileListFilter(this.db, map, this.hooks, orgId, query);
    // Both tables share org_id, id and the meta columns, all this method names; typing the
    // builder as `users` lets Kysely check those names.
    let base = this.db
      .selectFrom(`${table} as r` as 'users as r')
      .where('r.org_id', '=', orgId)
      .where(where);
    if (map.live && !withDeleted) base = base.where(map.live);
    const total =
      query.knownTotal ??
      Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    if (query.limit === 0 || query.offset >= total) return { total, rows: [] };
    let page = base.select(columns as unknown as typeof userReadColumns);
    const direction = query.sortOrder === 'descending' ? 'desc' : 'asc';
    if (sortTarget) {
      const target = sortTarget;
      const column = sql.ref(`r.${target.ciColumn ?? target.column}`);
      // Byte order for strings only: PostgreSQL has no collation for bigint (meta.*) or active.
      const ordered = target.type === 'string' ? this.hooks.byteOrder(column) : column;
      page = page.orderBy(sql`case when ${column} is null then 1 else 0 end`).orderBy(ordered, direction);
    }
    const rows = await page.orderBy('r.id', direction).offset(query.offset).limit(query.limit).execute();
    return { total, rows };
  }

  async appendLog(entry: LogRecord): Promise<void> {
    await this.db.insertInto('provisioning_log').values(logToRow(entry)).execute();
  }

  async queryLog(orgId: string, query: LogQuery): Promise<LogRecord[]> {
    let q = this.db.selectFrom('provisioning_log').selectAll().where('org_id', '=', orgId);
    if (query.since !== undefined) q = q.where('at', '>=', query.since);
    if (query.until !== undefined) q = q.where('at', '<', query.until);
    if (query.status !== undefined) {
      q = query.statusClass
        ? q.where('status', '>=', query.status).where('status', '<', query.status + 100)
        : q.where('status', '=', query.status);
    }
    if (query.resourceId !== undefined) q = q.where('resource_id', '=', query.resourceId);
    if (query.method !== undefined) q = q.where('method', '=', query.method.toUpperCase());
    if (query.before !== undefined) q = q.where('id', '<', query.before);
    const rows = await q.orderBy('id', 'desc').limit(query.limit).execute();
    return rows.map(rowToLog);
  }

  async pruneLog(before: number, batch: number): Promise<number> {
    // A bounded batch per statement, so retention never holds a long lock on a busy table.
    const oldest = this.db
      .selectFrom('provisioning_log')
      .select(['org_id', 'id'])
      .where('at', '<', before)
      .limit(batch);
    const result = await this.db
      .deleteFrom('provisioning_log')
      .where(sql<boolean>`(org_id, id) in (${oldest})`)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async appendEvent(event: EventRecord): Promise<void> {
    await this.db
      .insertInto('events')
      .values({
        org_id: event.orgId,
        id: event.id,
        at: event.at,
        type: event.type,
        resource_id: event.resourceId,
        payload: JSON.stringify(event.payload),
      })
      .execute();
  }

  async listEvents(orgId: string, after: string | undefined, limit: number): Promise<EventRecord[]> {
    let q = this.db.selectFrom('events').selectAll().where('org_id', '=', orgId);
    if (after !== undefined) q = q.where('id', '>', after);
    const rows = await q.orderBy('id').limit(limit).execute();
    return rows.map((r) => ({
      orgId: r.org_id,
      id: r.id,
      at: Number(r.at),
      type: r.type,
      resourceId: r.resource_id,
      payload: JSON.parse(r.payload) as unknown,
    }));
  }
}

export class SqlStore extends SqlOps implements Store {
  readonly dialect: 'sqlite' | 'postgres';

  constructor(
    private readonly kysely: Kysely<Database>,
    hooks: SqlDialectHooks,
    private readonly extras: {
      /** Statements run before migrations (e.g. creating the PostgreSQL schema). */
      readonly setupSql?: readonly string[];
      readonly rateLimiter: (options: RateLimitOptions) => RateLimiter;
    },
  ) {
    super(kysely, hooks);
    this.dialect = hooks.name;
  }

  rateLimiter(options: RateLimitOptions): RateLimiter {
    return this.extras.rateLimiter(options);
  }

  async transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(fn);
      } catch (error) {
        // A serialization failure or deadlock victim is retried here, inside the service,
        // so the IdP never sees it.
        if (!this.hooks.isRetryable(error) || attempt >= MAX_TRANSACTION_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 20 * attempt)));
      }
    }
  }

  private once<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> {
    // begin/commit by hand on one connection: Kysely's own begin cannot say BEGIN IMMEDIATE.
    return this.kysely.connection().execute(async (conn) => {
      await sql.raw(this.hooks.beginSql).execute(conn);
      try {
        const result = await fn(new SqlOps(conn, this.hooks));
        await sql.raw('commit').execute(conn);
        return result;
      } catch (error) {
        await sql
          .raw('rollback')
          .execute(conn)
          .catch(() => undefined);
        throw error;
      }
    });
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.kysely);
  }

  async migrate(): Promise<void> {
    for (const statement of this.extras.setupSql ?? []) {
      try {
        await sql.raw(statement).execute(this.kysely);
      } catch (error) {
        // Instances starting together race on "create schema if not exists"; the loser sees a
        // unique violation (or duplicate_schema) for a schema that now exists, which is fine.
        const code = (error as { code?: unknown })?.code;
        if (code !== '23505' && code !== '42P06') throw error;
      }
    }
    await migrateToLatest(this.kysely, this.hooks.migrationLock);
  }

  async close(): Promise<void> {
    await this.kysely.destroy();
  }
}

/** The column a sortBy orders by, or 400 invalidValue when the attribute is not sortable. */
function sortColumn(map: AttributeMap, sortBy: NonNullable<ListQuery['sortBy']>) {
  const resolved = resolvePath(map.type, sortBy);
  const target = resolved && map.column(resolved);
  if (!target) {
    throw invalidValue(`sortBy "${printPath(sortBy)}" is not a sortable attribute of ${map.type.name}`, 'list.sortBy');
  }
  return target;
}

function docChars(rows: readonly { doc: string }[]): number {
  let chars = 0;
  for (const row of rows) chars += row.doc.length;
  return chars;
}

function printPath(path: { uri?: string; attr: string; sub?: string }): string {
  return `${path.uri ? `${path.uri}:` : ''}${path.attr}${path.sub ? `.${path.sub}` : ''}`;
}

function orgToRow(org: OrgRecord): OrgsTable {
  return {
    id: org.id,
    name: org.name,
    scim_enabled: org.scimEnabled ? 1 : 0,
    delete_mode: org.deleteMode,
    created_at: org.createdAt,
    updated_at: org.updatedAt,
  };
}

function rowToOrg(row: OrgsTable): OrgRecord {
  return {
    id: row.id,
    name: row.name,
    scimEnabled: row.scim_enabled === 1,
    deleteMode: deleteModeOf(row.delete_mode) ?? 'retain',
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function tokenToRow(t: TokenRecord): TokensTable {
  return {
    org_id: t.orgId,
    id: t.id,
    token_hash: t.tokenHash,
    hint: t.hint,
    label: t.label,
    created_at: t.createdAt,
    expires_at: t.expiresAt,
    revoked_at: t.revokedAt,
    last_used_at: t.lastUsedAt,
  };
}

const numOrNull = (v: number | null): number | null => (v === null ? null : Number(v));

function rowToToken(r: TokensTable): TokenRecord {
  return {
    orgId: r.org_id,
    id: r.id,
    tokenHash: r.token_hash,
    hint: r.hint,
    label: r.label,
    createdAt: Number(r.created_at),
    expiresAt: numOrNull(r.expires_at),
    revokedAt: numOrNull(r.revoked_at),
    lastUsedAt: numOrNull(r.last_used_at),
  };
}

function logToRow(e: LogRecord): ProvisioningLogTable {
  return {
    org_id: e.orgId,
    id: e.id,
    at: e.at,
    request_id: e.requestId,
    token_id: e.tokenId,
    user_agent: e.userAgent,
    method: e.method,
    path: e.path,
    status: e.status,
    resource_type: e.resourceType,
    resource_id: e.resourceId,
    summary: e.summary,
    error_code: e.errorCode,
    error_detail: e.errorDetail,
    duration_ms: e.durationMs,
  };
}

function rowToLog(r: ProvisioningLogTable): LogRecord {
  return {
    orgId: r.org_id,
    id: r.id,
    at: Number(r.at),
    requestId: r.request_id,
    tokenId: r.token_id,
    userAgent: r.user_agent,
    method: r.method,
    path: r.path,
    status: Number(r.status),
    resourceType: r.resource_type,
    resourceId: r.resource_id,
    summary: r.summary,
    errorCode: r.error_code,
    errorDetail: r.error_detail,
    durationMs: Number(r.duration_ms),
  };
}

const MAX_TRANSACTION_ATTEMPTS = 5;
