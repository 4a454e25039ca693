import type { ResourceDoc } from '../../scim/resource-doc.js';
import type { UserRecord } from '../store.js';
import { writeColumnNames, writeColumns } from './column-descriptor.js';
import type { UsersTable, UserValuesTable } from './db-schema.js';
import { userColumns, userValueAttributes, userValueColumns } from './user-columns.js';

/**
 * SCIM User ⇄ `users` row. Which document value feeds which column is user-columns.ts; this adds
 * the columns no filter reads.
 */
export function userToRow(user: UserRecord): UsersTable {
  // The type checker sees the described columns only as strings, hence the cast:
  // column-descriptor.test.ts checks them against the migrated table instead.
  return writeColumns(userColumns, user, {
    org_id: user.orgId,
    scim_managed: user.scimManaged ? 1 : 0,
    doc: JSON.stringify(user.doc),
    version: user.version,
    deleted_at: user.deletedAt ?? null,
  }) as unknown as UsersTable;
}

/** The columns of userToRow, in its order: the prepared insert's column list. */
export const userRowColumns: readonly string[] = [
  'org_id',
  'scim_managed',
  'doc',
  'version',
  'deleted_at',
  ...writeColumnNames(userColumns),
];

/** The columns of userToValueRows, in its order. */
export const userValueRowColumns: readonly string[] = [
  'org_id',
  'user_id',
  'attr',
  'idx',
  ...writeColumnNames(userValueColumns),
];

/** Rows of `user_values` for every filterable multi-valued attribute of the document. */
export function userToValueRows(user: UserRecord): UserValuesTable[] {
  const doc = user.doc as Record<string, unknown>;
  const rows: UserValuesTable[] = [];
  for (const attr of userValueAttributes) {
    const list = doc[attr];
    if (!Array.isArray(list)) continue;
    list.forEach((element, idx) => {
      rows.push(
        writeColumns(userValueColumns, element, {
          org_id: user.orgId,
          user_id: user.id,
          attr,
          idx,
        }) as unknown as UserValuesTable,
      );
    });
  }
  return rows;
}

export interface UserRowRead {
  org_id: string;
  id: string;
  user_name: string;
  external_id: string | null;
  active: number;
  scim_managed: number;
  doc: string;
  version: number;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export function rowToUser(row: UserRowRead): UserRecord {
  return {
    orgId: row.org_id,
    id: row.id,
    userName: row.user_name,
    externalId: row.external_id,
    active: row.active === 1,
    scimManaged: row.scim_managed === 1,
    doc: JSON.parse(row.doc) as ResourceDoc,
    version: Number(row.version),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    ...(row.deleted_at !== null ? { deletedAt: Number(row.deleted_at) } : {}),
  };
}

/** The columns reads need: never the `_ci` twins. */
export const userReadColumns = [
  'r.org_id',
  'r.id',
  'r.user_name',
  'r.external_id',
  'r.active',
  'r.scim_managed',
  'r.doc',
  'r.version',
  'r.created_at',
  'r.updated_at',
  'r.deleted_at',
] as const;
