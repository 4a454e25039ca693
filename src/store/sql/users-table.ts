import type { Kysely } from 'kysely';
import type { Page, RowsQuery, UserRecord } from '../store.js';
import { ConcurrentUpdate } from '../store-errors.js';
import { userAttributeMap } from './attribute-map.js';
import { chunks, unique } from './batches.js';
import type { Database } from './db-schema.js';
import { inTeamColumn, rowToProbedUser } from './in-team-probe.js';
import type { ListPositions } from './list-positions.js';
import { docChars, listRows } from './list-rows.js';
import { preparedQuery } from './prepared-query.js';
import { rowLimit } from './row-limit.js';
import type { SqlDialectHooks } from './sql-dialect.js';
import { uniqueWrite } from './unique-write.js';
import { rowToUser, userReadColumns } from './user-row.js';
import { insertUserRows, updateUserRows } from './user-writes.js';

/*
 * Users (`users`) and the elements of their filterable multi-valued attributes (`user_values`),
 * which are written, replaced and deleted together with the user.
 */

type Db = Kysely<Database>;

export async function insertUser(db: Db, hooks: SqlDialectHooks, user: UserRecord): Promise<void> {
  await uniqueWrite(hooks, () => insertUserRows(db, hooks, user));
}

export async function updateUser(
  db: Db,
  hooks: SqlDialectHooks,
  user: UserRecord,
  expectedVersion: number,
  previous?: UserRecord,
): Promise<void> {
  await uniqueWrite(hooks, async () => {
    // user-writes.ts: the statements compiled once, as a PATCH runs them on every request.
    if (!(await updateUserRows(db, hooks, user, expectedVersion, previous))) throw new ConcurrentUpdate();
  });
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
  return row && rowToProbedUser(row);
}

const userById = preparedQuery(['orgId', 'userId'], (db, hooks, variant: `${'any' | 'live'}${'' | ':lock'}`, a) => {
  let q = db
    .selectFrom('users as r')
    // A locked read too: a change of a user never changes its teams (`groups` is readOnly), so
    // what it renders afterwards is in no team when the read found it in none (users.ts update).
    .select([...userReadColumns, inTeamColumn])
    .where('r.org_id', '=', a.orgId)
    .where('r.id', '=', a.userId);
  if (variant.startsWith('live')) q = q.where('r.deleted_at', 'is', null);
  if (variant.endsWith(':lock') && hooks.lockRows) q = q.forNoKeyUpdate();
  return q;
});

/** The link lookup of a create: one prepared statement, user-link-lookup.ts. */
export { findUsersByUserNameOrWorkEmail } from './user-link-lookup.js';

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
    // The membership probe beside the columns (in-team-probe.ts); listRows selects what it is given.
    userListColumns as unknown as typeof userReadColumns,
    query.withDeleted,
    memory,
  );
  return { total, items: rows.map(rowToProbedUser), docChars: docChars(rows) };
}

const userListColumns = [...userReadColumns, inTeamColumn] as const;

export async function newestUsers(
  db: Db,
  orgId: string,
  page: { afterId?: string; limit: number },
): Promise<UserRecord[]> {
  let q = db.selectFrom('users as r').select(userReadColumns).where('r.org_id', '=', orgId);
  if (page.afterId !== undefined) q = q.where('r.id', '<', page.afterId);
  const rows = await q.orderBy('r.id', 'desc').limit(rowLimit(page.limit)).execute();
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
