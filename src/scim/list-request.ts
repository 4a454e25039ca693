import type { AttrPath, Filter } from './filter/ast.js';
import { parseFilter } from './filter/parse-filter.js';
import { type ErrorFactory, parseAttrPath } from './lexer.js';
import { invalidFilter, invalidValue } from './scim-error.js';

/** RFC 7644 §3.4.2.4 / §3.4.2.5: a validated list or search request. */
export interface ListQuery {
  readonly filter?: Filter;
  /** 1-based index of the first result; values below 1 are read as 1. */
  readonly startIndex: number;
  /** Page size, between 0 and the server's maximum. */
  readonly count: number;
  readonly sortBy?: AttrPath;
  readonly sortOrder: 'ascending' | 'descending';
  readonly attributes?: readonly AttrPath[];
  /** Absent whenever `attributes` is given: `attributes` wins. */
  readonly excludedAttributes?: readonly AttrPath[];
}

/** The server's page sizes (RFC 7644 §3.4.2.4 lets it cap `count`). */
export interface ListLimits {
  readonly defaultCount: number;
  readonly maxCount: number;
}

/** RFC 7644 §3.4.2: the schema URN of a ListResponse body. */
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

const PARAMETERS = [
  'filter',
  'startIndex',
  'count',
  'sortBy',
  'sortOrder',
  'attributes',
  'excludedAttributes',
] as const;
type Parameter = (typeof PARAMETERS)[number];

/**
 * Reads the list parameters of a GET query string (all values strings, attributes comma-separated,
 * a repeated parameter as an array) or of a POST `/.search` body (RFC 7644 §3.4.3: numbers and
 * string arrays). Names are matched exactly first, then ignoring case, for clients that
 * capitalize them; other keys (such as the SearchRequest `schemas`) are ignored.
 *
 * - `startIndex` below 1 is read as 1 (§3.4.2.4 "A value less than 1 SHALL be interpreted as 1").
 * - `count` below 0 is read as 0, above `limits.maxCount` as `maxCount`, absent as `defaultCount`.
 * - `sortOrder` defaults to `ascending` (§3.4.2.3).
 * - When both `attributes` and `excludedAttributes` are given, `attributes` wins (§3.4.2.5
 *   presents them as alternatives).
 *
 * @throws ScimError 400 `invalidFilter` for a bad filter, `invalidValue` for any other bad parameter.
 */
export function parseListQuery(params: Record<string, unknown>, limits: ListLimits): ListQuery {
  const get = (name: Parameter): unknown => lookup(params, name);

  const filterParam = get('filter');
  let filter: Filter | undefined;
  if (filterParam !== undefined) {
    if (typeof filterParam !== 'string') {
      throw invalidFilter('The filter parameter must be one string; give it once', 'filter.notString');
    }
    filter = parseFilter(filterParam);
  }

  const startIndex = Math.max(1, readInteger('startIndex', get('startIndex')) ?? 1);
  const requested = readInteger('count', get('count'));
  const count = requested === undefined ? limits.defaultCount : Math.min(Math.max(0, requested), limits.maxCount);

  const sortByParam = get('sortBy');
  let sortBy: AttrPath | undefined;
  if (sortByParam !== undefined) {
    if (typeof sortByParam !== 'string') throw invalidValue('sortBy must be one attribute name', 'list.sortBy');
    sortBy = parseAttrPath(sortByParam.trim(), parameterError('sortBy', sortByParam));
  }

  const sortOrderParam = get('sortOrder');
  let sortOrder: 'ascending' | 'descending' = 'ascending';
  if (sortOrderParam !== undefined) {
    const lower = typeof sortOrderParam === 'string' ? sortOrderParam.trim().toLowerCase() : undefined;
    if (lower !== 'ascending' && lower !== 'descending') {
      throw invalidValue(
        `sortOrder must be "ascending" or "descending", not ${JSON.stringify(sortOrderParam)}`,
        'list.sortOrder',
      );
    }
    sortOrder = lower;
  }

  const attributes = readAttributeList('attributes', get('attributes'));
  const excludedAttributes =
    attributes === undefined ? readAttributeList('excludedAttributes', get('excludedAttributes')) : undefined;

  return {
    ...(filter !== undefined ? { filter } : {}),
    startIndex,
    count,
    ...(sortBy !== undefined ? { sortBy } : {}),
    sortOrder,
    ...(attributes !== undefined ? { attributes } : {}),
    ...(excludedAttributes !== undefined ? { excludedAttributes } : {}),
  };
}

/**
 * Reads `attributes` or `excludedAttributes` alone, for GET/POST/PUT/PATCH of a single resource
 * (RFC 7644 §3.9). Same rules as in `parseListQuery`.
 */
export function parseAttributeOptions(params: Record<string, unknown>): {
  attributes?: readonly AttrPath[];
  excludedAttributes?: readonly AttrPath[];
} {
  const attributes = readAttributeList('attributes', lookup(params, 'attributes'));
  if (attributes !== undefined) return { attributes };
  const excludedAttributes = readAttributeList('excludedAttributes', lookup(params, 'excludedAttributes'));
  return excludedAttributes !== undefined ? { excludedAttributes } : {};
}

/**
 * Builds a ListResponse body (RFC 7644 §3.4.2): `itemsPerPage` is the number of resources on this
 * page, `totalResults` the number matching the filter on all pages.
 */
export function listResponse(
  resources: readonly unknown[],
  totalResults: number,
  startIndex: number,
): {
  schemas: string[];
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: unknown[];
} {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults,
    startIndex,
    itemsPerPage: resources.length,
    Resources: [...resources],
  };
}

function lookup(params: Record<string, unknown>, name: Parameter): unknown {
  if (Object.hasOwn(params, name) && params[name] !== undefined) return params[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(params)) {
    if (key.toLowerCase() === lower && params[key] !== undefined) return params[key];
  }
  return undefined;
}

function readInteger(name: 'startIndex' | 'count', value: unknown): number | undefined {
  if (value === undefined) return undefined;
  let n: number | undefined;
  if (typeof value === 'number') {
    n = Number.isInteger(value) ? value : undefined;
  } else if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) {
    n = Number(value);
  }
  if (n === undefined) {
    throw invalidValue(`${name} must be an integer, not ${JSON.stringify(value)}`, `list.${name}`);
  }
  // Huge values only matter as "very large"; keep them exact integers for the store.
  return Math.min(Math.max(n, -Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER);
}

function readAttributeList(name: 'attributes' | 'excludedAttributes', value: unknown): readonly AttrPath[] | undefined {
  if (value === undefined) return undefined;
  const items = Array.isArray(value) ? value : [value];
  const entries: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') {
      throw invalidValue(
        `${name} must be a comma-separated string or an array of attribute names, not ${JSON.stringify(value)}`,
        `list.${name}`,
      );
    }
    for (const part of item.split(',')) {
      const trimmed = part.trim();
      if (trimmed !== '') entries.push(trimmed);
    }
  }
  if (entries.length === 0) return undefined;
  return entries.map((entry) => parseAttrPath(entry, parameterError(name, entry)));
}

function parameterError(name: string, value: string): ErrorFactory {
  return (detail, code) =>
    invalidValue(`Invalid ${name} entry ${JSON.stringify(value)}: ${detail}`, `list.${name}.${code}`);
}
