import { type Kysely, sql } from 'kysely';
import type { UserRecord } from '../store.js';
import type { Database } from './db-schema.js';
import { preparedInsert } from './prepared-insert.js';
import { preparedQuery } from './prepared-query.js';
import type { SqlDialectHooks } from './sql-dialect.js';
import { userRowColumns, userToRow, userToValueRows, userValueRowColumns } from './user-row.js';

/*
 * The statements of a user write (users-table.ts insertUser and updateUser), each compiled once:
 * a create or a PATCH runs them on every request, and Kysely's build of a 30-column write cost
 * more than running it.
 */

type Db = Kysely<Database>;

const insertUserRow = preparedInsert('users', userRowColumns);
const insertValueRows = preparedInsert('user_values', userValueRowColumns);

/** What an update sets: every column but the key, created_at, and user_name_ci (set apart below). */
const updatedColumns = userRowColumns.filter((c) => !['org_id', 'id', 'created_at', 'user_name_ci'].includes(c));

const updateUserRow = preparedQuery(
  [...updatedColumns, 'userName', 'userNameCi', 'orgId', 'userId', 'expectedVersion'],
  (db, _hooks, _variant: '', a) =>
    db
      .updateTable('users')
      .set({
        ...(Object.fromEntries(updatedColumns.map((c) => [c, a[c]])) as Record<string, never>),
        // A user that lost a case-folding collision in migration 0005 keeps its marked value
        // (ASCII capitals, which no fold contains) while its userName stays the same, so that
        // the IdP can still update and deactivate it; a new userName is folded as usual.
        user_name_ci: sql<string>`case when user_name = ${a.userName} and user_name_ci <> lower(user_name_ci) then user_name_ci else ${a.userNameCi} end`,
      })
      .where('org_id', '=', a.orgId as never)
      .where('id', '=', a.userId as never)
      .where('version', '=', a.expectedVersion as never),
);

const deleteValueRows = preparedQuery(['orgId', 'userId'], (db, _hooks, _variant: '', a) =>
  db.deleteFrom('user_values').where('org_id', '=', a.orgId).where('user_id', '=', a.userId),
);

export async function insertUserRows(db: Db, hooks: SqlDialectHooks, user: UserRecord): Promise<void> {
  await db.executeQuery(insertUserRow(db, hooks, [userToRow(user)]));
  await insertValues(db, hooks, user);
}

/** The UPDATE of the row at `expectedVersion` and the new value rows; false when no row had that version. */
export async function updateUserRows(
  db: Db,
  hooks: SqlDialectHooks,
  user: UserRecord,
  expectedVersion: number,
): Promise<boolean> {
  const row = userToRow(user) as unknown as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const column of updatedColumns) args[column] = row[column] ?? null;
  args.userName = user.userName;
  args.userNameCi = row.user_name_ci;
  args.orgId = user.orgId;
  args.userId = user.id;
  args.expectedVersion = expectedVersion;
  const result = await db.executeQuery(updateUserRow(db, hooks, '', args));
  if (Number(result.numAffectedRows) !== 1) return false;
  await db.executeQuery(deleteValueRows(db, hooks, '', { orgId: user.orgId, userId: user.id }));
  await insertValues(db, hooks, user);
  return true;
}

async function insertValues(db: Db, hooks: SqlDialectHooks, user: UserRecord): Promise<void> {
  const rows = userToValueRows(user);
  if (rows.length > 0) await db.executeQuery(insertValueRows(db, hooks, rows));
}
