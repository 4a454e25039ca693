import { foldCase } from '../scim/fold-case.js';
import type { MemberRef } from '../scim/patch/member-plan.js';
import type { ScimJson } from '../scim/resources/to-scim.js';
import { invalidValue } from '../scim/scim-error.js';
import type { MemberRecord, StoreOps } from '../store/store.js';

/** How many member ids a log summary or an error detail names before it only counts. */
export const LOGGED_IDS = 10;

/** The members a request names, by kind, each checked to be a user or a team of the organization. */
export interface ResolvedMembers {
  readonly users: readonly string[];
  readonly teams: readonly string[];
}

/**
 * RFC 7643 §4.2: a member is a User or a Group, named by `value`; `type` may say which. Ids of
 * users and teams are both UUIDv7 and never collide, so an untyped value is looked up among the
 * users (the common case, and the only lookup when every member is one), then what is left among
 * the teams: indexed lookups in chunks, never a read of a team's member list.
 *
 * @throws ScimError 400 invalidValue `group.unknownMember` for a value that is neither, and
 * `group.memberType` for a `type` that says the other kind. Nothing has been written.
 */
export async function resolveMembers(
  tx: StoreOps,
  orgId: string,
  refs: readonly MemberRef[],
): Promise<ResolvedMembers> {
  if (refs.length === 0) return { users: [], teams: [] };
  const ids = [...new Set(refs.map((ref) => ref.value))];
  const users = await tx.existingUserIds(orgId, ids);
  const rest = ids.filter((id) => !users.has(id));
  const teams = rest.length > 0 ? await tx.existingTeamIds(orgId, rest) : new Set<string>();
  const missing = rest.filter((id) => !teams.has(id));
  if (missing.length > 0) {
    const one = missing.length === 1;
    throw invalidValue(
      `${one ? 'Member' : `${missing.length} members`} ${listIds(missing)} ${one ? 'is not a user or team' : 'are not users or teams'} of this organization; provision ${one ? 'it' : 'them'} before adding ${one ? 'it' : 'them'} to a team. Nothing was changed.`,
      'group.unknownMember',
    );
  }
  const wrong = refs.filter((ref) => {
    const kind = kindOf(ref.type);
    return (kind === 'user' && teams.has(ref.value)) || (kind === 'team' && users.has(ref.value));
  });
  const first = wrong[0];
  if (first !== undefined) {
    const isTeam = teams.has(first.value);
    throw invalidValue(
      `Member ${JSON.stringify(first.value)} has type ${JSON.stringify(first.type)} but is a ${isTeam ? 'team' : 'user'} of this organization; send type "${isTeam ? 'Group' : 'User'}", or no type. Nothing was changed.`,
      'group.memberType',
    );
  }
  return { users: ids.filter((id) => users.has(id)), teams: ids.filter((id) => teams.has(id)) };
}

/**
 * RFC 7643 §4.2 canonical types, ignoring case. Any other type names neither kind and is left to
 * the id, as before nested teams, so a client's own spelling of a user member keeps working.
 */
function kindOf(type: string | undefined): 'user' | 'team' | undefined {
  if (type === undefined) return undefined;
  const folded = foldCase(type);
  return folded === 'user' ? 'user' : folded === 'group' ? 'team' : undefined;
}

function listIds(ids: readonly string[]): string {
  const shown = ids
    .slice(0, LOGGED_IDS)
    .map((id) => JSON.stringify(id))
    .join(', ');
  return `${shown}${ids.length > LOGGED_IDS ? ', …' : ''}`;
}

/** A member as a Group's `members` renders it (RFC 7643 §4.2: `$ref` to the member resource). */
export function memberJson(m: MemberRecord, baseUrl: string): ScimJson {
  if (m.kind === 'team') {
    return { value: m.teamId, $ref: `${baseUrl}/Groups/${m.teamId}`, display: m.displayName, type: 'Group' };
  }
  return { value: m.userId, $ref: `${baseUrl}/Users/${m.userId}`, display: m.displayName ?? m.userName, type: 'User' };
}

/** The log summary's member part: `; members +2 (a, b) -1 (c)`. */
export function describeMembers(change: { added: readonly string[]; removed: readonly string[] }): string {
  if (change.added.length === 0 && change.removed.length === 0) return '';
  const ids = (list: readonly string[]) =>
    `${list.slice(0, LOGGED_IDS).join(', ')}${list.length > LOGGED_IDS ? `, … (${list.length - LOGGED_IDS} more)` : ''}`;
  const parts: string[] = [];
  if (change.added.length > 0) parts.push(`+${change.added.length} (${ids(change.added)})`);
  if (change.removed.length > 0) parts.push(`-${change.removed.length} (${ids(change.removed)})`);
  return `; members ${parts.join(' ')}`;
}
