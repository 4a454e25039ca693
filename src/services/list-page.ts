import type { ListQuery } from '../scim/list-request.js';
import type { Page, ListQuery as StoreListQuery } from '../store/store.js';

/** A checked SCIM list request as the store takes it: 1-based startIndex becomes an offset. */
export function storeListQuery(query: ListQuery): StoreListQuery {
  return {
    ...(query.filter ? { filter: query.filter } : {}),
    ...(query.sortBy ? { sortBy: query.sortBy } : {}),
    sortOrder: query.sortOrder,
    offset: query.startIndex - 1,
    limit: query.count,
  };
}

/** What a list request found, for the provisioning log. */
export function listSummary(page: Page<unknown>): string {
  return `${page.total} match${page.total === 1 ? '' : 'es'}, ${page.items.length} returned`;
}
