import type { AttrPath } from '../attr-path.js';
import { type AttributeDef, type AttributeType, findAttribute, type ResourceTypeDef } from '../schema/attribute.js';
import { readBooleanString } from '../schema/coerce-value.js';
import { type ResolvedPath, resolvePath } from '../schema/resolve-path.js';
import { invalidFilter, type ScimError } from '../scim-error.js';
import type {
  AndFilter,
  CompareFilter,
  CompareOp,
  Filter,
  FilterLiteral,
  NotFilter,
  OrFilter,
  PresentFilter,
  ValuePathFilter,
} from './ast.js';
import { printAttrPath, printFilter } from './print-filter.js';

/**
 * The schema check of a filter (RFC 7644 §3.4.2.2), the same for `?filter=`, a PATCH value path
 * (`emails[type eq "work"]`) and a value-filtered `attributes` entry. The PATCH evaluator and the
 * SQL compiler take only what it returns, so the two cannot disagree on what a filter means:
 * every path resolved against the schema, every operator fitting the type of what it compares,
 * every value of that type (the Entra legacy "True"/"False" read as booleans once, here).
 *
 * A checked filter is still a Filter (it prints and re-parses as one); each node adds what the
 * check found.
 */

/** A comparison whose path resolved and whose operator and value fit the attribute compared. */
export interface CheckedCompare extends CompareFilter {
  /**
   * What is compared, in the schema's spelling. A multi-valued complex attribute named alone
   * (`emails eq "x"`) is its `value` here: RFC 7643 §2.4 makes `value` the significant one.
   * Inside a value path, `attribute` is the filtered attribute and `sub` the element's
   * sub-attribute.
   */
  readonly resolved: ResolvedPath;
  /** For a boolean attribute always a boolean (Entra's "True" read as true); otherwise as sent. */
  readonly value: FilterLiteral;
  /** dateTime comparisons only: the instant the value names, in epoch milliseconds. */
  readonly instant?: number;
}

export interface CheckedPresent extends PresentFilter {
  readonly resolved: ResolvedPath;
}

export interface CheckedAnd<F extends Filter> extends AndFilter {
  readonly left: F;
  readonly right: F;
}

export interface CheckedOr<F extends Filter> extends OrFilter {
  readonly left: F;
  readonly right: F;
}

export interface CheckedNot<F extends Filter> extends NotFilter {
  readonly filter: F;
}

/** `emails[...]`: `resolved` is the multi-valued complex attribute, `filter` tests one element. */
export interface CheckedValuePath extends ValuePathFilter {
  readonly resolved: ResolvedPath;
  readonly filter: CheckedValueFilter;
}

/** A filter over one element of a multi-valued complex attribute: no value path inside. */
export type CheckedValueFilter =
  | CheckedCompare
  | CheckedPresent
  | CheckedAnd<CheckedValueFilter>
  | CheckedOr<CheckedValueFilter>
  | CheckedNot<CheckedValueFilter>;

/** A filter over resources of one type. */
export type CheckedFilter =
  | CheckedCompare
  | CheckedPresent
  | CheckedAnd<CheckedFilter>
  | CheckedOr<CheckedFilter>
  | CheckedNot<CheckedFilter>
  | CheckedValuePath;

type SimpleType = Exclude<AttributeType, 'complex'>;

const ALL: readonly CompareOp[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];

/**
 * The operators each attribute type takes besides `pr`, which every attribute takes. RFC 7644
 * §3.4.2.2 refuses gt/ge/lt/le on boolean and binary; co/sw/ew compare text, so they need a
 * string-valued type, and a dateTime compares by instant, not by its text. `eq null` and `ne null`
 * (presence) fit every type, complex ones too; nothing else compares a complex attribute.
 */
export const FILTER_OPERATORS: Readonly<Record<SimpleType, readonly CompareOp[]>> = {
  string: ALL,
  reference: ALL,
  binary: ['eq', 'ne', 'co', 'sw', 'ew'],
  boolean: ['eq', 'ne'],
  integer: ['eq', 'ne', 'gt', 'ge', 'lt', 'le'],
  decimal: ['eq', 'ne', 'gt', 'ge', 'lt', 'le'],
  dateTime: ['eq', 'ne', 'gt', 'ge', 'lt', 'le'],
};

