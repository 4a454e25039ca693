import type { AttrPath } from './attr-path.js';
import type { Filter } from './filter/ast.js';
import { parseFilter, parseFilterExpression } from './filter/parse-filter.js';
import {
  type ErrorFactory,
  isAttrName,
  parseAttrPath,
  positionOf,
  TokenStream,
  tokenize,
  wordToAttrPath,
} from './lexer.js';
import { MAX_FILTER_LENGTH, MAX_FILTER_TERMS } from './limits.js';
import { type AttributeSelector, resolveValueSelector } from './resources/project.js';
import { resourceTypes } from './schema/resource-types.js';
import { invalidFilter, invalidValue } from './scim-error.js';

/** RFC 7644 §3.4.2.4 / §3.4.2.5: a validated list or search request. */
export interface ListRequest {
  readonly filter?: Filter;
  /** 1-based index of the first result; values below 1 are read as 1. */
  readonly startIndex: number;
  /** Page size, between 0 and the server's maximum. */
  readonly count: number;
  readonly sortBy?: AttrPath;
  readonly sortOrder: 'ascending' | 'descending';
  /** Entries may carry a value filter (`emails[type eq "work"].value`), see resources/project.ts. */
  readonly attributes?: readonly AttributeSelector[];
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
 * - An `attributes` entry may filter the values of a multi-valued attribute
 *   (`emails[type eq "work"]`, `emails[type eq "work"].value`), as Microsoft's SCIM reference
 *   server does; `excludedAttributes` may not (see `readAttributeList`).
 *
 * @throws ScimError 400 `invalidFilter` for a bad filter (the `filter` parameter, or a value
 * filter in `attributes`), `invalidValue` for any other bad parameter.
 */
export function parseListRequest(params: Record<string, unknown>, limits: ListLimits): ListRequest {
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
 * (RFC 7644 §3.9). Same rules as in `parseListRequest`.
 */
export function parseAttributeOptions(params: Record<string, unknown>): {
  attributes?: readonly AttributeSelector[];
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

function readAttributeList(name: 'attributes', value: unknown): readonly AttributeSelector[] | undefined;
function readAttributeList(name: 'excludedAttributes', value: unknown): readonly AttrPath[] | undefined;
function readAttributeList(
  name: 'attributes' | 'excludedAttributes',
  value: unknown,
): readonly AttributeSelector[] | undefined {
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
    for (const part of splitEntries(item)) {
      const trimmed = part.trim();
      if (trimmed !== '') entries.push(trimmed);
    }
  }
  if (entries.length === 0) return undefined;
  let terms = 0;
  return entries.map((entry) => {
    if (!entry.includes('[')) return parseAttrPath(entry, parameterError(name, entry));
    if (name === 'excludedAttributes') {
      throw invalidValue(
        `Invalid excludedAttributes entry ${JSON.stringify(entry)}: excludedAttributes takes attribute names only; a value filter there has no meaning in RFC 7644 (§3.4.2.5, §3.10). Exclude the whole attribute or a sub-attribute, such as emails.display, or select values with attributes=emails[type eq "work"]`,
        'list.excludedAttributes.filter',
      );
    }
    const selector = parseValueSelector(entry);
    // Every term is tested against every value of every resource projected: the sum over all
    // entries, not each entry, is what must stay within the one-filter limit.
    terms += countTerms(selector.filter);
    if (terms > MAX_FILTER_TERMS) {
      throw invalidFilter(
        `The value filters of attributes have more than ${MAX_FILTER_TERMS} terms (comparisons and "pr" tests) together, the limit`,
        'list.attributes.tooManyTerms',
      );
    }
    // The routes parse before they know which resource type answers, and a bad filter found only
    // while projecting would break a ListResponse already streaming; so the filter is checked
    // here against every resource type that has the attribute (only Users have emails, only
    // Groups members).
    for (const type of resourceTypes) resolveValueSelector(type, selector);
    return selector;
  });
}

/**
 * Splits a comma-separated `attributes` value. A comma inside a value filter's brackets or string
 * literal (`emails[value co ","]`) does not separate entries.
 */
function splitEntries(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === '[') {
      depth++;
    } else if (c === ']') {
      depth = Math.max(0, depth - 1);
    } else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/**
 * `attr[valFilter]` or `attr[valFilter].subAttr`, the valuePath of RFC 7644 §3.4.2.2 as PATCH
 * paths write it (§3.5.2). Errors are `invalidFilter`, as for the filter parameter: what is wrong
 * is a filter.
 */
function parseValueSelector(entry: string): AttributeSelector & { readonly filter: Filter } {
  const fail: ErrorFactory = (detail, code) =>
    invalidFilter(`Invalid attributes entry ${JSON.stringify(entry)}: ${detail}`, `list.attributes.${code}`);
  if (entry.length > MAX_FILTER_LENGTH) {
    throw fail(`it is ${entry.length} characters long; the limit is ${MAX_FILTER_LENGTH}`, 'tooLong');
  }
  const stream = new TokenStream(entry, tokenize(entry, fail), fail, 'attributes entry');
  const first = stream.next();
  if (first.kind !== 'word') {
    throw fail(`Expected an attribute name ${positionOf(first.at)}, found ${stream.describe(first)}`, 'syntax');
  }
  const path = wordToAttrPath(first, fail);
  const open = stream.next();
  if (open.kind !== '[' || path.sub !== undefined) {
    throw fail(
      `A value filter "[...]" follows a multi-valued attribute, as in emails[type eq "work"].value ${positionOf(open.at)}`,
      'syntax',
    );
  }
  const filter = parseFilterExpression(stream, path, 1);
  const close = stream.next();
  if (close.kind !== ']') {
    throw fail(
      close.kind === 'end'
        ? `Missing "]" to close "${first.text}[" ${positionOf(open.at)}`
        : `Expected "and", "or" or "]" ${positionOf(close.at)}, found ${stream.describe(close)}`,
      'syntax',
    );
  }
  let sub: string | undefined;
  if (stream.peek().kind === '.') {
    stream.next();
    const token = stream.next();
    if (token.kind !== 'word' || !isAttrName(token.text)) {
      throw fail(
        `Expected a sub-attribute name after "]." ${positionOf(token.at)}, found ${stream.describe(token)}`,
        'syntax',
      );
    }
    sub = token.text;
  }
  const rest = stream.peek();
  if (rest.kind !== 'end') {
    throw fail(`Unexpected ${stream.describe(rest)} ${positionOf(rest.at)} after the end of the entry`, 'syntax');
  }
  return { ...path, ...(sub !== undefined ? { sub } : {}), filter };
}

/** Comparisons and `pr` tests in a filter, as MAX_FILTER_TERMS counts them. */
function countTerms(filter: Filter): number {
  switch (filter.kind) {
    case 'compare':
    case 'present':
      return 1;
    case 'not':
      return countTerms(filter.filter);
    case 'valuePath':
      return countTerms(filter.filter);
    case 'and':
    case 'or':
      return countTerms(filter.left) + countTerms(filter.right);
  }
}

function parameterError(name: string, value: string): ErrorFactory {
  return (detail, code) =>
    invalidValue(`Invalid ${name} entry ${JSON.stringify(value)}: ${detail}`, `list.${name}.${code}`);
}
