import { type RawBuilder, sql } from 'kysely';
import type { AttributeDef, ResourceTypeDef } from '../../scim/schema/attribute.js';
import { ENTERPRISE_USER_SCHEMA_ID } from '../../scim/schema/enterprise-user-schema.js';
import type { ResolvedPath } from '../../scim/schema/resolve-path.js';
import { groupResourceType, userResourceType } from '../../scim/schema/resource-types.js';

/**
 * The allow-list: which SCIM attribute paths the store can filter and sort on, and where they
 * live. A path not listed here is answered with 400 invalidFilter, never filtered in memory.
 * The compiled SQL addresses the resource table as `r` and a multi-valued child row as `v`.
 */
export type ColumnType = 'string' | 'boolean' | 'dateTime';

export interface ColumnTarget {
  readonly column: string;
  /** The case-folded twin, present for attributes with caseExact false. */
  readonly ciColumn?: string;
  readonly type: ColumnType;
}

/** A multi-valued attribute kept as child rows. */
export interface MultiTarget {
  /** Where a sub-attribute of one element lives in the child row `v`, or undefined. */
  sub(name: string): ColumnTarget | undefined;
  /**
   * "Some child row of `r` satisfies `predicate`", as `r.id in (select <parent id> from <child>
   * v where v.org_id = $org and ...)`. Not a correlated EXISTS: SQLite runs that once per row of
   * the organization, where this form reads the child index once (`emails[value eq "x"]` on a
   * million users is an index lookup, not a scan).
   */
  some(orgId: string, predicate: RawBuilder<boolean>): RawBuilder<boolean>;
}

export interface AttributeMap {
  readonly type: ResourceTypeDef;
  /** Where a resolved single-valued path lives, or undefined. */
  column(resolved: ResolvedPath): ColumnTarget | undefined;
  /** The child rows of a multi-valued attribute, or undefined. */
  multi(attribute: AttributeDef): MultiTarget | undefined;
  /** Human list of what can be filtered, for error messages. */
  readonly filterable: readonly string[];
}

const str = (column: string, caseExact = false): ColumnTarget =>
  caseExact ? { column, type: 'string' } : { column, ciColumn: `${column}_ci`, type: 'string' };
const META: Record<string, ColumnTarget> = {
  'meta.created': { column: 'created_at', type: 'dateTime' },
  'meta.lastmodified': { column: 'updated_at', type: 'dateTime' },
};

function pathKey(resolved: ResolvedPath): string {
  const prefix = resolved.isExtension && resolved.schema ? `${resolved.schema.id}:` : '';
  const sub = resolved.sub ? `.${resolved.sub.name}` : '';
  return `${prefix}${resolved.attribute.name}${sub}`.toLowerCase();
}

function buildMap(
  type: ResourceTypeDef,
  columns: Record<string, ColumnTarget>,
  multi: Record<string, MultiTarget>,
  filterable: readonly string[],
): AttributeMap {
  const byKey = new Map(Object.entries(columns).map(([k, v]) => [k.toLowerCase(), v]));
  const multiByName = new Map(Object.entries(multi).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    type,
    column: (resolved) => byKey.get(pathKey(resolved)),
    multi: (attribute) => (attribute.multiValued ? multiByName.get(attribute.name.toLowerCase()) : undefined),
    filterable,
  };
}

/** value/type/display/primary of a `user_values` row. */
const valueColumns: Record<string, ColumnTarget> = {
  value: str('value'),
  type: str('type'),
  display: str('display'),
  primary: { column: 'primary_flag', type: 'boolean' },
};

/** Multi-valued User attributes kept as rows of `user_values`. */
export const userValueAttributes = ['emails', 'phoneNumbers', 'ims', 'photos', 'entitlements', 'roles'] as const;

const userValues = (attr: string): MultiTarget => ({
  sub: (name) => valueColumns[name.toLowerCase()],
  some: (orgId, p) =>
    sql<boolean>`r.id in (select v.user_id from user_values v where v.org_id = ${orgId} and v.attr = ${attr} and ${p})`,
});

const ENTERPRISE = ENTERPRISE_USER_SCHEMA_ID;

export const userAttributeMap: AttributeMap = buildMap(
  userResourceType,
  {
    id: str('id', true),
    externalid: str('external_id', true),
    username: str('user_name'),
    displayname: str('display_name'),
    'name.givenname': str('given_name'),
    'name.familyname': str('family_name'),
    'name.formatted': str('formatted_name'),
    nickname: str('nick_name'),
    title: str('title'),
    usertype: str('user_type'),
    locale: str('locale'),
    preferredlanguage: str('preferred_language'),
    timezone: str('timezone'),
    active: { column: 'active', type: 'boolean' },
    ...META,
    [`${ENTERPRISE}:employeenumber`]: str('employee_number'),
    [`${ENTERPRISE}:costcenter`]: str('cost_center'),
    [`${ENTERPRISE}:organization`]: str('organization'),
    [`${ENTERPRISE}:division`]: str('division'),
    [`${ENTERPRISE}:department`]: str('department'),
    [`${ENTERPRISE}:manager.value`]: str('manager_id', true),
  },
  {
    ...Object.fromEntries(userValueAttributes.map((a) => [a, userValues(a)])),
    groups: {
      sub: (name) => (name.toLowerCase() === 'value' ? str('team_id', true) : undefined),
      some: (orgId, p) =>
        sql<boolean>`r.id in (select v.user_id from team_members v where v.org_id = ${orgId} and ${p})`,
    },
  },
  [
    'id',
    'externalId',
    'userName',
    'displayName',
    'name.givenName',
    'name.familyName',
    'name.formatted',
    'nickName',
    'title',
    'userType',
    'locale',
    'preferredLanguage',
    'timezone',
    'active',
    'meta.created',
    'meta.lastModified',
    'emails, phoneNumbers, ims, photos, entitlements, roles (value, type, display, primary)',
    'groups.value',
    'enterprise employeeNumber, costCenter, organization, division, department, manager.value',
  ],
);

export const groupAttributeMap: AttributeMap = buildMap(
  groupResourceType,
  {
    id: str('id', true),
    externalid: str('external_id', true),
    displayname: str('display_name'),
    ...META,
  },
  {
    members: {
      sub: (name) => (name.toLowerCase() === 'value' ? str('user_id', true) : undefined),
      some: (orgId, p) =>
        sql<boolean>`r.id in (select v.team_id from team_members v where v.org_id = ${orgId} and ${p})`,
    },
  },
  ['id', 'externalId', 'displayName', 'meta.created', 'meta.lastModified', 'members.value'],
);
