import { type RawBuilder, sql } from 'kysely';
import { MAX_TEAM_NESTING_DEPTH } from '../../scim/limits.js';
import type { AttributeDef, ResourceTypeDef } from '../../scim/schema/attribute.js';
import { ENTERPRISE_USER_SCHEMA_ID } from '../../scim/schema/enterprise-user-schema.js';
import type { ResolvedPath } from '../../scim/schema/resolve-path.js';
import { groupResourceType, userResourceType } from '../../scim/schema/resource-types.js';
import { type ColumnDescriptor, type ColumnTarget, descriptorKey } from './column-descriptor.js';
import { teamColumns } from './team-columns.js';
import { userColumns, userValueAttributes, userValueColumns } from './user-columns.js';

// The filter compiler takes every type of the allow-list from this module.
export type { ColumnTarget, ColumnType } from './column-descriptor.js';

/*
 * The allow-list: which SCIM attribute paths the store can filter and sort on, and where they
 * live. A path not listed here is answered with 400 invalidFilter, never filtered in memory.
 * The compiled SQL addresses the resource table as `r` and a multi-valued child row as `v`.
 * Single-valued attributes are the column descriptors of user-columns.ts and team-columns.ts.
 */

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
  /** `select <columns, or 1> from` the organization's child rows of this attribute, narrowed. */
  rows(orgId: string, predicate?: RawBuilder<boolean>, columns?: RawBuilder<unknown>): RawBuilder<unknown>;
  /** The bytes of a child row's values that only the document cap bounds, if it has any. */
  readonly rowBytes: RawBuilder<number> | undefined;
  /** What the rows are, for error details: "emails values", "group memberships". */
  readonly noun: string;
}

export interface AttributeMap {
  readonly type: ResourceTypeDef;
  /** Where a resolved single-valued path lives, or undefined. */
  column(resolved: ResolvedPath): ColumnTarget | undefined;
  /** The child rows of a multi-valued attribute, or undefined. */
  multi(attribute: AttributeDef): MultiTarget | undefined;
  /** Human list of what can be filtered, for error messages. */
  readonly filterable: readonly string[];
  /**
   * The rows of the table that are SCIM resources, when not all are: users the IdP deleted whose
   * accounts are retained stay as rows that no SCIM read may see. Written as the partial unique
   * index's predicate, so that a lookup under it can use that index.
   */
  readonly live: RawBuilder<boolean> | undefined;
  /** `select <columns, or 1> from` the organization's live resources (`r`), narrowed by `predicate`. */
  rows(orgId: string, predicate?: RawBuilder<boolean>, columns?: RawBuilder<unknown>): RawBuilder<unknown>;
  /** The bytes of a resource row: its document holds every value the row holds. */
  readonly rowBytes: RawBuilder<number>;
  /** What the resources are, for error details: "users", "groups". */
  readonly noun: string;
  /** Filters an index answers, for the detail of a refused one. */
  readonly indexedHint: string;
}

/** A member id: compared exactly, and the leading column of its relation's index. */
const memberId = (column: string): ColumnTarget => ({ column, type: 'string', index: { column, unique: false } });

function pathKey(resolved: ResolvedPath): string {
  const prefix = resolved.isExtension && resolved.schema ? `${resolved.schema.id}:` : '';
  const sub = resolved.sub ? `.${resolved.sub.name}` : '';
  return `${prefix}${resolved.attribute.name}${sub}`.toLowerCase();
}

interface MapText {
  readonly noun: string;
  readonly indexedHint: string;
  /** How the multi-valued attributes read in the filterable list, after the core attributes. */
  readonly multi: readonly string[];
  /** A short name for each extension schema whose attributes are listed together, last. */
  readonly extensions?: Readonly<Record<string, string>>;
}

function buildMap(
  type: ResourceTypeDef,
  table: 'users' | 'teams',
  columns: readonly ColumnDescriptor<unknown>[],
  multi: Record<string, MultiTarget>,
  text: MapText,
  live?: RawBuilder<boolean>,
): AttributeMap {
  const byKey = new Map(columns.map((d) => [descriptorKey(d), d.target]));
  const multiByName = new Map(Object.entries(multi).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    type,
    column: (resolved) => byKey.get(pathKey(resolved)),
    multi: (attribute) => (attribute.multiValued ? multiByName.get(attribute.name.toLowerCase()) : undefined),
    live,
    rows: (orgId, p, c) =>
      sql`select ${c ?? sql`1`} from ${sql.table(table)} r where r.org_id = ${orgId}${narrow(live)}${narrow(p)}`,
    rowBytes: sql<number>`octet_length(r.doc)`,
    noun: text.noun,
    indexedHint: text.indexedHint,
    filterable: filterable(columns, text),
  };
}

