import { foldCase } from '../../scim/fold-case.js';
import type { ResourceDoc } from '../../scim/resources/resource-doc.js';
import { ENTERPRISE_USER_SCHEMA_ID } from '../../scim/schema/enterprise-user-schema.js';
import type { UserRecord } from '../store.js';
import { userValueAttributes } from './attribute-map.js';
import type { UsersTable, UserValuesTable } from './db-schema.js';

/** SCIM User ⇄ `users` row: the one place that knows which document value feeds which column. */

type Obj = Record<string, unknown>;

const asObj = (v: unknown): Obj | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
const asStr = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function pair(value: unknown): [string | null, string | null] {
  const s = asStr(value);
  return [s, s === null ? null : foldCase(s)];
}

export function userToRow(user: UserRecord): UsersTable {
  const doc = user.doc as Obj;
  const name = asObj(doc.name) ?? {};
  const ent = asObj(doc[ENTERPRISE_USER_SCHEMA_ID]) ?? {};
  const manager = asObj(ent.manager) ?? {};
  const [display_name, display_name_ci] = pair(doc.displayName);
  const [given_name, given_name_ci] = pair(name.givenName);
  const [family_name, family_name_ci] = pair(name.familyName);
  const [formatted_name, formatted_name_ci] = pair(name.formatted);
  const [nick_name, nick_name_ci] = pair(doc.nickName);
  const [title, title_ci] = pair(doc.title);
  const [user_type, user_type_ci] = pair(doc.userType);
  const [locale, locale_ci] = pair(doc.locale);
  const [preferred_language, preferred_language_ci] = pair(doc.preferredLanguage);
  const [timezone, timezone_ci] = pair(doc.timezone);
  const [employee_number, employee_number_ci] = pair(ent.employeeNumber);
  const [cost_center, cost_center_ci] = pair(ent.costCenter);
  const [organization, organization_ci] = pair(ent.organization);
  const [division, division_ci] = pair(ent.division);
  const [department, department_ci] = pair(ent.department);
  return {
    org_id: user.orgId,
    id: user.id,
    user_name: user.userName,
    user_name_ci: foldCase(user.userName),
    external_id: user.externalId,
    active: user.active ? 1 : 0,
    scim_managed: user.scimManaged ? 1 : 0,
    display_name,
    display_name_ci,
    given_name,
    given_name_ci,
    family_name,
    family_name_ci,
    formatted_name,
    formatted_name_ci,
    nick_name,
    nick_name_ci,
    title,
    title_ci,
    user_type,
    user_type_ci,
    locale,
    locale_ci,
    preferred_language,
    preferred_language_ci,
    timezone,
    timezone_ci,
    employee_number,
    employee_number_ci,
    cost_center,
    cost_center_ci,
    organization,
    organization_ci,
    division,
    division_ci,
    department,
    department_ci,
    manager_id: asStr(manager.value),
    doc: JSON.stringify(user.doc),
    version: user.version,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
    deleted_at: user.deletedAt ?? null,
  };
}

/** Rows of `user_values` for every filterable multi-valued attribute of the document. */
export function userToValueRows(user: UserRecord): UserValuesTable[] {
  const doc = user.doc as Obj;
  const rows: UserValuesTable[] = [];
  for (const attr of userValueAttributes) {
    const list = doc[attr];
    if (!Array.isArray(list)) continue;
    list.forEach((element, idx) => {
      const e = asObj(element) ?? {};
      const [value, value_ci] = pair(e.value);
      const [type, type_ci] = pair(e.type);
      const [display, display_ci] = pair(e.display);
      rows.push({
        org_id: user.orgId,
        user_id: user.id,
        attr,
        idx,
        value,
        value_ci,
        type,
        type_ci,
        display,
        display_ci,
        primary_flag: primaryFlag(e.primary),
      });
    });
  }
  return rows;
}

/**
 * The stored primary: only the JSON booleans count (coerce-value.ts stores nothing else), and any
 * other value is absent, the rule migration 0006-primary-tri-state applies to rows written before.
 */
function primaryFlag(primary: unknown): number | null {
  if (primary === true) return 1;
  if (primary === false) return 0;
  return null;
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
