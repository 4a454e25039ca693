import { invalidValue, notFound } from '../scim/scim-error.js';
import { type MemberRecord, memberIdOf, type Store } from '../store/store.js';
import { type MemberData, teamData, userData } from './directory-events.js';
import { limitParam, requiredParam, single } from './feed-params.js';
import { orgNotFound } from './org-not-found.js';

export const SNAPSHOT_DEFAULT_LIMIT = 100;
export const SNAPSHOT_MAX_LIMIT = 1000;
/** Characters of item JSON after which a page takes no further item (at least one is sent). */
export const SNAPSHOT_MAX_PAGE_CHARS = 4 * 1024 * 1024;
const READ_CHUNK = 100;
/** Longer than any id this service issues. */
const MAX_ID_LENGTH = 128;

export const SNAPSHOT_RESOURCES = ['users', 'teams', 'members'] as const;
export type SnapshotResource = (typeof SNAPSHOT_RESOURCES)[number];

export interface SnapshotPage {
  /**
   * The organization's newest cursor, read before this page's rows. The first page's is where a
   * consumer follows the feed from once it has paged to the end (docs/events.md "Snapshot").
   */
  readonly cursor: number;
  /** Users and teams as events' `data.user` / `data.team`, members as `data.member`. */
  readonly items: readonly unknown[];
  /** The id to pass as `after` for the next page; null on the last page. */
  readonly next: string | null;
}

/**
 * The directory as it is, keyset-paged by id: live users, teams, and one team's members. Not one
 * snapshot in the database's sense: pages are separate reads, and what changes while a consumer
 * pages is in the feed after the first page's cursor. Events carry whole resources as they are
 * after each change, so replaying them over the pages converges on the directory.
 */
export class EventsSnapshot {
  constructor(private readonly store: Store) {}

  /** `GET /api/v1/snapshot?org=&resource=&team=&after=&limit=`, as the query string gave them. */
  async read(query: Readonly<Record<string, unknown>>): Promise<SnapshotPage> {
    const orgId = requiredParam(query, 'org', 'snapshot.org');
    const resource = requiredParam(query, 'resource', 'snapshot.resource');
    if (!(SNAPSHOT_RESOURCES as readonly string[]).includes(resource)) {
      throw invalidValue(
        `"resource" must be one of ${SNAPSHOT_RESOURCES.join(', ')}; got ${JSON.stringify(resource)}`,
        'snapshot.resource',
      );
    }
    const team = single(query, 'team', 'snapshot.team');
    if (resource === 'members' ? !team : team !== undefined) {
      throw invalidValue('"team" names the team whose members to list, with resource=members only', 'snapshot.team');
    }
    const after = single(query, 'after', 'snapshot.after');
    if (after !== undefined && (after === '' || after.length > MAX_ID_LENGTH)) {
      throw invalidValue('"after" must be the `next` id of the previous page', 'snapshot.after');
    }
    const limit = limitParam(query, SNAPSHOT_DEFAULT_LIMIT, SNAPSHOT_MAX_LIMIT, 'snapshot.limit');
    return this.page(orgId, resource as SnapshotResource, { team, after, limit });
  }

  async page(
    orgId: string,
    resource: SnapshotResource,
    options: { readonly team?: string | undefined; readonly after?: string | undefined; readonly limit: number },
  ): Promise<SnapshotPage> {
    if (!(await this.store.getOrg(orgId))) throw orgNotFound(orgId);
    const cursor = await this.store.events.lastCursor(orgId);
    let read: (after: string | undefined, limit: number) => Promise<{ id: string; item: unknown }[]>;
    if (resource === 'members') {
      const teamId = options.team ?? '';
      if (!(await this.store.getTeam(orgId, teamId))) {
        throw notFound(`No team with id ${teamId} in organization ${orgId}`, 'group.notFound');
      }
      read = async (after, limit) =>
        (await this.store.pageMembers(orgId, teamId, after, limit)).map((m) => ({
          id: memberIdOf(m),
          item: memberData(m),
        }));
    } else if (resource === 'users') {
      read = async (after, limit) =>
        (await this.store.events.pageUsers(orgId, after, limit)).map((u) => ({ id: u.id, item: userData(u) }));
    } else {
      read = async (after, limit) =>
        (await this.store.events.pageTeams(orgId, after, limit)).map((t) => ({ id: t.id, item: teamData(t) }));
    }
    return { cursor, ...(await fill(read, options.after, options.limit)) };
  }
}

/** Chunks of rows after `after` until `limit` items or the character budget; `next` null at the end. */
async function fill(
  read: (after: string | undefined, limit: number) => Promise<{ id: string; item: unknown }[]>,
  after: string | undefined,
  limit: number,
): Promise<{ items: unknown[]; next: string | null }> {
  const items: unknown[] = [];
  let last = after;
  let chars = 0;
  for (;;) {
    const want = Math.min(READ_CHUNK, limit - items.length);
    const rows = await read(last, want + 1);
    for (const row of rows.slice(0, want)) {
      const size = JSON.stringify(row.item).length;
      if (items.length > 0 && chars + size > SNAPSHOT_MAX_PAGE_CHARS) return { items, next: last ?? null };
      items.push(row.item);
      chars += size;
      last = row.id;
    }
    if (rows.length <= want) return { items, next: null };
    if (items.length >= limit) return { items, next: last ?? null };
  }
}

function memberData(member: MemberRecord): MemberData {
  return member.kind === 'user'
    ? { type: 'user', id: member.userId, userName: member.userName }
    : { type: 'team', id: member.teamId, displayName: member.displayName };
}
