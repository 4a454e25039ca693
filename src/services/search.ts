import type { AttrPath } from '../scim/attr-path.js';
import type { Filter } from '../scim/filter/ast.js';
import { checkFilter } from '../scim/filter/check-filter.js';
import { printAttrPath } from '../scim/filter/print-filter.js';
import { checkSortBy } from '../scim/list-check.js';
import type { ListRequest } from '../scim/list-request.js';
import type { ScimJson } from '../scim/resources/to-scim.js';
import type { ResourceTypeDef } from '../scim/schema/attribute.js';
import { resolvePath } from '../scim/schema/resolve-path.js';
import { groupResourceType, userResourceType } from '../scim/schema/resource-types.js';
import { invalidValue } from '../scim/scim-error.js';
import type { RowsQuery, Store } from '../store/store.js';
import type { Audit, Done } from './audit.js';
import { answeringStoreLimits, type ChunkedPage, listSummary } from './list-page.js';
import { filtersPerType, isResourceType } from './search-filter.js';
import {
  compareSources,
  MERGE_KEYS,
  mergeKeyName,
  mergeStreams,
  type SortSource,
  type SortValue,
} from './search-order.js';
import type { GroupView, Teams } from './teams.js';
import type { Users } from './users.js';

/** One resource of a root search, as the list service of its type produced it. */
export type RootItem =
  | { readonly type: 'User'; readonly resource: ScimJson }
  | { readonly type: 'Group'; readonly view: GroupView };

/** A root search page: like ChunkedPage, but one resource at a time, Users and Groups mixed. */
export interface RootPage {
  readonly total: number;
  readonly planned: number;
  readonly resources: AsyncGenerator<RootItem>;
}

/** One resource type as a root search reads it. */
interface Side {
  /** The type's own list service: chunked reads, rendering, `members` left to the writer. */
  list(audit: Audit, query: ListRequest): Promise<ChunkedPage<RootItem>>;
  /** A bare store read, for counts and single-row probes: nothing rendered. */
  read(orgId: string, query: ProbeQuery): Promise<{ total: number; first: SortSource | undefined }>;
}

/** A probe of one type's rows, with the filter and sortBy as the root search names them. */
type ProbeQuery = Omit<RowsQuery, 'filter' | 'sortBy'> & { readonly filter?: Filter; readonly sortBy?: AttrPath };

/** A probe checked against the type it reads (idempotent on a filter checked already). */
function checkedRows(type: ResourceTypeDef, query: ProbeQuery): RowsQuery {
  const { filter, sortBy, ...rest } = query;
  return {
    ...rest,
    ...(filter ? { filter: checkFilter(type, filter) } : {}),
    ...(sortBy ? { sortBy: checkSortBy(type, sortBy) } : {}),
  };
}

/** A type in a concatenated order, with its filter for this request and whether sortBy applies. */
interface Part {
  readonly side: Side;
  readonly filter: Filter | boolean;
  readonly sorted: boolean;
}

/**
 * RFC 7644 §3.4.3 root search (POST /.search): Users and Groups in one ListResponse, each through
 * its own list service, so chunked reads, the filter compiled to SQL per type and the page byte
 * budget work exactly as on /Users and /Groups.
 *
 * Order of the union (RFC 7644 §3.4.2.3 defines none without sortBy; "id order" below is in the
 * direction of sortOrder, as on /Users and /Groups):
 * - no sortBy: every matching User, then every matching Group, each in id order;
 * - sortBy an attribute both types sort on (id, externalId, displayName, meta.created,
 *   meta.lastModified): one order across both, as each store orders its own (absent values last,
 *   then id), ties between a User and a Group by id;
 * - sortBy an attribute only one type has (userName, name.familyName, ...): that type's resources in
 *   that order, then the other type's in id order, as if the attribute were absent there (the
 *   store's "absent last") but without interleaving the two types' absent values;
 * - sortBy meta.resourceType: the types by name (Group before User ascending), each in id order.
 */
export class RootSearch {
  private readonly users: Side;
  private readonly groups: Side;

