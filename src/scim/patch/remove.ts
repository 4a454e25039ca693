import { matchesValueFilter } from '../filter/evaluate-filter.js';
import { isScimObject, type ResourceDoc, type ScimValue, withKey } from '../resource-doc.js';
import { coerceAttributeValue } from '../schema/coerce.js';
import { invalidPath, mutability, noTarget } from '../scim-error.js';
import { unknownPath } from './add.js';
import { memberIdsOf, parseMemberRefs } from './member-plan.js';
import type { PatchOperation } from './normalize-ops.js';
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
} from './target.js';
import { elementsOf, removeMatching } from './values.js';

/**
 * RFC 7644 §3.5.2.2 `remove`:
 * - no path is 400 `noTarget`;
 * - a single-valued or complex attribute (or a sub-attribute such as `name.givenName`) becomes
 *   unassigned;
 * - a multi-valued attribute without a filter is unassigned whole, unless the operation carries a
 *   `value`: Entra's legacy dialect removes values by naming them
 *   (`{"op":"Remove","path":"members","value":[{"value":"id"}]}`, likewise for emails), and then
 *   only the elements that have every sub-attribute value given are removed;
 * - a value path removes the matching elements (or, with `.subAttr`, that sub-attribute of them;
 *   an element left empty goes too). Matching nothing is not an error: the RFC names no error
 *   for it, and Entra and Okta expect removing an absent value to succeed.
 * Removing a readOnly attribute is 400 `mutability`; so is leaving a required attribute
 * unassigned, which apply-patch.ts checks after every operation (§3.5.2.2: "If an attribute is
 * removed or becomes unassigned and is defined as a required attribute or a read-only
 * attribute, the server SHALL return ... mutability").
 */
export function applyRemove(ctx: PatchContext, doc: ResourceDoc, op: PatchOperation): ResourceDoc {
  if (op.path === undefined) {
    throw noTarget('"remove" needs a "path" naming what to remove (RFC 7644 §3.5.2.2)', 'patch.removeNoPath');
  }
  const text = op.pathText ?? '';
  const target = resolveTarget(ctx.type, op.path, text);
  if (target === undefined) throw unknownPath(ctx, text);
  if (target.kind === 'schema') {
    if (!target.isExtension) {
      throw invalidPath(`"${text}" is the core schema; remove its attributes one by one`, 'patch.removeCoreSchema');
    }
    return withKey(doc, target.schema.id, undefined);
  }
  if (isMembers(target)) {
    removeMembers(ctx, target, op.value);
    return doc;
  }
  const access = mutabilityOf(target);
  if (access === 'readOnly') throw readOnlyError(target);
  if (access === 'writeOnly') return doc;

  const { resolved, filter, subAttr } = target;
  const current = getAttribute(doc, resolved);
  if (current === undefined) return doc;
  if (access === 'immutable') {
    throw mutability(`"${text}" is immutable and cannot be removed once set (RFC 7643 §2.2)`, 'patch.immutable');
  }
  const { attribute } = resolved;

  if (filter !== undefined) {
    const out: ScimValue[] = [];
    for (const element of elementsOf(current)) {
      if (!isScimObject(element) || !matchesValueFilter(filter, element, ctx.work)) {
        out.push(element);
      } else if (subAttr !== undefined) {
        const rest = withKey(element, subAttr.name, undefined);
        if (!isEmpty(rest)) out.push(rest);
      }
    }
    return setAttribute(doc, resolved, out);
  }
  if (resolved.sub !== undefined) {
    return isScimObject(current) ? setAttribute(doc, resolved, withKey(current, resolved.sub.name, undefined)) : doc;
  }
  if (attribute.multiValued && op.value !== undefined && op.value !== null) {
    const patterns = elementsOf(coerceAttributeValue(attribute, op.value, text, { context: ctx.where }));
    return setAttribute(doc, resolved, removeMatching(attribute, elementsOf(current), patterns, ctx.work));
  }
  return setAttribute(doc, resolved, undefined);
}

/**
 * `members` (a Group's memberships are rows, never in the document): `remove` with no value and
 * no filter removes every member; with a value (Entra legacy) exactly the ids given, never all;
 * with `members[value eq "id"]` (Entra RFC dialect, Okta) the ids the filter names.
 */
function removeMembers(ctx: PatchContext, target: AttributeTarget, value: unknown): void {
  if (target.resolved.sub !== undefined || target.subAttr !== undefined) {
    throw invalidPath(
      `"${target.text}" is not supported; remove members with members[value eq "<id>"] or with path "members" and a value array`,
      'patch.memberPath',
    );
  }
  if (target.filter !== undefined) {
    ctx.members.remove(memberIdsOf(target.filter, ctx.where));
    return;
  }
  if (value === undefined || value === null) {
    ctx.members.replaceAll([]);
    return;
  }
  ctx.members.remove(parseMemberRefs(value, ctx.where).map((ref) => ref.value));
}
