import { ENTERPRISE_USER_SCHEMA_ID } from '../../scim/schema/enterprise-user-schema.js';
import type { UserRecord } from '../store.js';
import { columnsOf } from './column-descriptor.js';
import type { UsersTable, UserValuesTable } from './db-schema.js';

/*
 * The User attributes the store can filter and sort on, one entry each: userToRow (user-row.ts)
 * writes the columns from these entries and attribute-map.ts answers filters from them, in this
 * order in its error details. A new filterable attribute (one the schema in src/scim/schema
 * defines) is one entry here, its columns in db-schema.ts, and a migration that adds them, with
 * the index the entry names; column-descriptor.test.ts fails until all three agree.
 */

const ENTERPRISE = ENTERPRISE_USER_SCHEMA_ID;
const user = columnsOf<UserRecord, UsersTable>((record) => record.doc);

export const userColumns = [
  // users_pk, users_external_id_uq, users_user_name_uq (live users only, 0007-retained-users.ts),
  // users_display_name_ix, users_created_ix and users_updated_ix, all after org_id. The record's
  // own fields win over the document's copies of them.
  user.text('id', 'id', { caseExact: true, index: { unique: true }, read: (r) => r.id }),
  user.text('externalId', 'external_id', { caseExact: true, index: { unique: true }, read: (r) => r.externalId }),
  user.text('userName', 'user_name', { index: { unique: true }, read: (r) => r.userName }),
  user.text('displayName', 'display_name', { index: { unique: false } }),
  user.text('name.givenName', 'given_name'),
  user.text('name.familyName', 'family_name'),
  user.text('name.formatted', 'formatted_name'),
  user.text('nickName', 'nick_name'),
  user.text('title', 'title'),
  user.text('userType', 'user_type'),
  user.text('locale', 'locale'),
  user.text('preferredLanguage', 'preferred_language'),
  user.text('timezone', 'timezone'),
  user.boolean('active', 'active', (r) => (r.active ? 1 : 0)),
  user.dateTime('meta.created', 'created_at', (r) => r.createdAt, { index: { unique: false } }),
  user.dateTime('meta.lastModified', 'updated_at', (r) => r.updatedAt, { index: { unique: false } }),
  user.text('employeeNumber', 'employee_number', { schema: ENTERPRISE }),
  user.text('costCenter', 'cost_center', { schema: ENTERPRISE }),
  user.text('organization', 'organization', { schema: ENTERPRISE }),
  user.text('division', 'division', { schema: ENTERPRISE }),
  user.text('department', 'department', { schema: ENTERPRISE }),
  user.text('manager.value', 'manager_id', { schema: ENTERPRISE, caseExact: true }),
];

/** Multi-valued User attributes kept as rows of `user_values`, one per element. */
export const userValueAttributes = ['emails', 'phoneNumbers', 'ims', 'photos', 'entitlements', 'roles'] as const;

const element = columnsOf<unknown, UserValuesTable>((e) => e);

/** The sub-attributes of a `user_values` element, read from the element itself. */
export const userValueColumns = [
  // user_values_value_ix (org_id, attr, value_ci); a caseExact value (photos) compares `value`.
  element.text('value', 'value', { index: { unique: false } }),
  element.text('type', 'type'),
  element.text('display', 'display'),
  // NULL for an element sent without primary (0006-primary-tri-state.ts), so `pr` is `is not
  // null` and `eq false` does not match it, as the PATCH evaluator reads the document.
  element.boolean('primary', 'primary_flag', (e) => primaryFlag(e)),
];

/**
 * The stored primary: only the JSON booleans count (coerce-value.ts stores nothing else), and any
 * other value is absent, the rule migration 0006-primary-tri-state applies to rows written before.
 */
function primaryFlag(e: unknown): number | null {
  const primary = e !== null && typeof e === 'object' ? (e as { primary?: unknown }).primary : undefined;
  if (primary === true) return 1;
  if (primary === false) return 0;
  return null;
}