  constructor(store: Store, users: Users, teams: Teams) {
    this.users = {
      list: async (audit, query) =>
        mapPage((await users.list(audit, query)).result, (resource) => ({ type: 'User', resource })),
      read: answeringStoreLimits(async (orgId: string, query: ProbeQuery) => {
        const page = await store.listUsers(orgId, checkedRows(userResourceType, query));
        const [user] = page.items;
        const first = user && recordSource({ ...user, displayName: stringOrNull(user.doc.displayName) });
        return { total: page.total, first };
      }),
    };
    this.groups = {
      list: async (audit, query) =>
        mapPage((await teams.list(audit, query)).result, (view) => ({ type: 'Group', view })),
      read: answeringStoreLimits(async (orgId: string, query: ProbeQuery) => {
        const page = await store.listTeams(orgId, checkedRows(groupResourceType, query));
        const [team] = page.items;
        return { total: page.total, first: team && recordSource(team) };
      }),
    };
  }

  /**
   * The page of `query` over Users and Groups. Errors the types' stores raise (a filter one of them
   * cannot compile, an unsortable sortBy, a database down) surface before this returns, so they
   * are still ordinary error responses.
   */
  async search(audit: Audit, query: ListRequest): Promise<Done<RootPage>> {
    const page = await this.plan(audit, query);
    const summary = listSummary(page.total, page.planned);
    return { result: page, change: { resourceType: 'User,Group', resourceId: null, summary, logged: false } };
  }

  private async plan(audit: Audit, query: ListRequest): Promise<RootPage> {
    const [userFilter, groupFilter] = query.filter
      ? filtersPerType(query.filter, [userResourceType, groupResourceType])
      : [true, true];
    const users = { side: this.users, filter: userFilter ?? false };
    const groups = { side: this.groups, filter: groupFilter ?? false };
    const { sortBy } = query;
    if (sortBy === undefined) return this.concat(audit, query, [unsorted(users), unsorted(groups)]);
    const forUsers = resolvePath(userResourceType, sortBy);
    const forGroups = resolvePath(groupResourceType, sortBy);
    if (!forUsers && !forGroups) {
      throw invalidValue(`sortBy "${printAttrPath(sortBy)}" is not an attribute of User or Group`, 'list.sortBy');
    }
    if (!forUsers || !forGroups) {
      const [first, second] = forUsers ? [users, groups] : [groups, users];
      return this.concat(audit, query, [{ ...first, sorted: true }, unsorted(second)]);
    }
    if (isResourceType(forUsers)) {
      // The sort value is constant per type: byte order of the names, then id order within.
      const byName = query.sortOrder === 'descending' ? [users, groups] : [groups, users];
      return this.concat(audit, query, byName.map(unsorted));
    }
    const key = MERGE_KEYS.get(mergeKeyName(forUsers));
    if (!key) {
      const names = [...MERGE_KEYS.values()].map((k) => k.name).join(', ');
      throw invalidValue(
        `sortBy "${printAttrPath(sortBy)}" cannot sort Users and Groups together; use one of ${names}, or an attribute only one of the types has`,
        'list.sortBy',
      );
    }
    if (users.filter === false || groups.filter === false) {
      return this.concat(audit, query, [
        { ...users, sorted: true },
        { ...groups, sorted: true },
      ]);
    }
    return this.merge(audit, query, sortBy, users.filter, groups.filter, key.value);
  }

  /** Parts one after the other: startIndex past the first part's matches continues in the next. */
  private async concat(audit: Audit, query: ListRequest, parts: readonly Part[]): Promise<RootPage> {
    let skip = query.startIndex - 1;
    let room = query.count;
    let total = 0;
    const pages: ChunkedPage<RootItem>[] = [];
    for (const part of parts) {
      // A filter that cannot match a type costs that type no read at all.
      if (part.filter === false) continue;
      const page = await part.side.list(audit, typeQuery(query, part.filter, part.sorted, skip + 1, room));
      pages.push(page);
      total += page.total;
      room -= page.planned;
      skip = Math.max(0, skip - page.total);
    }
    async function* resources(): AsyncGenerator<RootItem> {
      for (const page of pages) {
        for await (const chunk of page.chunks) yield* chunk;
      }
    }
    return { total, planned: query.count - room, resources: resources() };
  }

