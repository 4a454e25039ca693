import type { Filter } from '../filter/ast.js';
import { matchesValueFilter } from '../filter/evaluate-filter.js';
import { parsePath } from '../path/parse-path.js';
import {
  isScimObject,
  type ResourceDoc,
  type ScimObject,
  type ScimValue,
  sameValue,
  withKey,
} from '../resources/resource-doc.js';
import { type AttributeDef, findAttribute, type SchemaDef } from '../schema/attribute.js';
import { coerceAttributeValue, coerceValue, describeValue, type Issue, isPrimary } from '../schema/coerce.js';
import { findSchema } from '../schema/resolve-path.js';
import { invalidPath, invalidSyntax, invalidValue, mutability, noTarget, ScimError } from '../scim-error.js';
import { parseMemberRefs, planAdd, planReplaceAll } from './member-plan.js';
import {
  type AttributeTarget,
  getAttribute,
  isEmpty,
  isMembers,
  mutabilityOf,
  type PatchContext,
  readOnlyError,
  resolveTarget,
  setAttribute,
  type Target,
} from './target.js';
import { elementsOf, keepOnePrimary, sameUnder } from './values.js';

/*
 * What `add` (RFC 7644 §3.5.2.1) and `replace` (§3.5.2.3) share. They differ only where the
 * target is a whole multi-valued attribute: `add` appends, `replace` replaces the array.
 */

/** Which of the two writing operations is running. */
export type WriteMode = 'add' | 'replace';

/**
 * An operation without `path`: `value` is an object of attributes to add or replace, "the target
 * location is assumed to be the resource itself". Keys may be plain names, schema URNs holding an
 * object of extension attributes, or paths: Entra's RFC-compliant dialect sends `name.givenName`,
 * `urn:...:enterprise:2.0:User:employeeNumber` and `emails[type eq "work"].value` as keys. Keys
 * naming nothing we know are ignored; readOnly ones too, because Okta echoes `id` in group
 * updates (`{"op":"replace","value":{"id":"...","displayName":"..."}}`).
 */
export function writePathless(ctx: PatchContext, doc: ResourceDoc, raw: unknown, mode: WriteMode): ResourceDoc {
  if (!isScimObject(raw)) {
    throw invalidSyntax(
      `"${mode}" without a "path" needs a "value" object of attributes, as in {"active": false}; got ${describeValue(raw)}`,
      'patch.pathlessValue',
    );
  }
  let next = doc;
  for (const [key, value] of Object.entries(raw)) {
    if (key.toLowerCase() === 'schemas') continue;
    next = writeKey(ctx, next, key, value, mode);
  }
  return next;
}

function writeKey(ctx: PatchContext, doc: ResourceDoc, key: string, value: unknown, mode: WriteMode): ResourceDoc {
  const whole = findSchema(ctx.type, key);
  if (whole !== undefined) return writeSchema(ctx, doc, whole.schema, whole.isExtension, value, mode);
  let target: Target | undefined;
  try {
    target = resolveTarget(ctx.type, parsePath(key), key);
  } catch (error) {
    // A key that is not even a path is an attribute we do not know: ignored like any other. A
    // key with a value filter was meant as a path, so a malformed one is reported.
    if (error instanceof ScimError && error.scimType === 'invalidPath' && !key.includes('[')) return doc;
    throw error;
  }
  return target === undefined ? doc : writeTarget(ctx, doc, target, value, mode, true);
}

/** An object of a schema's attributes under its URN (a key, or a path that is the bare URN). */
function writeSchema(
  ctx: PatchContext,
  doc: ResourceDoc,
  schema: SchemaDef,
  isExtension: boolean,
  raw: unknown,
  mode: WriteMode,
): ResourceDoc {
  if (raw === null) return isExtension ? withKey(doc, schema.id, undefined) : doc;
  if (!isScimObject(raw)) {
    throw invalidValue(
      `The value for "${schema.id}" must be an object of its attributes, got ${describeValue(raw)}`,
      'patch.schemaValue',
    );
  }
  let next = doc;
  for (const [key, value] of Object.entries(raw)) {
    next = isExtension
      ? writeKey(ctx, next, `${schema.id}:${key}`, value, mode)
      : writeKey(ctx, next, key, value, mode);
  }
  return next;
}

/**
 * Writes `raw` at a resolved target. `lenient` is set for keys of a path-less value: there a
 * readOnly attribute is skipped silently, while an explicit `path` to one fails with `mutability`.
 */
export function writeTarget(
  ctx: PatchContext,
  doc: ResourceDoc,
  target: Target,
  raw: unknown,
  mode: WriteMode,
  lenient: boolean,
): ResourceDoc {
  if (target.kind === 'schema') return writeSchema(ctx, doc, target.schema, target.isExtension, raw, mode);
  if (isMembers(target)) {
    writeMembers(ctx, target, raw, mode);
    return doc;
  }
  const access = mutabilityOf(target);
  if (access === 'readOnly') {
    if (lenient) return doc;
    throw readOnlyError(target);
  }
  // RFC 7643 §4.1 password is writeOnly: accepted, and never stored (Parallel users use SSO).
  if (access === 'writeOnly') return doc;
  if (target.filter !== undefined) return writeFiltered(ctx, doc, target, target.filter, raw, mode);

  const { resolved } = target;
  const current = getAttribute(doc, resolved);
  if (resolved.sub !== undefined) {
    const sub = resolved.sub;
    const parent = isScimObject(current) ? current : {};
    const value = coerce(ctx, sub, raw, target.text);
    checkImmutable(sub, parent[sub.name], value, target.text);
    return setAttribute(doc, resolved, withKey(parent, sub.name, value));
  }
  const { attribute } = resolved;
  if (attribute.multiValued) {
    const incoming = elementsOf(coerce(ctx, attribute, raw, target.text));
    if (mode === 'replace') {
      const value = incoming.length > 0 ? incoming : undefined;
      checkImmutable(attribute, current, value, target.text);
      return setAttribute(doc, resolved, value);
    }
    // RFC 7644 §3.5.2.1: add appends; a value already there is not added twice.
    const out = [...elementsOf(current)];
    const chosen = new Set<number>();
    for (const element of incoming) {
      if (out.some((existing) => sameUnder(attribute, existing, element))) continue;
      chosen.add(out.length);
      out.push(element);
    }
    if (current !== undefined && chosen.size > 0) checkImmutable(attribute, current, out, target.text);
    return setAttribute(doc, resolved, keepOnePrimary(out, chosen));
  }
  if (attribute.type === 'complex') {
    return setAttribute(
      doc,
      resolved,
      mergeComplex(ctx, attribute, isScimObject(current) ? current : undefined, raw, target.text, false),
    );
  }
  const value = coerce(ctx, attribute, raw, target.text);
  checkImmutable(attribute, current, value, target.text);
  return setAttribute(doc, resolved, value);
}

