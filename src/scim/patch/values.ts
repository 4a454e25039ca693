import type { EvaluationMeter } from '../filter/evaluate-filter.js';
import { foldCase } from '../fold-case.js';
import { isScimObject, type ScimValue } from '../resource-doc.js';
import { type AttributeDef, findAttribute } from '../schema/attribute.js';
import { isPrimary } from '../schema/coerce.js';
import { type Fold, projectionKey, valueKey } from './value-key.js';

/**
 * Whether two values of `def` are the same value: strings compare under the attribute's
 * `caseExact` (RFC 7643 §2.2), complex values sub-attribute by sub-attribute. The recursion
 * follows `def`, not the values. value-key.ts gives the same equality as a key.
 */
export function sameUnder(
  def: AttributeDef,
  a: ScimValue | undefined,
  b: ScimValue | undefined,
  fold: Fold = foldCase,
): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (def.type === 'complex' && isScimObject(a) && isScimObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const sub = findAttribute(def.subAttributes, key);
      if (sub === undefined ? a[key] !== b[key] : !sameUnder(sub, a[key], b[key], fold)) return false;
    }
    return true;
  }
  if (typeof a === 'string' && typeof b === 'string' && !def.caseExact) return fold(a) === fold(b);
  return a === b;
}

/**
 * Whether `element` has every sub-attribute value `pattern` gives (Entra's legacy remove-with-value
 * names elements by some of their sub-attributes, typically just `value`).
 */
export function matchesPattern(
  def: AttributeDef,
  pattern: ScimValue,
  element: ScimValue,
  fold: Fold = foldCase,
): boolean {
  if (!isScimObject(pattern) || !isScimObject(element)) return sameUnder(def, pattern, element, fold);
  return Object.entries(pattern).every(([key, value]) => {
    const sub = findAttribute(def.subAttributes, key);
    return sub === undefined ? element[key] === value : sameUnder(sub, value, element[key], fold);
  });
}

/**
 * RFC 7644 §3.5.2.1: `add` to a multi-valued attribute appends each incoming element that is not
 * the same value (`sameUnder`) as one already there or added before it. Linear: elements are
 * found by key in a Set; one that cannot be keyed (never, after coercion) is compared one by one.
 * Returns the new list and the indexes it appended. Charges `meter` one unit per element keyed.
 */
export function appendDistinct(
  def: AttributeDef,
  current: readonly ScimValue[],
  incoming: readonly ScimValue[],
  meter: EvaluationMeter,
): { readonly out: ScimValue[]; readonly added: ReadonlySet<number> } {
  meter.charge(current.length + incoming.length);
  const fold = (text: string) => meter.fold(text);
  const out = [...current];
  const seen = new Set<string>();
  for (const element of current) {
    const key = valueKey(def, element, fold);
    if (key !== undefined) seen.add(key);
  }
  const added = new Set<number>();
  for (const element of incoming) {
    const key = valueKey(def, element, fold);
    if (key === undefined) {
      meter.charge(out.length);
      if (out.some((existing) => sameUnder(def, existing, element, fold))) continue;
    } else if (seen.has(key)) {
      continue;
    } else {
      seen.add(key);
    }
    added.add(out.length);
    out.push(element);
  }
  return { out, added };
}

/**
 * The elements that match none of `patterns` (`matchesPattern`), for Entra's remove-by-value
 * (`{"op":"Remove","path":"emails","value":[{"value":"a@x"}]}`). Patterns that give the same
 * sub-attributes share one Set of keys, so each element costs one lookup per distinct shape of
 * pattern (one, in practice) instead of one comparison per pattern. Charges `meter` for every
 * element tested against every shape and every pattern that cannot be keyed.
 */
export function removeMatching(
  def: AttributeDef,
  elements: readonly ScimValue[],
  patterns: readonly ScimValue[],
  meter: EvaluationMeter,
): ScimValue[] {
  const fold = (text: string) => meter.fold(text);
  const shapes = new Map<string, { readonly names: readonly string[]; readonly keys: Set<string> }>();
  const unkeyed: ScimValue[] = [];
  for (const pattern of patterns) {
    const names = isScimObject(pattern) ? Object.keys(pattern).sort() : [];
    const key = isScimObject(pattern) ? projectionKey(def, pattern, names, fold) : undefined;
    if (key === undefined) {
      unkeyed.push(pattern);
      continue;
    }
    const signature = JSON.stringify(names);
    let shape = shapes.get(signature);
    if (shape === undefined) {
      shape = { names, keys: new Set() };
      shapes.set(signature, shape);
    }
    shape.keys.add(key);
  }
  meter.charge(patterns.length + elements.length * (shapes.size + unkeyed.length));
  return elements.filter((element) => {
    // An object pattern never matches an element that is not an object (sameUnder: not equal).
    if (isScimObject(element)) {
      for (const { names, keys } of shapes.values()) {
        const key = projectionKey(def, element, names, fold);
        if (key !== undefined && keys.has(key)) return false;
      }
    }
    return !unkeyed.some((pattern) => matchesPattern(def, pattern, element, fold));
  });
}

/**
 * RFC 7644 §3.5.2: setting `primary: true` on one value makes the server set the others to false.
 * `chosen` are the indexes the operation just wrote; every other element that was primary loses
 * its `primary` key instead of getting `primary: false`, because RFC 7643 §2.4 says a `primary`
 * that is not specified "SHALL be assumed to be false": dropping the key is setting it false,
 * without storing a value no client sent. The demoted element then looks like every element that
 * was never primary, so `emails[primary pr]` selects the primary value and nothing else, and
 * `emails[not (primary pr)]` all the others. Elements the operation did not demote are returned
 * as they were, a client's own `primary: false` included (values are stored as sent). An element
 * left empty by the demotion (it held only `primary`) is unassigned (RFC 7643 §2.5) and dropped.
 */
export function keepOnePrimary(elements: readonly ScimValue[], chosen: ReadonlySet<number>): ScimValue[] {
  const wrotePrimary = [...chosen].some((i) => {
    const element = elements[i];
    return element !== undefined && isPrimary(element);
  });
  if (!wrotePrimary) return [...elements];
  const out: ScimValue[] = [];
  elements.forEach((element, i) => {
    if (chosen.has(i) || !isPrimary(element) || !isScimObject(element)) {
      out.push(element);
      return;
    }
    const { primary: _demoted, ...rest } = element;
    if (Object.keys(rest).length > 0) out.push(rest);
  });
  return out;
}

/** The elements of a multi-valued attribute's current value (none when unassigned). */
export function elementsOf(value: ScimValue | undefined): readonly ScimValue[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
