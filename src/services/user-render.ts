import { createHash } from 'node:crypto';
import { type ScimJson, toScimResource } from '../scim/resources/to-scim.js';
import { userResourceType } from '../scim/schema/resource-types.js';
import { wasReadInNoTeam } from '../store/membership-hint.js';
import type { StoreOps, UserRecord, UserTeamRecord } from '../store/store.js';
import type { Audit } from './audit.js';

/**
 * A user as SCIM answers it, with its readOnly `groups`. `inNoTeam`: the caller knows no team
 * holds the user (it was inserted in this transaction), so there is nothing to read: it renders
 * as renderUsers renders a user whose read found no team.
 */
export async function renderUser(
  audit: Audit,
  user: UserRecord,
  ops: StoreOps,
  options: { readonly inNoTeam?: boolean } = {},
): Promise<ScimJson> {
  if (options.inNoTeam) return toScimResource(userResourceType, user, audit.baseUrl);
  const [one] = await renderUsers(audit, [user], ops);
  return one as ScimJson;
}

/**
 * Users with their readOnly `groups` (RFC 7643 §4.1.2: direct and indirect memberships), read for
 * all of `users` with one query per chunk, never one per user; not for the users whose read found
 * them in no team (store/membership-hint.ts), so a user in none costs no query at all.
 */
export async function renderUsers(audit: Audit, users: readonly UserRecord[], ops: StoreOps): Promise<ScimJson[]> {
  const inSomeTeam = users.filter((u) => !wasReadInNoTeam(u)).map((u) => u.id);
  const teams =
    inSomeTeam.length > 0 ? await ops.teamsOfUsers(audit.org.id, inSomeTeam) : new Map<string, UserTeamRecord[]>();
  return users.map((user) => {
    const groups = (teams.get(user.id) ?? []).map((t: UserTeamRecord) => ({
      value: t.teamId,
      $ref: `${audit.baseUrl}/Groups/${t.teamId}`,
      display: t.displayName,
      type: t.type,
    }));
    return groups.length > 0
      ? toScimResource(userResourceType, user, audit.baseUrl, { groups }, groupsDigest(groups))
      : toScimResource(userResourceType, user, audit.baseUrl);
  });
}

/**
 * What of `groups` the user's ETag must cover (to-scim.ts `etag`): which teams, how, under what
 * name. Not `$ref`, which follows the base URL of the request as meta.location does. A user in no
 * team has the plain version ETag.
 */
function groupsDigest(groups: readonly { value: string; display: string; type: string }[]): string {
  const hash = createHash('sha256');
  for (const g of groups) hash.update(`${g.value}\u0000${g.type}\u0000${g.display}\u0000`);
  return hash.digest('base64url').slice(0, 16);
}
