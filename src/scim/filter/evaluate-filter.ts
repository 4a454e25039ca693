import { foldCase } from '../fold-case.js';
import { type AttributeDef, findAttribute } from '../schema/attribute.js';
import { invalidFilter } from '../scim-error.js';
import type { AttrPath, CompareFilter, CompareOp, Filter, FilterLiteral } from './ast.js';
import { printAttrPath, printFilter } from './print-filter.js';

/*
 * In-memory evaluation of the filter inside a PATCH value path (`emails[type eq "work"]`), against
 * the elements of ONE resource's multi-valued attribute. Listing never filters in memory: list
 * filters compile to SQL (store/sql/compile-filter.ts).
 */

/**
 * What evaluation costs and how it folds case. PATCH passes its per-request meter
 * (patch/patch-work.ts), which charges every term tested against the PATCH's work budget and folds
 * each distinct string once.
 */
export interface EvaluationMeter {
  /** Records `units` of work; throws a ScimError once the request has spent its budget. */
  charge(units: number): void;
  /** {@link foldCase}, possibly memoized. */
  fold(text: string): string;
}

/** For callers outside PATCH (tests): no budget, plain folding. */
export const UNMETERED: EvaluationMeter = { charge: () => undefined, fold: foldCase };

/**
 * A meter that charges nothing and folds each distinct string once: one resource's values are
 * compared with every term of a filter, and folding a long string costs more than comparing it.
 * PATCH's budgeted meter (patch/patch-work.ts) builds on it.
 */
export class FoldOnce implements EvaluationMeter {
  private readonly folded = new Map<string, string>();

  charge(_units: number): void {}

  fold(text: string): string {
    let folded = this.folded.get(text);
    if (folded === undefined) {
      folded = foldCase(text);
      this.folded.set(text, folded);
    }
    return folded;
  }
}

const ORDERING: ReadonlySet<CompareOp> = new Set(['gt', 'ge', 'lt', 'le']);
const SUBSTRING: ReadonlySet<CompareOp> = new Set(['co', 'sw', 'ew']);

/**
 * Checks a value filter against the multi-valued complex `attribute` it selects from, so that a
 * bad filter fails the same way whether or not the resource has elements to test:
 * - every path names a sub-attribute of `attribute` (`type`, not `emails.type`, not a URN);
 * - no value path nests inside another;
 * - `gt ge lt le` are not used on boolean or binary sub-attributes (RFC 7644 §3.4.2.2 "SHALL
 *   cause a failed response"), and `co sw ew` only on string-like ones.
 *
 * @throws ScimError 400 `invalidFilter` naming the offending part.
 */
export function checkValueFilter(filter: Filter, attribute: AttributeDef): void {
  switch (filter.kind) {
    case 'and':
    case 'or':
      checkValueFilter(filter.left, attribute);
      checkValueFilter(filter.right, attribute);
      return;
    case 'not':
      checkValueFilter(filter.filter, attribute);
      return;
    case 'valuePath':
      throw invalidFilter(
        `Value filters cannot nest: "${printFilter(filter)}" inside "${attribute.name}[...]"`,
        'filter.nestedValuePath',
      );
    case 'present':
      subAttributeOf(filter.path, attribute);
      return;
    case 'compare': {
      const sub = subAttributeOf(filter.path, attribute);
      if (ORDERING.has(filter.op) && (sub.type === 'boolean' || sub.type === 'binary')) {
        throw invalidFilter(
          `"${filter.op}" cannot compare the ${sub.type} sub-attribute "${attribute.name}.${sub.name}" (RFC 7644 §3.4.2.2)`,
          'filter.operatorType',
        );
      }
      if (SUBSTRING.has(filter.op) && !isStringLike(sub)) {
        throw invalidFilter(
          `"${filter.op}" compares strings, but "${attribute.name}.${sub.name}" is of type ${sub.type}`,
          'filter.operatorType',
        );
      }
      if (filter.value === null && filter.op !== 'eq' && filter.op !== 'ne') {
        throw invalidFilter(`"${filter.op}" cannot compare with null; use "pr" or "eq null"`, 'filter.operatorType');
      }
      return;
    }
  }
}

/**
 * Whether one element of a multi-valued complex attribute matches a value filter. String
 * comparisons follow the sub-attribute's `caseExact` (folded with {@link foldCase} when false);
 * numbers compare numerically, dateTimes by instant, booleans by value (the strings "true" and
 * "false" in the filter are read as booleans, as Entra writes them). A comparison of incompatible
 * types is false (and `ne` true). Stored elements are canonical, so keys are looked up by the
 * schema's spelling. Each comparison or `pr` test evaluated charges one unit to `meter`. The
 * recursion follows the filter, whose size the parser caps (MAX_FILTER_TERMS, MAX_FILTER_DEPTH).
 *
 * @throws ScimError 400 `invalidFilter` as {@link checkValueFilter} does, or whatever
 * `meter.charge` throws.
 */
