import type { Kysely } from 'kysely';
import { chunks, unique } from './batches.js';
import type { Database } from './db-schema.js';

/**
 * A team's members are rows of two tables of one shape: its users (`team_members`) and the teams
 * nested in it (`team_subteams`, migration 0008). One member is one row, so adding or removing one
 * never reads or rewrites the others, whatever the team's size.
 */
export const USER_MEMBERS = { table: 'team_members', member: 'user_id' } as const;
export const TEAM_MEMBERS = { table: 'team_subteams', member: 'member_team_id' } as const;
export type MemberRows = typeof USER_MEMBERS | typeof TEAM_MEMBERS;

// The two tables differ only in the member column's name, which Kysely's types cannot take as a
// parameter: below that one name the statements are the same, so they are written once.
// biome-ignore lint/suspicious/noExplicitAny: a table and column chosen by `rows`, both from the schema
const untyped = (db: Kysely<Database>) => db as unknown as Kysely<any>;

/** Adds memberships; returns the ids that were not members before (a member added twice stays one). */
export async function addMemberRows(
  db: Kysely<Database>,
  rows: MemberRows,
  orgId: string,
  teamId: string,
  memberIds: readonly string[],
  at: number,
): Promise<string[]> {
  const added: string[] = [];
  for (const ids of chunks(unique(memberIds))) {
    const inserted = await untyped(db)
      .insertInto(rows.table)
      .values(ids.map((id) => ({ org_id: orgId, team_id: teamId, [rows.member]: id, created_at: at })))
      .onConflict((oc) => oc.columns(['org_id', 'team_id', rows.member]).doNothing())
      .returning(rows.member)
      .execute();
    for (const row of inserted) added.push(row[rows.member] as string);
  }
  return added;
}

/** Removes memberships; returns the ids that were members. */
export async function removeMemberRows(
  db: Kysely<Database>,
  rows: MemberRows,
  orgId: string,
  teamId: string,
  memberIds: readonly string[],
): Promise<string[]> {
  const removed: string[] = [];
  for (const ids of chunks(unique(memberIds))) {
    const deleted = await untyped(db)
      .deleteFrom(rows.table)
      .where('org_id', '=', orgId)
      .where('team_id', '=', teamId)
      .where(rows.member, 'in', ids)
      .returning(rows.member)
      .execute();
    for (const row of deleted) removed.push(row[rows.member] as string);
  }
  return removed;
}

/** Removes every membership of the team of this kind; returns the member ids. */
export async function removeAllMemberRows(
  db: Kysely<Database>,
  rows: MemberRows,
  orgId: string,
  teamId: string,
): Promise<string[]> {
  const deleted = await untyped(db)
    .deleteFrom(rows.table)
    .where('org_id', '=', orgId)
    .where('team_id', '=', teamId)
    .returning(rows.member)
    .execute();
  return deleted.map((row) => row[rows.member] as string);
}

/** Every member id of this kind: only for a full replacement of the list, which must know the old one. */
export async function memberRowIds(
  db: Kysely<Database>,
  rows: MemberRows,
  orgId: string,
  teamId: string,
): Promise<string[]> {
  const found = await untyped(db)
    .selectFrom(rows.table)
    .select(rows.member)
    .where('org_id', '=', orgId)
    .where('team_id', '=', teamId)
    .execute();
  return found.map((row) => row[rows.member] as string);
}
