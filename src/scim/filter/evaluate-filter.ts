import { foldCase } from '../fold-case.js';
import type { AttributeDef } from '../schema/attribute.js';
import type { CompareOp } from './ast.js';
import { type CheckedCompare, type CheckedValueFilter, comparedAttribute } from './check-filter.js';

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

/**
 * Whether one element of a multi-valued complex attribute matches a checked value filter
 * (check-filter.ts: the schema questions are settled there, so nothing here can refuse). String
 * comparisons follow the sub-attribute's `caseExact` (folded with {@link foldCase} when false);
 * numbers compare numerically, dateTimes by instant, booleans by value. A stored value not of the
 * sub-attribute's type compares as absent: false, and `ne` true. Stored elements are canonical, so
 * keys are looked up by the schema's spelling. Each comparison or `pr` test evaluated charges one
 * unit to `meter`. The recursion follows the filter, whose size the parser caps (MAX_FILTER_TERMS,
 * MAX_FILTER_DEPTH).
 *
 * @throws whatever `meter.charge` throws.
 */
export function matchesValueFilter(
  filter: CheckedValueFilter,
  element: Readonly<Record<string, unknown>>,
  meter: EvaluationMeter = UNMETERED,
): boolean {
  switch (filter.kind) {
    case 'and':
      return matchesValueFilter(filter.left, element, meter) && matchesValueFilter(filter.right, element, meter);
    case 'or':
      return matchesValueFilter(filter.left, element, meter) || matchesValueFilter(filter.right, element, meter);
    case 'not':
      return !matchesValueFilter(filter.filter, element, meter);
    case 'present':
      meter.charge(1);
      return isPresent(element[comparedAttribute(filter).name]);
    case 'compare': {
      meter.charge(1);
      const def = comparedAttribute(filter);
      return compare(filter, element[def.name], def, meter);
    }
  }
}

/** RFC 7644 §3.4.2.2 `pr`: has a non-empty value. */
function isPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

function compare(filter: CheckedCompare, actual: unknown, def: AttributeDef, meter: EvaluationMeter): boolean {
  const { op, value } = filter;
  // `eq null` matches the unassigned, `ne null` the assigned; any other comparison with an
  // unassigned value is false, except `ne`, which holds (nothing equals a missing value).
  if (value === null) return op === 'eq' ? !isPresent(actual) : isPresent(actual);
  if (actual === undefined || actual === null) return op === 'ne';
  switch (def.type) {
    case 'boolean':
      if (typeof actual !== 'boolean') return op === 'ne';
      return op === 'eq' ? actual === value : actual !== value;
    case 'integer':
    case 'decimal':
      if (typeof actual !== 'number' || typeof value !== 'number') return op === 'ne';
      return order(op, actual - value);
    case 'dateTime': {
      const a = typeof actual === 'string' ? Date.parse(actual) : Number.NaN;
      if (Number.isNaN(a) || filter.instant === undefined) return op === 'ne';
      return order(op, a - filter.instant);
    }
    default: {
      if (typeof actual !== 'string' || typeof value !== 'string') return op === 'ne';
      const a = def.caseExact ? actual : meter.fold(actual);
      const b = def.caseExact ? value : meter.fold(value);
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