export function matchesValueFilter(
  filter: Filter,
  element: Readonly<Record<string, unknown>>,
  attribute: AttributeDef,
  meter: EvaluationMeter = UNMETERED,
): boolean {
  switch (filter.kind) {
    case 'and':
      return (
        matchesValueFilter(filter.left, element, attribute, meter) &&
        matchesValueFilter(filter.right, element, attribute, meter)
      );
    case 'or':
      return (
        matchesValueFilter(filter.left, element, attribute, meter) ||
        matchesValueFilter(filter.right, element, attribute, meter)
      );
    case 'not':
      return !matchesValueFilter(filter.filter, element, attribute, meter);
    case 'valuePath':
      checkValueFilter(filter, attribute);
      return false;
    case 'present':
      meter.charge(1);
      return isPresent(element[subAttributeOf(filter.path, attribute).name]);
    case 'compare': {
      meter.charge(1);
      checkValueFilter(filter, attribute);
      const sub = subAttributeOf(filter.path, attribute);
      return compare(filter, element[sub.name], sub, meter);
    }
  }
}

function subAttributeOf(path: AttrPath, attribute: AttributeDef): AttributeDef {
  const sub =
    path.uri === undefined && path.sub === undefined ? findAttribute(attribute.subAttributes, path.attr) : undefined;
  if (sub === undefined) {
    const names = (attribute.subAttributes ?? []).map((s) => s.name).join(', ');
    throw invalidFilter(
      `"${printAttrPath(path)}" is not a sub-attribute of "${attribute.name}"; inside "${attribute.name}[...]" use one of: ${names}`,
      'filter.unknownSubAttribute',
    );
  }
  return sub;
}

function isStringLike(def: AttributeDef): boolean {
  return def.type === 'string' || def.type === 'reference' || def.type === 'dateTime' || def.type === 'binary';
}

/** RFC 7644 §3.4.2.2 `pr`: has a non-empty value. */
function isPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

function compare(filter: CompareFilter, actual: unknown, sub: AttributeDef, meter: EvaluationMeter): boolean {
  const { op } = filter;
  const expected = literalFor(sub, filter.value);
  if (expected === null || actual === undefined || actual === null) {
    // `eq null` matches the unassigned, `ne null` the assigned; any other comparison with an
    // unassigned value is false, except `ne`, which holds (nothing equals a missing value).
    if (expected === null) return op === 'eq' ? !isPresent(actual) : isPresent(actual);
    return op === 'ne';
  }
  if (typeof actual === 'boolean' || typeof expected === 'boolean') {
    if (typeof actual !== typeof expected) return op === 'ne';
    return op === 'eq' ? actual === expected : op === 'ne' ? actual !== expected : false;
  }
  if (typeof actual === 'number' && typeof expected === 'number') return order(op, actual - expected);
  if (typeof actual !== 'string' || typeof expected !== 'string') return op === 'ne';
  if (sub.type === 'dateTime' && !SUBSTRING.has(op)) {
    const a = Date.parse(actual);
    const b = Date.parse(expected);
    if (!Number.isNaN(a) && !Number.isNaN(b)) return order(op, a - b);
  }
  const a = sub.caseExact ? actual : meter.fold(actual);
  const b = sub.caseExact ? expected : meter.fold(expected);
  switch (op) {
    case 'co':
      return a.includes(b);
    case 'sw':
      return a.startsWith(b);
    case 'ew':
      return a.endsWith(b);
    default:
      return order(op, a < b ? -1 : a > b ? 1 : 0);
  }
}

function order(op: CompareOp, sign: number): boolean {
  switch (op) {
    case 'eq':
      return sign === 0;
    case 'ne':
      return sign !== 0;
    case 'gt':
      return sign > 0;
    case 'ge':
      return sign >= 0;
    case 'lt':
      return sign < 0;
    case 'le':
      return sign <= 0;
    default:
      return false;
  }
}

// Entra legacy dialect writes booleans as strings ("True"); read them as booleans for boolean
// sub-attributes so `emails[primary eq "True"]` matches a stored `primary: true`.
function literalFor(sub: AttributeDef, value: FilterLiteral): FilterLiteral {
  if (sub.type === 'boolean' && typeof value === 'string' && /^(true|false)$/i.test(value)) {
    return value.toLowerCase() === 'true';
  }
  return value;
}
