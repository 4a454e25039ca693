import type { CheckedValueFilter } from '../filter/check-filter.js';
import { matchesValueFilter } from '../filter/evaluate-filter.js';
import {
  isScimObject,
  type ResourceDoc,
  type ScimObject,
  type ScimValue,
  sameValue,
  withKey,
} from '../resource-doc.js';
import { coerceValue, type Issue, isPrimary } from '../schema/coerce.js';
import { invalidValue, noTarget } from '../scim-error.js';
import { type ComplexChange, checkImmutable, coerceFor, mergeComplex, readComplex } from './merge-complex.js';
import { type AttributeTarget, getAttribute, isEmpty, type PatchContext, setAttribute } from './target.js';
import { elementsOf, keepOnePrimary } from './values.js';
import type { WriteMode } from './write.js';

/**
 * `emails[type eq "work"].value` and friends (RFC 7644 §3.5.2.3): every matching element is
 * updated. When none matches and the filter is a conjunction of `eq` comparisons, an element made
 * of those values is created: Entra sends `{"op":"Add","path":"emails[type eq \"work\"].value",...}`
 * (and `replace` likewise) for a user that has no work e-mail yet and expects it to succeed.
 * Otherwise no match is 400 `noTarget` (§3.5.2.3).
 */
export function writeFiltered(
  ctx: PatchContext,
  doc: ResourceDoc,
  target: AttributeTarget,
  filter: CheckedValueFilter,
  raw: unknown,
  mode: WriteMode,
): ResourceDoc {
  const { resolved, subAttr } = target;
  const { attribute } = resolved;
  const list = elementsOf(getAttribute(doc, resolved));
  // The value is read on first use (a refused value still fails only once an element needs it,
  // after noTarget), then written into every element the filter selects.
  let change: { readonly value: ComplexChange | undefined } | undefined;
  let subValue: { readonly value: ScimValue | undefined } | undefined;
  const update = (element: ScimObject): ScimObject | undefined => {
    if (subAttr === undefined) {
      change ??= { value: readComplex(ctx, attribute, raw, target.text, true) };
      return mergeComplex(attribute, element, change.value, target.text);
    }
    subValue ??= { value: coerceFor(ctx, subAttr, raw, target.text) };
    checkImmutable(subAttr, element[subAttr.name], subValue.value, target.text);
    const next = withKey(element, subAttr.name, subValue.value);
    return isEmpty(next) ? undefined : next;
  };

  const matched = new Set<number>();
  list.forEach((element, i) => {
    if (isScimObject(element) && matchesValueFilter(filter, element, ctx.work)) matched.add(i);
  });
  if (matched.size === 0) {
    const seed = equalityTerms(filter);
    if (seed === undefined) {
      throw noTarget(
        `no value of "${attribute.name}" matches "${target.text}"; ${mode === 'replace' ? 'replace' : 'add'} needs an existing value to change (RFC 7644 §3.5.2.3)`,
        'patch.noMatch',
      );
    }
    if (raw === null) return doc;
    const created = update(seed);
    if (created === undefined) return doc;
    const out = [...list, created];
    return setAttribute(doc, resolved, keepOnePrimary(out, new Set([list.length])));
  }

  const updated = list.map((element, i) => (matched.has(i) && isScimObject(element) ? update(element) : element));
  const primaries = [...matched].filter((i) => {
    const element = updated[i];
    return element !== undefined && isPrimary(element);
  });
  if (primaries.length > 1) {
    throw invalidValue(
      `"${target.text}" matches ${primaries.length} values and would make them all primary; at most one value may be primary (RFC 7643 §2.4)`,
      'patch.primary',
    );
  }
  const withPrimary = keepOnePrimary(
    updated.map((element) => element ?? {}),
    matched,
  );
  return setAttribute(
    doc,
    resolved,
    withPrimary.filter((element) => !isEmpty(element)),
  );
}

/**
 * The element a filter such as `type eq "work" and primary eq true` describes, or undefined when
 * the filter is anything else (or contradicts itself).
 */
function equalityTerms(filter: CheckedValueFilter): ScimObject | undefined {
  switch (filter.kind) {
    case 'compare': {
      const sub = filter.resolved.sub;
      if (filter.op !== 'eq' || filter.value === null || sub === undefined || sub.mutability === 'readOnly') {
        return undefined;
      }
      const issues: Issue[] = [];
      const value = coerceValue(sub, filter.value, sub.name, issues);
      return issues.length > 0 || value === undefined ? undefined : { [sub.name]: value };
    }
    case 'and': {
      const left = equalityTerms(filter.left);
      const right = equalityTerms(filter.right);
      if (left === undefined || right === undefined) return undefined;
      for (const [key, value] of Object.entries(right)) {
        if (Object.hasOwn(left, key) && !sameValue(left[key], value)) return undefined;
      }
      return { ...left, ...right };
    }
    default:
      return undefined;
  }
}
