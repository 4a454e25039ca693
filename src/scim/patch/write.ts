import { parsePath } from '../path/parse-path.js';
import { isScimObject, type ResourceDoc, withKey } from '../resource-doc.js';
import type { SchemaDef } from '../schema/attribute.js';
import { describeValue } from '../schema/coerce.js';
import { findSchema } from '../schema/resolve-path.js';
import { invalidPath, invalidSyntax, invalidValue, ScimError } from '../scim-error.js';
import { parseMemberRefs } from './member-plan.js';
import { checkImmutable, coerceFor, mergeComplex, readComplex } from './merge-complex.js';
import {
  type AttributeTarget,
  getAttribute,
  isMembers,
  mutabilityOf,
  type PatchContext,
  readOnlyError,
  resolveTarget,
  setAttribute,
  type Target,
} from './target.js';
import { appendDistinct, elementsOf, keepOnePrimary } from './values.js';
import { writeFiltered } from './write-filtered.js';

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
    const value = coerceFor(ctx, sub, raw, target.text);
    checkImmutable(sub, parent[sub.name], value, target.text);
    return setAttribute(doc, resolved, withKey(parent, sub.name, value));
  }
  const { attribute } = resolved;
  if (attribute.multiValued) {
    const incoming = elementsOf(coerceFor(ctx, attribute, raw, target.text));
    if (mode === 'replace') {
      const value = incoming.length > 0 ? incoming : undefined;
      checkImmutable(attribute, current, value, target.text);
      return setAttribute(doc, resolved, value);
    }
    // RFC 7644 §3.5.2.1: add appends; a value already there is not added twice.
    const { out, added } = appendDistinct(attribute, elementsOf(current), incoming, ctx.work);
    if (current !== undefined && added.size > 0) checkImmutable(attribute, current, out, target.text);
    return setAttribute(doc, resolved, keepOnePrimary(out, added));
  }
  if (attribute.type === 'complex') {
    return setAttribute(
      doc,
      resolved,
      mergeComplex(
        attribute,
        isScimObject(current) ? current : undefined,
        readComplex(ctx, attribute, raw, target.text, false),
        target.text,
      ),
    );
  }
  const value = coerceFor(ctx, attribute, raw, target.text);
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
  if (mode === 'add') ctx.members.add(refs);
  else ctx.members.replaceAll(refs);
}
