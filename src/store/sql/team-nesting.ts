import { type Kysely, sql } from 'kysely';
import { MAX_TEAM_NESTING_DEPTH } from '../../scim/limits.js';
import type { MemberRecord, TeamNestingCheck, TeamPathStep, UserTeamRecord } from '../store.js';
import { bumpTeamVersions, chunks, unique } from './batches.js';
import type { Database } from './db-schema.js';
import { rowLimit } from './row-limit.js';
import type { SqlDialectHooks } from './sql-dialect.js';

/*
 * Nested teams (team_subteams, migration 0008) and the reads that walk them. Every walk is a
 * recursive CTE over (team, depth) rows: UNION drops a row met twice, and the depth column stops at
 * MAX_TEAM_NESTING_DEPTH, so a walk ends after at most that many steps even on a graph that holds a
 * cycle, and costs at most (teams reached × cap) rows whatever the tenant built.
 */

type Db = Kysely<Database>;

const CAP = MAX_TEAM_NESTING_DEPTH;

export async function existingTeamIds(
  db: Db,
  hooks: SqlDialectHooks,
  orgId: string,
  teamIds: readonly string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  for (const ids of chunks(unique(teamIds))) {
    let q = db.selectFrom('teams').select('id').where('org_id', '=', orgId).where('id', 'in', ids);
    // As for users: a concurrent delete of the team waits for us, or leaves it unfound here (400)
    // rather than failing the foreign key at insert (500).
    if (hooks.lockRows) q = q.forKeyShare();
    for (const row of await q.execute()) found.add(row.id);
  }
  return found;
}

export async function removeTeamFromParents(db: Db, orgId: string, teamId: string, at: number): Promise<string[]> {
  const rows = await db
    .deleteFrom('team_subteams')
    .where('org_id', '=', orgId)
    .where('member_team_id', '=', teamId)
    .returning('team_id')
    .execute();
  const parents = rows.map((r) => r.team_id);
  await bumpTeamVersions(db, orgId, parents, at);
  return parents;
}

export async function lockTeamNesting(db: Db, hooks: SqlDialectHooks, orgId: string): Promise<void> {
  // FOR NO KEY UPDATE, not FOR UPDATE: inserting a team or token (a foreign key to the org, FOR
  // KEY SHARE) must not queue behind a nesting change.
  if (hooks.lockRows) await db.selectFrom('orgs').select('id').where('id', '=', orgId).forNoKeyUpdate().execute();
}

/**
 * Walks up from `teamId` (the teams holding it) and down from the candidates (the teams they
 * hold), both bounded by the cap; see {@link TeamNestingCheck}. The walk up repeats per chunk of
 * candidates, which only a list of more than 500 nested teams has.
 */
export async function checkTeamNesting(
  db: Db,
  orgId: string,
  teamId: string,
  memberTeamIds: readonly string[],
): Promise<TeamNestingCheck> {
  let above = 0;
  let below = 0;
  const containing = new Map<string, number>();
  for (const ids of chunks(unique(memberTeamIds))) {
    const list = sql.join(ids);
    const { rows } = await sql<{ kind: string; team_id: string; depth: number }>`
      with recursive
        up(team_id, depth) as (
          select cast(${teamId} as text), 0
          union
          select s.team_id, u.depth + 1
          from up u
          inner join team_subteams s on s.org_id = ${orgId} and s.member_team_id = u.team_id
          where u.depth < ${CAP}
        ),
        down(team_id, depth) as (
          select t.id, 0 from teams t where t.org_id = ${orgId} and t.id in (${list})
          union
          select s.member_team_id, d.depth + 1
          from down d
          inner join team_subteams s on s.org_id = ${orgId} and s.team_id = d.team_id
          where d.depth < ${CAP}
        )
      select 'above' as kind, '' as team_id, coalesce(max(depth), 0) as depth from up
      union all
      select 'below', '', coalesce(max(depth), 0) from down
      union all
      select 'cycle', team_id, min(depth) from up where team_id in (${list}) group by team_id
    `.execute(db);
    for (const row of rows) {
      const depth = Number(row.depth);
      if (row.kind === 'above') above = Math.max(above, depth);
      else if (row.kind === 'below') below = Math.max(below, depth);
      else containing.set(row.team_id, depth);
    }
  }
  return { above, below, containing };
}

/**
 * Walks up from `toTeamId` at most `steps` steps, remembering for each team the one below it
 * that led there, then follows those links back down from `fromTeamId`. Only an error detail
 * needs this, so it may return every team within `steps` of `toTeamId`.
 */
