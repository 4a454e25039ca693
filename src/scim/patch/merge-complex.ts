import { isScimObject, type ScimObject, type ScimValue, sameValue, withKey } from '../resource-doc.js';
import { type AttributeDef, findAttribute } from '../schema/attribute.js';
import { coerceAttributeValue } from '../schema/coerce.js';
import { mutability } from '../scim-error.js';
import { isEmpty, type PatchContext } from './target.js';

/*
 * Reading an operation's `value` for the attribute it writes, shared by add and replace (write.ts,
 * write-filtered.ts). A value is read once per operation, however many elements it is then
 * written into: a value path can select every element of an attribute.
 */

/** {@link coerceAttributeValue} with the operation named in the error. */
export function coerceFor(ctx: PatchContext, def: AttributeDef, raw: unknown, path: string): ScimValue | undefined {
  return coerceAttributeValue(def, raw, path, { context: ctx.where });
}

/** What a complex `value` does to an object: sub-attributes it unassigns (null) and ones it sets. */
export interface ComplexChange {
  readonly unassign: readonly string[];
  readonly set: ScimObject | undefined;
}

/**
 * Reads a complex `value` (RFC 7644 §3.5.2.1, §3.5.2.3); undefined for `null`, which unassigns the
 * whole value. `element` reads `raw` as one element of a multi-valued attribute.
 *
 * @throws ScimError 400 `invalidValue` for a value of the wrong type.
 */
export function readComplex(
  ctx: PatchContext,
  def: AttributeDef,
  raw: unknown,
  path: string,
  element: boolean,
): ComplexChange | undefined {
  if (raw === null) return undefined;
  const set = coerceAttributeValue(def, raw, path, { element, context: ctx.where });
  const unassign = new Set<string>();
  if (isScimObject(raw)) {
    for (const [key, value] of Object.entries(raw)) {
      const sub = findAttribute(def.subAttributes, key);
      if (value === null && sub !== undefined && sub.mutability !== 'readOnly') unassign.add(sub.name);
    }
  }
  return { unassign: [...unassign], set: isScimObject(set) ? set : undefined };
}

/**
 * RFC 7644 §3.5.2.3: a complex value replaces the sub-attributes it gives and leaves the others
 * unchanged (add behaves the same, §3.5.2.1). A sub-attribute given as null is unassigned.
 *
 * @throws ScimError 400 `mutability` when it would change an immutable sub-attribute.
 */
export function mergeComplex(
  def: AttributeDef,
  current: ScimObject | undefined,
  change: ComplexChange | undefined,
  path: string,
): ScimObject | undefined {
  if (change === undefined) return undefined;
  let out: ScimObject = current ?? {};
  for (const name of change.unassign) out = withKey(out, name, undefined);
  for (const [key, value] of Object.entries(change.set ?? {})) {
    const sub = findAttribute(def.subAttributes, key);
    if (sub !== undefined) checkImmutable(sub, out[key], value, `${path}.${sub.name}`);
    out = withKey(out, key, value);
  }
  return isEmpty(out) ? undefined : out;
}

/** RFC 7644 §3.5.2: an immutable attribute may be set when unassigned, never changed after. */
export function checkImmutable(
  def: AttributeDef,
  current: ScimValue | undefined,
  next: ScimValue | undefined,
  path: string,
): void {
  if (def.mutability !== 'immutable' || current === undefined || sameValue(current, next)) return;
  throw mutability(
    `"${path}" is immutable: it was set when created and cannot be changed (RFC 7643 §2.2)`,
    'patch.immutable',
  );
}
