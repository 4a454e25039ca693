import { foldCase } from '../fold-case.js';
import { isScimObject, type ScimValue } from '../resources/resource-doc.js';
import { type AttributeDef, findAttribute } from '../schema/attribute.js';
import { isPrimary } from '../schema/coerce.js';

/**
 * Whether two values of `def` are the same value: strings compare under the attribute's
 * `caseExact` (RFC 7643 §2.2), complex values sub-attribute by sub-attribute.
 */
export function sameUnder(def: AttributeDef, a: ScimValue | undefined, b: ScimValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (def.type === 'complex' && isScimObject(a) && isScimObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const sub = findAttribute(def.subAttributes, key);
      if (sub === undefined ? a[key] !== b[key] : !sameUnder(sub, a[key], b[key])) return false;
    }
    return true;
  }
  if (typeof a === 'string' && typeof b === 'string' && !def.caseExact) return foldCase(a) === foldCase(b);
  return a === b;
}

/**
 * Whether `element` has every sub-attribute value `pattern` gives (Entra's legacy remove-with-value
 * names elements by some of their sub-attributes, typically just `value`).
 */
export function matchesPattern(def: AttributeDef, pattern: ScimValue, element: ScimValue): boolean {
  if (!isScimObject(pattern) || !isScimObject(element)) return sameUnder(def, pattern, element);
  return Object.entries(pattern).every(([key, value]) => {
    const sub = findAttribute(def.subAttributes, key);
    return sub === undefined ? element[key] === value : sameUnder(sub, value, element[key]);
  });
}

/**
 * RFC 7643 §2.4 and RFC 7644 §3.5.2: setting `primary: true` on one value makes the others
 * non-primary. `chosen` are the indexes the operation just wrote; every other element that was
 * primary gets `primary: false`.
 */
export function keepOnePrimary(elements: readonly ScimValue[], chosen: ReadonlySet<number>): ScimValue[] {
  const wrotePrimary = [...chosen].some((i) => {
    const element = elements[i];
    return element !== undefined && isPrimary(element);
  });
  if (!wrotePrimary) return [...elements];
  return elements.map((element, i) =>
    !chosen.has(i) && isPrimary(element) && isScimObject(element) ? { ...element, primary: false } : element,
  );
}

/** The elements of a multi-valued attribute's current value (none when unassigned). */
export function elementsOf(value: ScimValue | undefined): readonly ScimValue[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
