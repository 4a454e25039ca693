import type { AttrPath } from '../scim/attr-path.js';
import type { CompareFilter, Filter, PresentFilter } from '../scim/filter/ast.js';
import { checkFilter } from '../scim/filter/check-filter.js';
import { printAttrPath } from '../scim/filter/print-filter.js';
import type { ResourceTypeDef } from '../scim/schema/attribute.js';
import { type ResolvedPath, resolvePath } from '../scim/schema/resolve-path.js';
import { invalidFilter } from '../scim/scim-error.js';
import { codePointOrder } from './search-order.js';

/** An attribute path a filter names, as a resource type would resolve it, and where. */
interface NamedPath {
  readonly path: AttrPath;
  readonly at: number;
}

/**
 * The filter as each of `types` answers it: a filter for its store to compile, `true` (every
 * resource of the type matches) or `false` (none does, and the type is not read).
 *
 * RFC 7644 §3.4.2.2 lets a filter at the root apply to every resource type. An attribute a type
 * does not define can never hold a value there, and this service answers a filter naming one with
 * nothing of that type: `userName sw "a"` finds only users, `members[value eq "x"]` only groups,
 * and `userName eq "x" or members.value eq "y"` neither (one expression is not split between the
 * types). An attribute no type defines is a mistake, not an empty answer: 400 invalidFilter, as on
 * /Users and /Groups. Whatever else a type's store refuses (an attribute it cannot filter on, a
 * value of the wrong type) is refused as on that type's endpoint.
 *
 * `meta.resourceType` is what RFC 7644 §3.4.2 suggests for narrowing a root query to some types.
 * Its value is the type itself, so comparisons on it are decided here, per type, before the rule
 * above: in `(meta.resourceType eq "User" and active eq true) or displayName sw "S"` the groups
 * see only `displayName sw "S"`. Only constants are folded: no resource is filtered in memory.
 */
export function filtersPerType(filter: Filter, types: readonly ResourceTypeDef[]): (Filter | boolean)[] {
  for (const { path, at } of namedPaths(filter, undefined, [])) {
    if (!types.some((type) => resolvePath(type, path) !== undefined)) {
      throw invalidFilter(
        `Unknown attribute "${printAttrPath(path)}" at position ${at + 1}: none of the resource types ${types.map((t) => t.name).join(', ')} has it`,
        'filter.unknownAttribute',
      );
    }
  }
  return types.map((type) => {
    const folded = foldResourceType(filter, type);
    if (typeof folded === 'boolean') return folded;
    const known = namedPaths(folded, undefined, []).every(({ path }) => resolvePath(type, path) !== undefined);
    return known ? folded : false;
  });
}

/** Every path the filter names; inside `attr[...]` paths are sub-attributes of `attr`. */
function namedPaths(filter: Filter, parent: AttrPath | undefined, out: NamedPath[]): NamedPath[] {
  switch (filter.kind) {
    case 'and':
    case 'or':
      namedPaths(filter.left, parent, out);
      namedPaths(filter.right, parent, out);
      break;
    case 'not':
      namedPaths(filter.filter, parent, out);
      break;
    case 'compare':
    case 'present': {
      const path = parent ? { ...parent, sub: filter.path.attr } : filter.path;
      out.push({ path, at: filter.at });
      break;
    }
    case 'valuePath':
      // A nested value path is the store's to refuse, for the types that have the outer one.
      if (parent) break;
      out.push({ path: filter.path, at: filter.at });
      namedPaths(filter.filter, filter.path, out);
      break;
  }
  return out;
}

/** Whether a resolved path is meta.resourceType, whose value is the resource type's name. */
export const isResourceType = (resolved: ResolvedPath | undefined): boolean =>
  resolved?.attribute.name === 'meta' && resolved.sub?.name === 'resourceType';

/** `filter` with its meta.resourceType comparisons decided for `type`, simplified. */
function foldResourceType(filter: Filter, type: ResourceTypeDef): Filter | boolean {
  switch (filter.kind) {
    case 'and':
    case 'or': {
      const left = foldResourceType(filter.left, type);
      const right = foldResourceType(filter.right, type);
      const absorbing = filter.kind === 'or';
      if (left === absorbing || right === absorbing) return absorbing;
      if (left === !absorbing) return right;
      if (right === !absorbing) return left;
      return { ...filter, left: left as Filter, right: right as Filter };
    }
    case 'not': {
      const inner = foldResourceType(filter.filter, type);
      return typeof inner === 'boolean' ? !inner : { ...filter, filter: inner };
    }
    case 'compare':
    case 'present':
      return isResourceType(resolvePath(type, filter.path)) ? resourceTypeMatches(filter, type) : filter;
    case 'valuePath':
      return filter;
  }
}

/**
 * A comparison on meta.resourceType, a caseExact string (RFC 7643 §3.1) always present. The core's
 * checker decides whether the comparison is well-formed (operator, null, value type), as for any
 * other attribute; only its answer is computed here, from the type's name.
 */
function resourceTypeMatches(filter: CompareFilter | PresentFilter, type: ResourceTypeDef): boolean {
  checkFilter(type, filter);
  if (filter.kind === 'present') return true;
  const { op, value } = filter;
  const name = type.name;
  if (value === null) return op === 'ne';
  if (typeof value !== 'string') return false;
  const order = codePointOrder(name, value);
  switch (op) {
    case 'eq':
      return order === 0;
    case 'ne':
      return order !== 0;
    case 'co':
      return name.includes(value);
    case 'sw':
      return name.startsWith(value);
    case 'ew':
      return name.endsWith(value);
    case 'gt':
      return order > 0;
    case 'ge':
      return order >= 0;
    case 'lt':
      return order < 0;
    case 'le':
      return order <= 0;
  }
}
