import { checkFilter } from '../scim/filter/check-filter.js';
import { checkSortBy } from '../scim/list-check.js';
import { groupResourceType } from '../scim/schema/resource-types.js';
import { invalidValue, notFound } from '../scim/scim-error.js';
import { type MemberRecord, memberIdOf, type Page, type Store, type TeamRecord } from '../store/store.js';
import { orgNotFound } from './org-not-found.js';

/** Most teams one search page or members one member page holds (the console asks for fewer). */
export const MAX_TEAM_LOOKUP = 200;

/** One page of a team's members, and where the next one starts (undefined: this was the last). */
export interface MemberPage {
  readonly team: TeamRecord;
  readonly members: readonly MemberRecord[];
  readonly next: string | undefined;
}

/**
 * Support's look at teams (the console): find them by the start of their displayName, and page
 * through one team's members by keyset, so a team of a million members costs each page the same.
 */
export class TeamLookup {
  constructor(private readonly store: Store) {}

  /**
   * Teams whose displayName starts with `text`, ignoring case (the index on the folded name),
   * in displayName order; every team when `text` is blank.
   */
  async search(orgId: string, text: string, page: { offset: number; limit: number }): Promise<Page<TeamRecord>> {
    if (!(await this.store.getOrg(orgId))) throw orgNotFound(orgId);
    checkLimit(page.limit);
    if (!Number.isInteger(page.offset) || page.offset < 0) {
      throw invalidValue('The page must start at a whole number of teams', 'team.lookupOffset');
    }
    const value = text.trim();
    return this.store.listTeams(orgId, {
      ...(value === ''
        ? {}
        : {
            filter: checkFilter(groupResourceType, {
              kind: 'compare',
              path: { attr: 'displayName' },
              op: 'sw',
              value,
              at: 0,
            }),
          }),
      sortBy: checkSortBy(groupResourceType, { attr: 'displayName' }),
      sortOrder: 'ascending',
      offset: page.offset,
      limit: page.limit,
    });
  }

  /** The team and `limit` of its members (users and nested teams) after member id `after`. */
  async members(orgId: string, teamId: string, page: { after?: string; limit: number }): Promise<MemberPage> {
    if (!(await this.store.getOrg(orgId))) throw orgNotFound(orgId);
    checkLimit(page.limit);
    const team = await this.store.getTeam(orgId, teamId);
    if (!team) throw notFound(`No team with id ${teamId} in this organization`, 'group.notFound');
    // One more than shown: whether it exists says if there is a next page.
    const rows = await this.store.pageMembers(orgId, teamId, page.after, page.limit + 1);
    const members = rows.slice(0, page.limit);
    const last = members[members.length - 1];
    return { team, members, next: rows.length > page.limit && last ? memberIdOf(last) : undefined };
  }
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TEAM_LOOKUP) {
    throw invalidValue(`A page holds 1 to ${MAX_TEAM_LOOKUP} entries`, 'team.lookupLimit');
  }
}