function writeMembers(ctx: PatchContext, target: AttributeTarget, raw: unknown, mode: WriteMode): void {
  if (target.filter !== undefined || target.resolved.sub !== undefined) {
    throw invalidPath(
      `"${mode}" on "${target.text}" is not supported: add members with path "members" and a value array, replace them all with "replace" on "members", and remove one with "remove" on members[value eq "<id>"]`,
      'patch.memberPath',
    );
  }
  const refs = parseMemberRefs(raw, ctx.where);
  ctx.members = mode === 'add' ? planAdd(ctx.members, refs) : planReplaceAll(ctx.members, refs);
}

/**
 * RFC 7644 §3.5.2.3: a complex value replaces the sub-attributes it gives and leaves the others
 * unchanged (add behaves the same, §3.5.2.1). A sub-attribute given as null is unassigned.
 * `element` reads `raw` as one element of a multi-valued attribute.
 */
function mergeComplex(
  ctx: PatchContext,
  def: AttributeDef,
  current: ScimObject | undefined,
  raw: unknown,
  path: string,
  element: boolean,
): ScimObject | undefined {
  if (raw === null) return undefined;
  const incoming = coerceAttributeValue(def, raw, path, { element, context: ctx.where });
  let out: ScimObject = current ?? {};
  if (isScimObject(raw)) {
    for (const [key, value] of Object.entries(raw)) {
      const sub = findAttribute(def.subAttributes, key);
      if (value === null && sub !== undefined && sub.mutability !== 'readOnly') out = withKey(out, sub.name, undefined);
    }
  }
  if (isScimObject(incoming)) {
    for (const [key, value] of Object.entries(incoming)) {
      const sub = findAttribute(def.subAttributes, key);
      if (sub !== undefined) checkImmutable(sub, out[key], value, `${path}.${sub.name}`);
      out = withKey(out, key, value);
    }
  }
  return isEmpty(out) ? undefined : out;
}

/**
 * `emails[type eq "work"].value` and friends (RFC 7644 §3.5.2.3): every matching element is
 * updated. When none matches and the filter is a conjunction of `eq` comparisons, an element made
 * of those values is created: Entra sends `{"op":"Add","path":"emails[type eq \"work\"].value",...}`
 * (and `replace` likewise) for a user that has no work e-mail yet and expects it to succeed.
 * Otherwise no match is 400 `noTarget` (§3.5.2.3).
 */
function writeFiltered(
  ctx: PatchContext,
  doc: ResourceDoc,
  target: AttributeTarget,
  filter: Filter,
  raw: unknown,
  mode: WriteMode,
): ResourceDoc {
  const { resolved, subAttr } = target;
  const { attribute } = resolved;
  const list = elementsOf(getAttribute(doc, resolved));
  const update = (element: ScimObject): ScimObject | undefined => {
    if (subAttr === undefined) return mergeComplex(ctx, attribute, element, raw, target.text, true);
    const value = coerce(ctx, subAttr, raw, target.text);
    checkImmutable(subAttr, element[subAttr.name], value, target.text);
    const next = withKey(element, subAttr.name, value);
    return isEmpty(next) ? undefined : next;
  };

  const matched = new Set<number>();
  list.forEach((element, i) => {
    if (isScimObject(element) && matchesValueFilter(filter, element, attribute)) matched.add(i);
  });
  if (matched.size === 0) {
    const seed = equalityTerms(filter, attribute);
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
function equalityTerms(filter: Filter, attribute: AttributeDef): ScimObject | undefined {
  switch (filter.kind) {
    case 'compare': {
      if (
        filter.op !== 'eq' ||
        filter.value === null ||
        filter.path.uri !== undefined ||
        filter.path.sub !== undefined
      ) {
        return undefined;
      }
      const sub = findAttribute(attribute.subAttributes, filter.path.attr);
      if (sub === undefined || sub.mutability === 'readOnly') return undefined;
      const issues: Issue[] = [];
      const value = coerceValue(sub, filter.value, sub.name, issues);
      return issues.length > 0 || value === undefined ? undefined : { [sub.name]: value };
    }
    case 'and': {
      const left = equalityTerms(filter.left, attribute);
      const right = equalityTerms(filter.right, attribute);
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

function coerce(ctx: PatchContext, def: AttributeDef, raw: unknown, path: string): ScimValue | undefined {
  return coerceAttributeValue(def, raw, path, { context: ctx.where });
}

/** RFC 7644 §3.5.2: an immutable attribute may be set when unassigned, never changed after. */
function checkImmutable(
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