  /**
   * Users and Groups sorted together. Position k = startIndex - 1 of the union splits it into the
   * first `a` users and the first `k - a` groups; `a` is found by binary search, each step reading
   * one row of each type at an offset (the k-th smallest of two sorted lists), so a page deep in
   * the union reads 2·⌈log2(min(k, users, groups) + 1)⌉ probe rows and two counts, never the k rows
   * before it. The page itself then merges two streams that start at the split, each through its
   * list service with count as its limit, read chunk by chunk as the merge consumes them: at most
   * `count` rows plus one chunk of look-ahead per type.
   */
  private async merge(
    audit: Audit,
    query: ListRequest,
    sortBy: AttrPath,
    userFilter: Filter | true,
    groupFilter: Filter | true,
    key: (s: SortSource) => SortValue,
  ): Promise<RootPage> {
    const descending = query.sortOrder === 'descending';
    const k = query.startIndex - 1;
    let a = 0;
    if (k > 0 && query.count > 0) {
      const probe = (side: Side, filter: Filter | true, offset: number, limit: number, knownTotal?: number) =>
        side.read(audit.org.id, {
          ...storeFilter(filter),
          sortBy,
          sortOrder: query.sortOrder,
          offset,
          limit,
          ...(knownTotal !== undefined ? { knownTotal } : {}),
        });
      const userCount = (await probe(this.users, userFilter, 0, 0)).total;
      const groupCount = (await probe(this.groups, groupFilter, 0, 0)).total;
      let lo = Math.max(0, k - groupCount);
      let hi = Math.min(k, userCount);
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        // SQLite runs each probe on the event loop: let other requests in between them.
        await new Promise((resolve) => setImmediate(resolve));
        const user = (await probe(this.users, userFilter, mid, 1, userCount)).first;
        const group = (await probe(this.groups, groupFilter, k - mid - 1, 1, groupCount)).first;
        // Is the user at `mid` before the last group the split would take? Then more users belong.
        if (compareSources(user, 0, group, 1, key, descending) < 0) lo = mid + 1;
        else hi = mid;
      }
      a = lo;
    }
    const userPage = await this.users.list(audit, typeQuery(query, userFilter, true, a + 1, query.count));
    const groupPage = await this.groups.list(audit, typeQuery(query, groupFilter, true, k - a + 1, query.count));
    const total = userPage.total + groupPage.total;
    const planned = Math.max(0, Math.min(query.count, total - k));
    const order = (x: RootItem, y: RootItem) =>
      compareSources(itemSource(x), rank(x), itemSource(y), rank(y), key, descending);
    return { total, planned, resources: mergeStreams([userPage.chunks, groupPage.chunks], order, query.count) };
  }
}

/** The page of one type within the union: its own filter, its share of startIndex and count. */
function typeQuery(
  query: ListRequest,
  filter: Filter | true,
  sorted: boolean,
  startIndex: number,
  count: number,
): ListRequest {
  return {
    ...storeFilter(filter),
    startIndex,
    count,
    ...(sorted && query.sortBy ? { sortBy: query.sortBy } : {}),
    sortOrder: query.sortOrder,
  };
}

const storeFilter = (filter: Filter | true): { filter?: Filter } => (filter === true ? {} : { filter });

const unsorted = (part: Omit<Part, 'sorted'>): Part => ({ ...part, sorted: false });

function mapPage<T>(page: ChunkedPage<T>, wrap: (item: T) => RootItem): ChunkedPage<RootItem> {
  async function* chunks(): AsyncGenerator<readonly RootItem[]> {
    for await (const chunk of page.chunks) yield chunk.map(wrap);
  }
  return { total: page.total, planned: page.planned, chunks: chunks() };
}

const rank = (item: RootItem): number => (item.type === 'User' ? 0 : 1);

function itemSource(item: RootItem): SortSource {
  if (item.type === 'Group') return recordSource(item.view.team);
  const { resource } = item;
  const meta = resource.meta as { created: string; lastModified: string };
  return {
    id: resource.id as string,
    externalId: stringOrNull(resource.externalId),
    displayName: stringOrNull(resource.displayName),
    // Rendered from the stored milliseconds by toISOString, so parsing gives them back exactly.
    created: Date.parse(meta.created),
    lastModified: Date.parse(meta.lastModified),
  };
}

function recordSource(record: {
  id: string;
  externalId: string | null;
  displayName: string | null;
  createdAt: number;
  updatedAt: number;
}): SortSource {
  const { id, externalId, displayName, createdAt, updatedAt } = record;
  return { id, externalId, displayName, created: createdAt, lastModified: updatedAt };
}

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);