export async function teamNestingPath(
  db: Db,
  orgId: string,
  fromTeamId: string,
  toTeamId: string,
  steps: number,
): Promise<TeamPathStep[]> {
  const bound = Math.min(Math.max(steps, 0), CAP);
  const { rows } = await sql<{ team_id: string; depth: number; via: string | null; display_name: string }>`
    with recursive up(team_id, depth, via) as (
      select cast(${toTeamId} as text), 0, cast(null as text)
      union
      select s.team_id, u.depth + 1, u.team_id
      from up u
      inner join team_subteams s on s.org_id = ${orgId} and s.member_team_id = u.team_id
      where u.depth < ${bound}
    )
    select u.team_id, u.depth, u.via, t.display_name
    from up u
    inner join teams t on t.org_id = ${orgId} and t.id = u.team_id
  `.execute(db);
  const at = new Map<string, { via: string | null; displayName: string }>();
  for (const row of rows) {
    const key = `${Number(row.depth)}:${row.team_id}`;
    if (!at.has(key)) at.set(key, { via: row.via, displayName: row.display_name });
  }
  const path: TeamPathStep[] = [];
  let current: string | null = fromTeamId;
  for (let depth = bound; depth >= 0 && current !== null; depth--) {
    const step = at.get(`${depth}:${current}`);
    if (step === undefined) return [];
    path.push({ teamId: current, displayName: step.displayName });
    current = step.via;
  }
  return path.at(-1)?.teamId === toTeamId ? path : [];
}

/**
 * Users and nested teams of a team in one id order: each kind is an indexed range read of at
 * most `limit` rows after `afterId` (team_members_pk, team_subteams_pk), and the page is the
 * first `limit` of both.
 */
export async function pageMembers(
  db: Db,
  orgId: string,
  teamId: string,
  afterId: string | undefined,
  limit: number,
): Promise<MemberRecord[]> {
  let users = db
    .selectFrom('team_members as m')
    .innerJoin('users as u', (j) => j.onRef('u.org_id', '=', 'm.org_id').onRef('u.id', '=', 'm.user_id'))
    .select((eb) => [
      sql<'user' | 'team'>`'user'`.as('kind'),
      'm.user_id as id',
      eb.ref('u.user_name').$castTo<string | null>().as('user_name'),
      'u.display_name',
    ])
    .where('m.org_id', '=', orgId)
    .where('m.team_id', '=', teamId);
  let teams = db
    .selectFrom('team_subteams as s')
    .innerJoin('teams as t', (j) => j.onRef('t.org_id', '=', 's.org_id').onRef('t.id', '=', 's.member_team_id'))
    .select((eb) => [
      sql<'user' | 'team'>`'team'`.as('kind'),
      's.member_team_id as id',
      sql<string | null>`null`.as('user_name'),
      eb.ref('t.display_name').$castTo<string | null>().as('display_name'),
    ])
    .where('s.org_id', '=', orgId)
    .where('s.team_id', '=', teamId);
  if (afterId !== undefined) {
    users = users.where('m.user_id', '>', afterId);
    teams = teams.where('s.member_team_id', '>', afterId);
  }
  const rows = await db
    .selectFrom(users.orderBy('m.user_id').limit(rowLimit(limit)).as('a'))
    .selectAll()
    .unionAll(db.selectFrom(teams.orderBy('s.member_team_id').limit(rowLimit(limit)).as('b')).selectAll())
    .orderBy('id')
    .limit(rowLimit(limit))
    .execute();
  return rows.map((r): MemberRecord => {
    if (r.kind === 'team') return { kind: 'team', teamId: r.id, displayName: r.display_name ?? '' };
    return { kind: 'user', userId: r.id, userName: r.user_name ?? '', displayName: r.display_name };
  });
}

/**
 * The teams of each user, direct (depth 0) and every team above those through nesting, in one
 * walk per chunk of users; a team reached at several depths is reported once, at its least.
 */
export async function teamsOfUsers(
  db: Db,
  orgId: string,
  userIds: readonly string[],
): Promise<Map<string, UserTeamRecord[]>> {
  const result = new Map<string, UserTeamRecord[]>();
  // CROSS JOIN (the same as an inner join on both databases) makes SQLite walk the few rows found
  // so far and look each team up by key, rather than walk every team of the organization; the
  // covering indexes of 0014-scale-indexes.ts make each step one index lookup.
  for (const ids of chunks(unique(userIds))) {
    const { rows } = await sql<{ user_id: string; team_id: string; display_name: string; depth: number }>`
      with recursive up(user_id, team_id, depth) as (
        select m.user_id, m.team_id, 0
        from team_members m
        where m.org_id = ${orgId} and m.user_id in (${sql.join(ids)})
        union
        select u.user_id, s.team_id, u.depth + 1
        from up u
        cross join team_subteams s
        where s.org_id = ${orgId} and s.member_team_id = u.team_id and u.depth < ${CAP}
      )
      select u.user_id, u.team_id, t.display_name, min(u.depth) as depth
      from up u
      cross join teams t
      where t.org_id = ${orgId} and t.id = u.team_id
      group by u.user_id, u.team_id, t.display_name
      order by u.team_id
    `.execute(db);
    for (const row of rows) {
      const list = result.get(row.user_id) ?? [];
      list.push({
        teamId: row.team_id,
        displayName: row.display_name,
        type: Number(row.depth) === 0 ? 'direct' : 'indirect',
      });
      result.set(row.user_id, list);
    }
  }
  return result;
}
