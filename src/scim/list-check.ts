import type { AttrPath } from './attr-path.js';
import { type CheckedFilter, checkFilter } from './filter/check-filter.js';
import { printAttrPath } from './filter/print-filter.js';
import type { ListRequest } from './list-request.js';
import type { ResourceTypeDef } from './schema/attribute.js';
import { type ResolvedPath, resolvePath } from './schema/resolve-path.js';
import { invalidFilter, invalidValue, type ScimError } from './scim-error.js';

/*
 * A parsed list request checked against one resource type before any store sees it, and the
 * answers to what a store then reports it cannot do.
 */

/** A `sortBy` resolved against one resource type: an attribute, or a sub-attribute of a complex one. */
export interface CheckedSortBy extends AttrPath {
  readonly resolved: ResolvedPath;
}

/** A list request checked against one resource type: what a store is given. */
export interface CheckedListRequest extends ListRequest {
  readonly filter?: CheckedFilter;
  readonly sortBy?: CheckedSortBy;
}

/**
 * The protocol checks of a parsed list request that need its resource type, run before any store
 * is asked: the filter against the type's schema (filter/check-filter.ts) and `sortBy`
 * ({@link checkSortBy}). `parseListRequest` cannot run them: a root search (RFC 7644 §3.4.3) is
 * parsed once and answered per type.
 *
 * @throws ScimError 400 `invalidFilter` or `invalidValue`, as `checkFilter` and `checkSortBy` do.
 */
export function checkListRequest(type: ResourceTypeDef, query: ListRequest): CheckedListRequest {
  const { filter, sortBy, ...rest } = query;
  return {
    ...rest,
    ...(filter !== undefined ? { filter: checkFilter(type, filter) } : {}),
    ...(sortBy !== undefined ? { sortBy: checkSortBy(type, sortBy) } : {}),
  };
}

/**
 * RFC 7644 §3.4.2.3: `sortBy` names an attribute of `type`, and a sub-attribute when the attribute
 * is complex ("the attribute name must be a path to a sub-attribute"). Which of those the store
 * can order by is the store's to say (see {@link notSortableError}).
 *
 * @throws ScimError 400 `invalidValue` (`list.sortBy`).
 */
export function checkSortBy(type: ResourceTypeDef, path: AttrPath): CheckedSortBy {
  const named = printAttrPath(path);
  const resolved = resolvePath(type, path);
  if (resolved === undefined) {
    throw invalidValue(`sortBy "${named}" is not an attribute of ${type.name}`, 'list.sortBy');
  }
  const def = resolved.sub ?? resolved.attribute;
  if (def.type === 'complex') {
    const example = def.subAttributes?.[0]?.name;
    throw invalidValue(
      `sortBy "${named}" is complex; sort by one of its sub-attributes${example !== undefined ? `, such as ${named}.${example}` : ''} (RFC 7644 §3.4.2.3)`,
      'list.sortBy',
    );
  }
  return { ...path, resolved };
}

/**
 * The answer to an attribute the schema has but the store cannot filter on (`password`,
 * `addresses.locality`): RFC 7644 §3.4.2.2 lets a service refuse a filter it does not support
 * with invalidFilter. The store reports the fact; the service answers with this. `at` is the
 * 0-based offset of the term, as in the filter AST.
 */
export function notFilterableError(fact: {
  readonly resourceType: string;
  readonly path: string;
  readonly at: number;
  readonly filterable: readonly string[];
}): ScimError {
  return invalidFilter(
    `Filtering ${fact.resourceType} resources on "${fact.path}" (position ${fact.at + 1}) is not supported; filterable: ${fact.filterable.join(', ')}`,
    'filter.unsupportedAttribute',
  );
}

/** The answer to a checked sortBy the store cannot order by (`emails.value`, `name.middleName`). */
export function notSortableError(fact: { readonly resourceType: string; readonly path: string }): ScimError {
  return invalidValue(`sortBy "${fact.path}" is not a sortable attribute of ${fact.resourceType}`, 'list.sortBy');
}