/** The attribute a checked comparison or `pr` test compares: the sub-attribute when there is one. */
export function comparedAttribute(leaf: CheckedCompare | CheckedPresent): AttributeDef {
  return leaf.resolved.sub ?? leaf.resolved.attribute;
}

/**
 * Checks a filter over resources of `type` (`?filter=`, a SearchRequest's `filter`).
 *
 * @throws ScimError 400 `invalidFilter` for the first part the schema does not admit:
 * `filter.unknownAttribute`, `filter.filterOnSingle` (a value path on anything but a multi-valued
 * complex attribute), `filter.nestedValuePath`, `filter.operatorType`, `filter.nullOperator` or
 * `filter.valueType`, each detail naming the part and its position.
 */
export function checkFilter(type: ResourceTypeDef, filter: Filter): CheckedFilter {
  switch (filter.kind) {
    case 'and':
    case 'or':
      return { ...filter, left: checkFilter(type, filter.left), right: checkFilter(type, filter.right) };
    case 'not':
      return { ...filter, filter: checkFilter(type, filter.filter) };
    case 'valuePath': {
      const resolved = resolvePath(type, filter.path);
      if (resolved === undefined) throw unknownAttribute(type, filter.path, filter.at);
      if (resolved.sub !== undefined || !isMultiValuedComplex(resolved.attribute)) {
        const named = printAttrPath(filter.path);
        throw invalidFilter(
          `"${named}[...]" at position ${filter.at + 1} filters "${named}", which is not a multi-valued complex attribute; value filters select elements of attributes such as emails`,
          'filter.filterOnSingle',
        );
      }
      return { ...filter, resolved, filter: checkValueFilter(resolved, filter.filter) };
    }
    case 'present':
    case 'compare': {
      const resolved = resolvePath(type, filter.path);
      if (resolved === undefined) throw unknownAttribute(type, filter.path, filter.at);
      return checkLeaf(filter, impliedValue(resolved), printAttrPath(filter.path));
    }
  }
}

/**
 * Checks the filter inside `attr[...]` against the multi-valued complex attribute `parent` it
 * selects from, so a bad filter fails the same way whether or not the resource has elements to
 * test. Paths name sub-attributes of `parent` (`type`, not `emails.type`). The caller has made
 * sure `parent` is multi-valued complex, and says so in its own terms (a PATCH path, an
 * `attributes` entry).
 *
 * @throws ScimError 400 `invalidFilter` as {@link checkFilter} does.
 */
export function checkValueFilter(parent: ResolvedPath, filter: Filter): CheckedValueFilter {
  switch (filter.kind) {
    case 'and':
    case 'or':
      return { ...filter, left: checkValueFilter(parent, filter.left), right: checkValueFilter(parent, filter.right) };
    case 'not':
      return { ...filter, filter: checkValueFilter(parent, filter.filter) };
    case 'valuePath':
      throw invalidFilter(
        `Value filters cannot nest: "${printFilter(filter)}" inside "${parent.attribute.name}[...]" (position ${filter.at + 1})`,
        'filter.nestedValuePath',
      );
    case 'present':
    case 'compare': {
      const { attribute } = parent;
      const sub =
        filter.path.uri === undefined && filter.path.sub === undefined
          ? findAttribute(attribute.subAttributes, filter.path.attr)
          : undefined;
      if (sub === undefined) {
        const names = (attribute.subAttributes ?? []).map((s) => s.name).join(', ');
        throw invalidFilter(
          `"${printAttrPath(filter.path)}" is not a sub-attribute of "${attribute.name}" (position ${filter.at + 1}); inside "${attribute.name}[...]" use one of: ${names}`,
          'filter.unknownAttribute',
        );
      }
      return checkLeaf(filter, { ...parent, sub }, `${attribute.name}.${sub.name}`);
    }
  }
}