/** The filterable list of error details: core attributes one by one, then the rest by group. */
function filterable(columns: readonly ColumnDescriptor<unknown>[], text: MapText): string[] {
  const names = (schema: string | undefined) => columns.filter((d) => d.schema === schema).map((d) => d.path);
  const extensions = Object.entries(text.extensions ?? {}).map(([uri, label]) => `${label} ${names(uri).join(', ')}`);
  return [...names(undefined), ...text.multi, ...extensions];
}

const narrow = (predicate: RawBuilder<boolean> | undefined) => (predicate ? sql` and ${predicate}` : sql``);

const valueColumns = new Map(userValueColumns.map((d) => [descriptorKey(d), d.target]));

const userValues = (attr: string): MultiTarget => ({
  sub: (name) => valueColumns.get(name.toLowerCase()),
  some: (orgId, p) =>
    sql<boolean>`r.id in (select v.user_id from user_values v where v.org_id = ${orgId} and v.attr = ${attr} and ${p})`,
  rows: (orgId, p, c) =>
    sql`select ${c ?? sql`1`} from user_values v where v.org_id = ${orgId} and v.attr = ${attr}${narrow(p)}`,
  // value is capped at 512 characters, type and display only by the document.
  rowBytes: sql<number>`coalesce(octet_length(v.type), 0) + coalesce(octet_length(v.display), 0)`,
  noun: `${attr} values`,
});

/**
 * A Group's `members`: user members (team_members) and nested teams (team_subteams) as one
 * relation `v(org_id, team_id, user_id)`, `user_id` holding either kind of member id (ids are
 * unique across both). Both halves keep their indexes: the planners push `v.org_id = $org and
 * <predicate>` into each arm of the UNION ALL (team_members_pk / team_members_user_ix,
 * team_subteams_pk / team_subteams_member_ix).
 */
const groupMembers = sql`(select org_id, team_id, user_id from team_members union all select org_id, team_id, member_team_id as user_id from team_subteams)`;

const members: MultiTarget = {
  sub: (name) => (name.toLowerCase() === 'value' ? memberId('user_id') : undefined),
  some: (orgId, p) =>
    sql<boolean>`r.id in (select v.team_id from ${groupMembers} v where v.org_id = ${orgId} and ${p})`,
  rows: (orgId, p, c) => sql`select ${c ?? sql`1`} from ${groupMembers} v where v.org_id = ${orgId}${narrow(p)}`,
  rowBytes: undefined,
  noun: 'group memberships',
};

/**
 * The teams that `predicate` (over `v.team_id`) selects, with every team nested in them, at most
 * MAX_TEAM_NESTING_DEPTH steps down: a user's `groups` holds its indirect groups too (RFC 7643
 * §4.1.2), so `groups.value eq "T"` finds the members of T's nested teams. The walk starts from
 * the teams the predicate names (teams_pk for an eq) and follows team_subteams_pk down.
 */
const selectedTeamsAndBelow = (orgId: string, predicate: RawBuilder<boolean>) =>
  sql`with recursive down(id, depth) as (select v.team_id, 0 from (select id as team_id from teams where org_id = ${orgId}) v where ${predicate} union select s.member_team_id, down.depth + 1 from down join team_subteams s on s.org_id = ${orgId} and s.team_id = down.id where down.depth < ${MAX_TEAM_NESTING_DEPTH}) select id from down`;

/** A User's `groups`: the memberships of the teams selected and of the teams nested in them. */
const userGroups: MultiTarget = {
  sub: (name) => (name.toLowerCase() === 'value' ? memberId('team_id') : undefined),
  some: (orgId, p) =>
    sql<boolean>`r.id in (select v.user_id from team_members v where v.org_id = ${orgId} and v.team_id in (${selectedTeamsAndBelow(orgId, p)}))`,
  rows: (orgId, p, c) =>
    sql`select ${c ?? sql`1`} from team_members v where v.org_id = ${orgId}${p ? sql` and v.team_id in (${selectedTeamsAndBelow(orgId, p)})` : sql``}`,
  rowBytes: undefined,
  noun: 'group memberships',
};

export const userAttributeMap: AttributeMap = buildMap(
  userResourceType,
  'users',
  userColumns,
  {
    ...Object.fromEntries(userValueAttributes.map((a) => [a, userValues(a)])),
    groups: userGroups,
  },
  {
    noun: 'users',
    indexedHint: 'eq on id, externalId, userName, displayName or emails.value (emails[value eq "..."])',
    multi: [`${userValueAttributes.join(', ')} (${userValueColumns.map((d) => d.path).join(', ')})`, 'groups.value'],
    extensions: { [ENTERPRISE_USER_SCHEMA_ID]: 'enterprise' },
  },
  // users_user_name_uq holds live users only (0007-retained-users.ts).
  sql<boolean>`r.deleted_at is null`,
);

export const groupAttributeMap: AttributeMap = buildMap(
  groupResourceType,
  'teams',
  teamColumns,
  { members },
  {
    noun: 'groups',
    indexedHint: 'eq on id, externalId, displayName or members.value (members[value eq "..."])',
    multi: ['members.value'],
  },
);
