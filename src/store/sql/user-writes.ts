import { type Kysely, sql } from 'kysely';
import type { UserRecord } from '../store.js';
import type { Database } from './db-schema.js';
import { preparedInsert } from './prepared-insert.js';
import { preparedQuery } from './prepared-query.js';
import type { SqlDialectHooks } from './sql-dialect.js';
import { userColumns, userValueAttributes } from './user-columns.js';
import { userRowColumns, userToRow, userToValueRows, userValueRowColumns } from './user-row.js';

/*
 * The statements of a user write (users-table.ts insertUser and updateUser), each compiled once:
 * a create or a PATCH runs them on every request, and Kysely's build of a 30-column write cost
 * more than running it.
 */

type Db = Kysely<Database>;

const insertUserRow = preparedInsert('users', userRowColumns);
const insertValueRows = preparedInsert('user_values', userValueRowColumns);

/**
 * The columns an index reads (besides the key, created_at and updated_at), in the groups written
 * together. SQLite rewrites the entry of every index whose column an UPDATE sets, changed or not:
 * measured on a copy of a bench database, a PATCH of `active` with every column set wrote 3.9
 * WAL pages, with only these left out 1.2. user-writes.test.ts checks the groups against the
 * indexes of the migrated table.
 */
export const indexedColumnGroups = {
  // users_external_id_uq
  externalId: ['external_id'],
  // users_user_name_uq and users_retained_ix; user_name itself feeds the case below.
  userName: ['user_name', 'user_name_ci'],
  // users_display_name_ix
  displayName: ['display_name_ci'],
  // users_live_ix, users_user_name_uq and users_retained_ix are partial on it.
  deleted: ['deleted_at'],
} as const satisfies Record<string, readonly string[]>;

type IndexedGroup = keyof typeof indexedColumnGroups;
const groupNames = Object.keys(indexedColumnGroups) as IndexedGroup[];
const grouped = new Set<string>(Object.values(indexedColumnGroups).flat());

/** What every update sets: the columns no index reads, but for the key and created_at. */
const alwaysColumns = userRowColumns.filter((c) => !['org_id', 'id', 'created_at'].includes(c) && !grouped.has(c));

/** One prepared UPDATE per set of groups written (at most 16). */
const updateStatements = new Map<string, ReturnType<typeof updateStatement>>();

function updateStatement(groups: readonly IndexedGroup[]) {
  const columns = [...alwaysColumns, ...groups.flatMap((g) => indexedColumnGroups[g])].filter(
    (c) => c !== 'user_name_ci',
  );
  const names = [
    ...columns,
    ...(groups.includes('userName') ? ['userNameCi'] : []),
    'orgId',
    'userId',
    'expectedVersion',
  ];
  return {
    columns,
    query: preparedQuery(names, (db, _hooks, _variant: '', a) =>
      db
        .updateTable('users')
        .set({
          ...(Object.fromEntries(columns.map((c) => [c, a[c]])) as Record<string, never>),
          // A user that lost a case-folding collision in migration 0005 keeps its marked value
          // (ASCII capitals, which no fold contains) while its userName stays the same, so that
          // the IdP can still update and deactivate it; a new userName is folded as usual.
          ...(groups.includes('userName')
            ? {
                user_name_ci: sql<string>`case when user_name = ${a.user_name} and user_name_ci <> lower(user_name_ci) then user_name_ci else ${a.userNameCi} end`,
              }
            : {}),
        })
        .where('org_id', '=', a.orgId as never)
        .where('id', '=', a.userId as never)
        .where('version', '=', a.expectedVersion as never),
    ),
  };
}

/**
 * Per group, what its columns are derived from, read off a record: the descriptors' own reads
 * (a folded twin is a function of its column) and the record's deletedAt. Comparing these is
 * cheaper than building the previous row (its document serialised, every text folded).
 */
const groupSources = Object.fromEntries(
  groupNames.map((g) => {
    const columns: readonly string[] = indexedColumnGroups[g];
    const reads: ((user: UserRecord) => unknown)[] = userColumns
      .filter(({ target }) => columns.includes(target.column) || columns.includes(target.ciColumn ?? ''))
      .map(({ read }) => read);
    if (columns.includes('deleted_at')) reads.push((user) => user.deletedAt ?? null);
    if (reads.length === 0) throw new Error(`user-writes: nothing writes the columns of ${g}`);
    return [g, reads];
  }),
) as unknown as Record<IndexedGroup, readonly ((user: UserRecord) => unknown)[]>;

/** The groups whose sources differ between `previous` and `next` (all without `previous`). */
function changedGroups(previous: UserRecord | undefined, next: UserRecord): IndexedGroup[] {
  if (!previous) return groupNames;
  return groupNames.filter((g) => groupSources[g].some((read) => read(previous) !== read(next)));
}

/** Whether the value rows of both are the same: they are a function of these attributes alone. */
function sameValueAttributes(previous: UserRecord, next: UserRecord): boolean {
  const before = previous.doc as Record<string, unknown>;
  const after = next.doc as Record<string, unknown>;
  return userValueAttributes.every(
    (attr) => before[attr] === after[attr] || JSON.stringify(before[attr]) === JSON.stringify(after[attr]),
  );
}

const deleteValueRows = preparedQuery(['orgId', 'userId'], (db, _hooks, _variant: '', a) =>
  db.deleteFrom('user_values').where('org_id', '=', a.orgId).where('user_id', '=', a.userId),
);

export async function insertUserRows(db: Db, hooks: SqlDialectHooks, user: UserRecord): Promise<void> {
  await db.executeQuery(insertUserRow(db, hooks, [userToRow(user)]));
  await insertValues(db, hooks, user);
}

/**
 * The UPDATE of the row at `expectedVersion` and the new value rows; false when no row had that
 * version. `previous`, the record as read at that version, leaves out what did not change: the
 * indexed columns of an unchanged group, and the value rows when the multi-valued attributes are
 * the same (an `active` PATCH then writes one row).
 */
export async function updateUserRows(
  db: Db,
  hooks: SqlDialectHooks,
  user: UserRecord,
  expectedVersion: number,
  previous?: UserRecord,
): Promise<boolean> {
  const known = previous && previous.version === expectedVersion && previous.id === user.id ? previous : undefined;
  const row = userToRow(user) as unknown as Record<string, unknown>;
  const groups = changedGroups(known, user);
  const key = groups.join(',');
  let statement = updateStatements.get(key);
  if (statement === undefined) {
    statement = updateStatement(groups);
    updateStatements.set(key, statement);
  }
  const args: Record<string, unknown> = {};
  for (const column of statement.columns) args[column] = row[column] ?? null;
  args.userNameCi = row.user_name_ci;
  args.orgId = user.orgId;
  args.userId = user.id;
  args.expectedVersion = expectedVersion;
  const result = await db.executeQuery(statement.query(db, hooks, '', args));
  if (Number(result.numAffectedRows) !== 1) return false;
  if (known && sameValueAttributes(known, user)) return true;
  await db.executeQuery(deleteValueRows(db, hooks, '', { orgId: user.orgId, userId: user.id }));
  await insertValues(db, hooks, user);
  return true;
}

async function insertValues(db: Db, hooks: SqlDialectHooks, user: UserRecord): Promise<void> {
  const rows = userToValueRows(user);
  if (rows.length > 0) await db.executeQuery(insertValueRows(db, hooks, rows));
}
