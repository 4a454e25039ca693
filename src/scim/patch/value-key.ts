import { isScimObject, type ScimObject, type ScimValue } from '../resource-doc.js';
import { type AttributeDef, findAttribute } from '../schema/attribute.js';

/*
 * Canonical keys of attribute values, so that PATCH can find equal values with a Set lookup
 * instead of comparing every element with every other (quadratic in the elements, and each
 * comparison folding case again). Two values get the same key exactly when `sameUnder` in
 * values.ts says they are the same value: strings compare folded unless `caseExact` (RFC 7643
 * §2.2), complex values sub-attribute by sub-attribute, keys as written.
 */

/** foldCase, or a memoized form of it (patch-work.ts). */
export type Fold = (text: string) => string;

/**
 * The key of `value` read as a value of `def`, or undefined when `sameUnder` would compare it by
 * reference (an object or array where a simple value belongs, or NaN): such values cannot be
 * keyed, and callers compare them one by one. Values that came through coercion never are.
 * Recursion follows `def`'s sub-attributes (at most two levels), never the value.
 */
export function valueKey(def: AttributeDef, value: ScimValue | undefined, fold: Fold): string | undefined {
  if (def.type === 'complex' && isScimObject(value)) {
    // A key holding undefined is unassigned, and `sameUnder` treats it as absent.
    const names = Object.keys(value)
      .filter((name) => value[name] !== undefined)
      .sort();
    const key = projectionKey(def, value, names, fold);
    return key === undefined ? undefined : `o${key}`;
  }
  return primitiveKey(value, def.caseExact, fold);
}

/**
 * The key of the sub-attributes `names` (sorted) of a complex value: equal for two objects exactly
 * when each of those sub-attributes is the same value in both (`matchesPattern` in values.ts, for
 * the sub-attributes a pattern gives). Undefined when one is missing or cannot be keyed.
 */
export function projectionKey(
  def: AttributeDef,
  object: ScimObject,
  names: readonly string[],
  fold: Fold,
): string | undefined {
  const parts: string[] = [];
  for (const name of names) {
    const value = object[name];
    if (value === undefined) return undefined;
    const sub = findAttribute(def.subAttributes, name);
    // A key the schema does not describe compares strictly (`===`), like `sameUnder` does.
    const key = sub === undefined ? primitiveKey(value, true, fold) : valueKey(sub, value, fold);
    if (key === undefined) return undefined;
    parts.push(name, key);
  }
  // JSON of an array of strings cannot be ambiguous, whatever the names and values contain.
  return JSON.stringify(parts);
}

function primitiveKey(value: ScimValue | undefined, caseExact: boolean, fold: Fold): string | undefined {
  switch (typeof value) {
    case 'string':
      return `s${caseExact ? value : fold(value)}`;
    case 'number':
      // String(-0) is "0", as -0 === 0; NaN equals nothing, not even itself.
      return Number.isNaN(value) ? undefined : `n${value}`;
    case 'boolean':
      return value ? 'T' : 'F';
    default:
      return undefined;
  }
}
