import { type Kysely, sql } from 'kysely';
import { foldCase } from '../../scim/fold-case.js';
import type { Page, RowsQuery, UserRecord } from '../store.js';
import { ConcurrentUpdate } from '../store-errors.js';
import { userAttributeMap } from './attribute-map.js';
import { chunks, unique } from './batches.js';
import type { Database } from './db-schema.js';
import type { ListPositions } from './list-positions.js';
import { docChars, listRows } from './list-rows.js';
import { preparedQuery } from './prepared-query.js';
import type { SqlDialectHooks } from './sql-dialect.js';
import { uniqueWrite } from './unique-write.js';
import { rowToUser, userReadColumns, userToRow, userToValueRows } from './user-row.js';

/*
 * Users (`users`) and the elements of their filterable multi-valued attributes (`user_values`),
 * which are written, replaced and deleted together with the user.
 */

type Db = Kysely<Database>;

export async function insertUser(db: Db, hooks: SqlDialectHooks, user: UserRecord): Promise<void> {
  await uniqueWrite(hooks, async () => {
    await db.insertInto('users').values(userToRow(user)).execute();
    await insertValues(db, user);
  });
}

export async function updateUser(
  db: Db,
  hooks: SqlDialectHooks,
  user: UserRecord,
  expectedVersion: number,
): Promise<void> {
  await uniqueWrite(hooks, async () => {
    const { org_id, id, created_at, user_name_ci, ...rest } = userToRow(user);
    const result = await db
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
    await db.deleteFrom('user_values').where('org_id', '=', org_id).where('user_id', '=', id).execute();
    await insertValues(db, user);
  });
}

async function insertValues(db: Db, user: UserRecord): Promise<void> {
  const rows = userToValueRows(user);
  if (rows.length > 0) await db.insertInto('user_values').values(rows).execute();
}

export async function deleteUser(db: Db, orgId: string, userId: string): Promise<boolean> {
  await db.deleteFrom('user_values').where('org_id', '=', orgId).where('user_id', '=', userId).execute();
  const result = await db.deleteFrom('users').where('org_id', '=', orgId).where('id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export async function getUser(
  db: Db,
  hooks: SqlDialectHooks,
  orgId: string,
  userId: string,
  options: { lock?: boolean; withDeleted?: boolean } = {},
): Promise<UserRecord | undefined> {
  const variant = `${options.withDeleted ? 'any' : 'live'}${options.lock ? ':lock' : ''}` as const;
  const { rows } = await db.executeQuery(userById(db, hooks, variant, { orgId, userId }));
  const row = rows[0];
  return row && rowToUser(row);
}

const userById = preparedQuery(['orgId', 'userId'], (db, hooks, variant: `${'any' | 'live'}${'' | ':lock'}`, a) => {
  let q = db
    .selectFrom('users as r')
    .select(userReadColumns)
    .where('r.org_id', '=', a.orgId)
    .where('r.id', '=', a.userId);
  if (variant.startsWith('live')) q = q.where('r.deleted_at', 'is', null);
  if (variant.endsWith(':lock') && hooks.lockRows) q = q.forNoKeyUpdate();
  return q;
});

export async function findUsersByUserNameOrWorkEmail(
  db: Db,
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
    db
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
      : await db
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

export async function listUsers(
  db: Db,
  hooks: SqlDialectHooks,
  orgId: string,
  query: RowsQuery,
  memory?: ListPositions,
): Promise<Page<UserRecord>> {
  const { total, rows } = await listRows(
    db,
    hooks,
    'users',
    userAttributeMap,
    orgId,
    query,
    userReadColumns,
    query.withDeleted,
    memory,
  );
  return { total, items: rows.map(rowToUser), docChars: docChars(rows) };
}

export async function newestUsers(
  db: Db,
  orgId: string,
  page: { afterId?: string; limit: number },
): Promise<UserRecord[]> {
  let q = db.selectFrom('users as r').select(userReadColumns).where('r.org_id', '=', orgId);
  if (page.afterId !== undefined) q = q.where('r.id', '<', page.afterId);
  const rows = await q.orderBy('r.id', 'desc').limit(page.limit).execute();
  return rows.map(rowToUser);
}

export async function existingUserIds(
  db: Db,
  hooks: SqlDialectHooks,
  orgId: string,
  userIds: readonly string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  for (const ids of chunks(unique(userIds))) {
    let q = db
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
    if (hooks.lockRows) q = q.forShare();
    const rows = await q.execute();
    for (const row of rows) found.add(row.id);
  }
  return found;
}
