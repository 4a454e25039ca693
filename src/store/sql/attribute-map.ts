import type { AttributeDef, ResourceTypeDef } from '../../scim/schema/attribute.js';
import type { ResolvedPath } from '../../scim/schema/resolve-path.js';

/**
 * The allow-list: which SCIM attribute paths the store can filter and sort on, and where they
 * live. A path not listed here is answered with 400 invalidFilter, never filtered in memory.
 */
export type ColumnType = 'string' | 'boolean' | 'dateTime';

export interface ColumnTarget {
  readonly kind: 'column';
  readonly column: string;
  /** The case-folded twin, present for attributes with caseExact false. */
  readonly ciColumn?: string;
  readonly type: ColumnType;
}

/** A sub-attribute of a value/type/display/primary multi-valued attribute, in `user_values`. */
export interface ValuesTarget {
  readonly kind: 'values';
  readonly attr: string;
}

export type FilterTarget = ColumnTarget | ValuesTarget;

const str = (column: string, caseExact = false): ColumnTarget =>
  caseExact ? { kind: 'column', column, type: 'string' } : { kind: 'column', column, ciColumn: `${column}_ci`, type: 'string' };

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user';

/** Keys are lower-cased canonical paths: `name.givenname`, `<enterprise urn>:department`. */
const userColumns: Record<string, ColumnTarget> = {
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
  active: { kind: 'column', column: 'active', type: 'boolean' },
  'meta.created': { kind: 'column', column: 'created_at', type: 'dateTime' },
  'meta.lastmodified': { kind: 'column', column: 'updated_at', type: 'dateTime' },
  [`${ENTERPRISE}:employeenumber`]: str('employee_number'),
  [`${ENTERPRISE}:costcenter`]: str('cost_center'),
  [`${ENTERPRISE}:organization`]: str('organization'),
  [`${ENTERPRISE}:division`]: str('division'),
  [`${ENTERPRISE}:department`]: str('department'),
  [`${ENTERPRISE}:manager.value`]: str('manager_id', true),
};

/** Multi-valued attributes kept as rows of `user_values` (value, type, display, primary). */
export const userValueAttributes = ['emails', 'phoneNumbers', 'ims', 'photos', 'entitlements', 'roles'] as const;

const userValueSet = new Set(userValueAttributes.map((a) => a.toLowerCase()));

/** The sub-attributes a `user_values` row holds, with their column and case rule. */
export const valueColumns: Record<string, { column: string; ciColumn?: string; type: ColumnType }> = {
  value: { column: 'value', ciColumn: 'value_ci', type: 'string' },
  type: { column: 'type', ciColumn: 'type_ci', type: 'string' },
  display: { column: 'display', ciColumn: 'display_ci', type: 'string' },
  primary: { column: 'primary_flag', type: 'boolean' },
};

export interface AttributeMap {
  readonly type: ResourceTypeDef;
  /** Where a resolved single-valued path lives, or undefined. */
  column(resolved: ResolvedPath): ColumnTarget | undefined;
  /** The `user_values` attribute name for a multi-valued attribute, or undefined. */
  values(attribute: AttributeDef): string | undefined;
}

function pathKey(resolved: ResolvedPath): string {
  const prefix = resolved.isExtension && resolved.schema ? `${resolved.schema.id}:` : '';
  const sub = resolved.sub ? `.${resolved.sub.name}` : '';
  return `${prefix}${resolved.attribute.name}${sub}`.toLowerCase();
}

export function userAttributeMap(type: ResourceTypeDef): AttributeMap {
  return {
    type,
    column: (resolved) => userColumns[pathKey(resolved)],
    values: (attribute) =>
      attribute.multiValued && userValueSet.has(attribute.name.toLowerCase()) ? attribute.name : undefined,
  };
}

/** Columns of `users` derived from a document: the single source of what the map points at. */
export const userColumnPaths = Object.entries(userColumns);