function checkLeaf(
  filter: CompareFilter | PresentFilter,
  resolved: ResolvedPath,
  label: string,
): CheckedCompare | CheckedPresent {
  if (filter.kind === 'present') return { ...filter, resolved };
  const def = resolved.sub ?? resolved.attribute;
  const { op, value, at } = filter;
  const where = `(position ${at + 1})`;
  const presence = value === null && (op === 'eq' || op === 'ne');
  if (def.type === 'complex') {
    if (presence) return { ...filter, resolved };
    const example = def.subAttributes?.[0]?.name;
    const hint = example !== undefined ? `, such as "${label}.${example}"` : '';
    throw invalidFilter(
      `"${label}" is complex: ${op} does not apply to it; compare one of its sub-attributes${hint} ${where}`,
      'filter.operatorType',
    );
  }
  const allowed = FILTER_OPERATORS[def.type];
  if (!allowed.includes(op)) {
    // RFC 7644 §3.4.2.2 names these two: "SHALL cause a failed response".
    const rfc = def.type === 'boolean' || def.type === 'binary' ? ' (RFC 7644 §3.4.2.2)' : '';
    throw invalidFilter(
      `"${label}" is ${TYPE_NAMES[def.type]}: ${op} does not apply to it${rfc}; use ${allowed.join(', ')} or pr ${where}`,
      'filter.operatorType',
    );
  }
  if (value === null) {
    if (presence) return { ...filter, resolved };
    throw invalidFilter(
      `"${label} ${op} null" cannot be answered: only eq and ne compare with null; use "pr" or "eq null" ${where}`,
      'filter.nullOperator',
    );
  }
  switch (def.type) {
    case 'string':
    case 'reference':
    case 'binary':
      if (typeof value !== 'string') throw mismatch(label, 'a string', value, at);
      return { ...filter, resolved };
    case 'boolean': {
      // Entra's legacy dialect writes `primary eq "True"`; PATCH values take the same strings.
      const bit = typeof value === 'string' ? readBooleanString(value) : value;
      if (typeof bit !== 'boolean') throw mismatch(label, 'true or false', value, at);
      return { ...filter, resolved, value: bit };
    }
    case 'integer':
    case 'decimal':
      if (typeof value !== 'number') throw mismatch(label, 'a number', value, at);
      return { ...filter, resolved };
    case 'dateTime': {
      const instant = typeof value === 'string' ? parseDateTime(value) : undefined;
      if (instant === undefined) throw mismatch(label, 'an RFC 3339 date-time string', value, at);
      return { ...filter, resolved, instant };
    }
  }
}

const TYPE_NAMES: Readonly<Record<SimpleType, string>> = {
  string: 'a string',
  reference: 'a reference',
  binary: 'binary',
  boolean: 'a boolean',
  integer: 'an integer',
  decimal: 'a decimal',
  dateTime: 'a date-time',
};

/** `emails` alone stands for `emails.value` (RFC 7643 §2.4); other paths stay as resolved. */
function impliedValue(resolved: ResolvedPath): ResolvedPath {
  if (resolved.sub !== undefined || !isMultiValuedComplex(resolved.attribute)) return resolved;
  const value = findAttribute(resolved.attribute.subAttributes, 'value');
  return value === undefined ? resolved : { ...resolved, sub: value };
}

function isMultiValuedComplex(def: AttributeDef): boolean {
  return def.multiValued && def.type === 'complex';
}

function unknownAttribute(type: ResourceTypeDef, path: AttrPath, at: number): ScimError {
  return invalidFilter(
    `Unknown attribute "${printAttrPath(path)}" at position ${at + 1} for resource type ${type.name}`,
    'filter.unknownAttribute',
  );
}

function mismatch(label: string, expected: string, value: FilterLiteral, at: number): ScimError {
  return invalidFilter(
    `"${label}" compares with ${expected}, got ${JSON.stringify(value)} (position ${at + 1})`,
    'filter.valueType',
  );
}

// A filter compares instants, so the zone is required: without one the text names no instant.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** RFC 3339 date-time → epoch ms; undefined when not a valid one. */
export function parseDateTime(value: string): number | undefined {
  if (!RFC3339.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
