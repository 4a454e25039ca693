import type { AttrPath } from '../../src/scim/attr-path.js';
import { type CheckedFilter, checkFilter } from '../../src/scim/filter/check-filter.js';
import { parseFilter } from '../../src/scim/filter/parse-filter.js';
import { type CheckedSortBy, checkSortBy } from '../../src/scim/list-check.js';
import { groupResourceType, userResourceType } from '../../src/scim/schema/resource-types.js';

/*
 * Store queries as the services hand them over: filters and sortBys the core has checked
 * (scim/filter/check-filter.ts, scim/list-request.ts), for tests that call the store directly.
 */

export const usersWhere = (filter: string): CheckedFilter => checkFilter(userResourceType, parseFilter(filter));
export const groupsWhere = (filter: string): CheckedFilter => checkFilter(groupResourceType, parseFilter(filter));
export const usersSortedBy = (path: AttrPath): CheckedSortBy => checkSortBy(userResourceType, path);
