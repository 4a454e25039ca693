/**
 * The requests Entra sends, shaped as the fixtures under test/fixtures/entra-* record them: a
 * user create with the enterprise extension, the two dialects of `active` replace, and member
 * add/remove on a group. Every builder returns the body text, ready for the wire.
 */

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTRA_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

const GIVEN = ['Alex', 'Jordan', 'Lee', 'Sam', 'Robin', 'Kim', 'Noor', 'Ana', 'Yuki', 'Omar'];
const FAMILY = ['Wu', 'Blake', 'Tanaka', 'Okafor', 'Meyer', 'Silva', 'Haddad', 'Novak', 'Ito', 'Reyes'];
const DEPARTMENTS = ['Legal', 'Finance', 'Sales', 'Engineering', 'Operations'];
const TITLES = ['Associate', 'Paralegal', 'Counsel', 'Analyst', 'Partner'];

/** A stable GUID-shaped objectId for user `i` of run `run` (8 hex digits of run, 12 of i). */
export function objectId(run: string, i: number): string {
  const tail = i.toString(16).padStart(12, '0');
  return `${run.slice(0, 8)}-0000-4000-8000-${tail}`;
}

export interface EntraPerson {
  readonly externalId: string;
  readonly userName: string;
}

/** Person `i` of a run: Entra's `mail` as userName, its objectId as externalId. */
export function person(run: string, i: number, prefix = 'user'): EntraPerson {
  const given = GIVEN[i % GIVEN.length] as string;
  const family = FAMILY[Math.floor(i / GIVEN.length) % FAMILY.length] as string;
  return { externalId: objectId(run, i), userName: `${given}.${family}.${prefix}${i}@contoso.com` };
}

/** POST /Users as Entra's initial cycle sends it (entra-compliant/replace-multiple-attributes.json). */
export function createUserBody(who: EntraPerson, i: number): string {
  const [given, family] = who.userName.split('.') as [string, string];
  return JSON.stringify({
    schemas: [USER, ENTERPRISE],
    externalId: who.externalId,
    userName: who.userName,
    active: true,
    displayName: `${given} ${family}`,
    emails: [{ primary: true, type: 'work', value: who.userName }],
    meta: { resourceType: 'User' },
    name: { formatted: `${given} ${family}`, familyName: family, givenName: given },
    title: TITLES[i % TITLES.length],
    [ENTERPRISE]: { employeeNumber: String(100000 + i), department: DEPARTMENTS[i % DEPARTMENTS.length] },
    roles: [],
  });
}

/** POST /Groups with Entra's extra schema URN (entra-legacy-groups/create-group.json). */
export function createGroupBody(externalId: string, displayName: string): string {
  return JSON.stringify({
    schemas: [GROUP, ENTRA_GROUP],
    externalId,
    displayName,
    meta: { resourceType: 'Group' },
  });
}

/** The legacy dialect: capitalised op, the boolean as a string (entra-legacy/reenable-user.json). */
export function legacyActiveBody(active: boolean): string {
  return JSON.stringify({
    schemas: [PATCH_OP],
    Operations: [{ op: 'Replace', path: 'active', value: active ? 'True' : 'False' }],
  });
}

/** The RFC dialect (aadOptscim062020): a real boolean (entra-compliant/reenable-user.json). */
export function rfcActiveBody(active: boolean): string {
  return JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: active }] });
}

/** Members added in one PATCH, as the legacy dialect sends them (with `"$ref": null`). */
export function addMembersBody(userIds: readonly string[]): string {
  return JSON.stringify({
    schemas: [PATCH_OP],
    Operations: [{ op: 'Add', path: 'members', value: userIds.map((value) => ({ $ref: null, value })) }],
  });
}

/** One member added, RFC dialect (entra-compliant-groups/add-members.json). */
export function addMemberBody(userId: string): string {
  return JSON.stringify({
    schemas: [PATCH_OP],
    Operations: [{ op: 'add', path: 'members', value: [{ value: userId }] }],
  });
}

/** One member removed by value filter, RFC dialect (entra-compliant-groups/remove-members.json). */
export function removeMemberBody(userId: string): string {
  return JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${userId}"]` }] });
}

/** `GET /Users?filter=...` (or /Groups) with the filter URL-encoded as Entra sends it. */
export function filterPath(resource: 'Users' | 'Groups', filter: string, extra = ''): string {
  return `/scim/v2/${resource}?${extra}filter=${encodeURIComponent(filter)}`;
}
