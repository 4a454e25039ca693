import { type CheckedValueFilter, checkValueFilter } from '../filter/check-filter.js';
import type { PatchPath } from '../path/path-ast.js';
import { isScimObject, type ResourceDoc, type ScimObject, type ScimValue, withKey } from '../resource-doc.js';
import { type AttributeDef, findAttribute, type ResourceTypeDef, type SchemaDef } from '../schema/attribute.js';
import { GROUP_SCHEMA_ID } from '../schema/group-schema.js';
import { findSchema, type ResolvedPath, resolvePath } from '../schema/resolve-path.js';
import { invalidPath, mutability, ScimError } from '../scim-error.js';
import type { MemberPlanBuilder } from './member-plan.js';
import type { PatchWork } from './patch-work.js';

/**
 * What every operation needs besides the document: the schema, where to record members, and the
 * meter the whole PATCH shares.
 */
export interface PatchContext {
  readonly type: ResourceTypeDef;
  /** `Operations[2]`, prefixed to error details. */
  readonly where: string;
  /** The member plan of the whole PATCH; operations on a Group's `members` add to it. */
  readonly members: MemberPlanBuilder;
  /** Work budget and case-folding cache of the whole PATCH, shared by its operations. */
  readonly work: PatchWork;
}

/**
 * Where an operation's path points, resolved against the schema.
 * - `schema`: the path is a bare schema URN (`urn:...:enterprise:2.0:User`), i.e. the whole
 *   extension object.
 * - `attribute`: `resolved` is the attribute (and, for `name.givenName`, its `sub`); `filter` and
 *   `subAttr` come from a value path (`emails[type eq "work"].value`).
 */
export type Target =
  | { readonly kind: 'schema'; readonly schema: SchemaDef; readonly isExtension: boolean; readonly text: string }
  | {
      readonly kind: 'attribute';
      readonly resolved: ResolvedPath;
      /** Checked against the attribute's sub-attributes (filter/check-filter.ts). */
      readonly filter?: CheckedValueFilter;
      readonly subAttr?: AttributeDef;
      readonly text: string;
    };

/** A {@link Target} naming an attribute (not a whole schema). */
export type AttributeTarget = Extract<Target, { kind: 'attribute' }>;

/** Calls `fn`, prefixing the detail of a ScimError it throws with the operation's position. */
export function withWhere<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ScimError && !error.detail.startsWith(`${where}:`)) {
      throw new ScimError(error.status, `${where}: ${error.detail}`, error.scimType, error.code);
    }
    throw error;
  }
}

/**
 * Resolves a parsed path case-insensitively (RFC 7643 §2.1), or returns undefined when it names
 * nothing the resource type has. A value filter must follow a multi-valued complex attribute and
 * is checked against its sub-attributes; a sub-attribute of a multi-valued attribute needs a value
 * filter to say which elements (`emails[type eq "work"].value`, not `emails.value`).
 *
 * @throws ScimError 400 `invalidPath` / `invalidFilter` for paths that resolve but make no sense.
 */
export function resolveTarget(type: ResourceTypeDef, path: PatchPath, text: string): Target | undefined {
  if (path.filter === undefined && path.attr.uri !== undefined && path.attr.sub === undefined) {
    const whole = findSchema(type, `${path.attr.uri}:${path.attr.attr}`);
    if (whole !== undefined) return { kind: 'schema', schema: whole.schema, isExtension: whole.isExtension, text };
  }
  const resolved = resolvePath(type, path.attr);
  if (resolved === undefined) return undefined;
  const { attribute } = resolved;
  if (path.filter === undefined) {
    if (resolved.sub !== undefined && attribute.multiValued) {
      throw invalidPath(
        `"${text}" does not say which values of the multi-valued attribute "${attribute.name}" to change; select them with a filter, as in ${attribute.name}[type eq "work"].${resolved.sub.name}`,
        'path.subOfMultiValued',
      );
    }
    return { kind: 'attribute', resolved, text };
  }
  if (!attribute.multiValued || attribute.type !== 'complex') {
    throw invalidPath(
      `"${text}" filters "${attribute.name}", which is not a multi-valued complex attribute; value filters select elements of attributes such as emails`,
      'path.filterOnSingle',
    );
  }
  const filter = checkValueFilter(resolved, path.filter);
  if (path.subAttr === undefined) return { kind: 'attribute', resolved, filter, text };
  const subAttr = findAttribute(attribute.subAttributes, path.subAttr);
  if (subAttr === undefined) {
    const names = (attribute.subAttributes ?? []).map((s) => s.name).join(', ');
    throw invalidPath(
      `"${text}": "${path.subAttr}" is not a sub-attribute of "${attribute.name}" (one of: ${names})`,
      'path.unknownSubAttribute',
    );
  }
  return { kind: 'attribute', resolved, filter, subAttr, text };
}

/** The attribute or sub-attribute whose value the operation's `value` is. */
export function leafOf(target: AttributeTarget): AttributeDef {
  return target.subAttr ?? target.resolved.sub ?? target.resolved.attribute;
}

/** The most restrictive mutability along the path: a readOnly sub-attribute makes the path readOnly. */
export function mutabilityOf(target: AttributeTarget): AttributeDef['mutability'] {
  const chain = [target.resolved.attribute, target.resolved.sub, target.subAttr];
  for (const level of ['readOnly', 'writeOnly', 'immutable'] as const) {
    if (chain.some((def) => def?.mutability === level)) return level;
  }
  return 'readWrite';
}

/** RFC 7644 §3.5.2: operations on readOnly attributes fail with `mutability`. */
export function readOnlyError(target: AttributeTarget): ScimError {
  return mutability(`"${target.text}" is readOnly and cannot be changed by a client (RFC 7643 §2.2)`, 'patch.readOnly');
}

/** True when the target is a Group's `members`, which live as rows and go to the member plan. */
export function isMembers(target: AttributeTarget): boolean {
  return target.resolved.schema?.id === GROUP_SCHEMA_ID && target.resolved.attribute.name === 'members';
}

/** The object the attribute lives in: the document, or its extension object. */
function containerOf(doc: ResourceDoc, resolved: ResolvedPath): ScimObject | undefined {
  if (!resolved.isExtension || resolved.schema === undefined) return doc;
  const block = doc[resolved.schema.id];
  return isScimObject(block) ? block : undefined;
}

/** The attribute's current value (the whole attribute, ignoring `sub`). */
export function getAttribute(doc: ResourceDoc, resolved: ResolvedPath): ScimValue | undefined {
  return containerOf(doc, resolved)?.[resolved.attribute.name];
}

/**
 * Returns `doc` with the attribute set to `value`, or unassigned when `value` is undefined. Empty
 * objects and arrays are unassigned too (RFC 7643 §2.5), and an extension object left empty is
 * dropped, so the document stays canonical.
 */
export function setAttribute(doc: ResourceDoc, resolved: ResolvedPath, value: ScimValue | undefined): ResourceDoc {
  const normalized = isEmpty(value) ? undefined : value;
  if (!resolved.isExtension || resolved.schema === undefined) return withKey(doc, resolved.attribute.name, normalized);
  const block = withKey(containerOf(doc, resolved) ?? {}, resolved.attribute.name, normalized);
  return withKey(doc, resolved.schema.id, Object.keys(block).length > 0 ? block : undefined);
}

/** Unassigned in the sense of RFC 7643 §2.5: absent, an empty array or an empty object. */
export function isEmpty(value: ScimValue | undefined): boolean {
  if (value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isScimObject(value) && Object.keys(value).length === 0;
}
