import { MAX_SCHEMAS } from '../limits.js';
import { isScimObject, type ResourceDoc, type ScimObject, type ScimValue } from '../resource-doc.js';
import { invalidSyntax } from '../scim-error.js';
import { type AttributeDef, findAttribute, type ResourceTypeDef, type SchemaDef } from './attribute.js';
import { coerceValue, describeValue, duplicateIssue, type Issue, issuesError, typeIssue } from './coerce-value.js';
import { GROUP_SCHEMA_ID, MICROSOFT_GROUP_SCHEMA_ID } from './group-schema.js';
import { findSchema, resolvePath } from './resolve-path.js';

export {
  type CoerceOptions,
  coerceAttributeValue,
  coerceValue,
  describeValue,
  type Issue,
  type IssueCode,
  isPrimary,
  issuesError,
} from './coerce-value.js';

/** Where a body key lands: a core or common attribute, or an attribute of an extension schema. */
interface Placement {
  readonly attribute: AttributeDef;
  /** The extension schema, or undefined for core and common attributes (stored at top level). */
  readonly extension: SchemaDef | undefined;
}

/**
 * Checks and canonicalises a POST or PUT body (RFC 7644 §3.3, §3.5.1) into a {@link ResourceDoc}.
 * - The body must be a JSON object (else 400 `invalidSyntax`).
 * - `schemas` may be omitted (some clients do); when present it must be an array of strings that
 *   includes the resource type's core schema (compared ignoring case). Extension URNs we do not
 *   know are ignored, as is Entra's Microsoft group URN, unless the body also carries attributes
 *   under such a URN: those we could not store, so they are refused rather than silently lost.
 * - Attribute names ignore case (RFC 7643 §2.1) and are stored in the schema's spelling.
 *   Extension attributes come as an object under the extension URN (any case) or as top-level
 *   URN-qualified keys (`urn:...:enterprise:2.0:User:department`, also `urn:...:core:2.0:User:userName`).
 * - At most MAX_SCHEMAS entries in `schemas` (limits.ts). Every step is linear in the body: each
 *   key is resolved once, with at most one URN prefix stripped.
 * - readOnly attributes (`id`, `meta`, `groups`, `members.display`, `manager.displayName`) are
 *   ignored (RFC 7644 §3.5.1 "SHALL be ignored"); writeOnly `password` is accepted and dropped,
 *   because Parallel users sign in through SSO and we never store one. Unknown attributes are
 *   ignored.
 * - Values are checked by {@link coerceValue}; required attributes (`userName`, Group
 *   `displayName`) must be present and not empty; a Group member must carry its `value`.
 * Every problem found is reported in one 400 `invalidValue` whose detail lists them all.
 */
export function parseResource(type: ResourceTypeDef, body: unknown): ResourceDoc {
  if (!isScimObject(body)) {
    throw invalidSyntax(
      `The request body must be a JSON object holding the ${type.name}'s attributes, got ${describeValue(body)}`,
      'resource.notObject',
    );
  }
  const issues: Issue[] = [];
  const core: Record<string, ScimValue> = {};
  const extensions = new Map<string, Record<string, ScimValue>>();
  let declared: readonly string[] = [];

  const assign = (placement: Placement, raw: unknown): void => {
    const { attribute, extension } = placement;
    if (attribute.mutability === 'readOnly' || attribute.mutability === 'writeOnly') return;
    const target = extension === undefined ? core : getOrCreate(extensions, extension.id);
    const path = extension === undefined ? attribute.name : `${extension.id}:${attribute.name}`;
    if (Object.hasOwn(target, attribute.name)) {
      issues.push(duplicateIssue(path));
      return;
    }
    const value = coerceValue(attribute, raw, path, issues);
    if (value !== undefined) target[attribute.name] = value;
    if (extension === undefined && type.schema.id === GROUP_SCHEMA_ID && attribute.name === 'members') {
      checkMemberValues(raw, issues);
    }
  };

  for (const [key, raw] of Object.entries(body)) {
    if (key.toLowerCase() === 'schemas') {
      declared = checkSchemas(type, raw, issues);
      continue;
    }
    const whole = findSchema(type, key);
    if (whole !== undefined) {
      assignBlock(type, whole.schema, whole.isExtension, raw, issues, assign);
      continue;
    }
    const placement = placeKey(type, key);
    if (placement !== undefined) assign(placement, raw);
  }

  checkUnknownExtensions(type, body, declared, issues);
  const doc: Record<string, ScimValue> = { ...core };
  for (const ext of type.extensions) {
    const block = extensions.get(ext.schema.id);
    if (block !== undefined && Object.keys(block).length > 0) doc[ext.schema.id] = block;
  }
  checkRequired(type, doc, issues);
  if (issues.length > 0) throw issuesError(issues);
  return doc;
}

function getOrCreate(map: Map<string, Record<string, ScimValue>>, key: string): Record<string, ScimValue> {
  let value = map.get(key);
  if (value === undefined) {
    value = {};
    map.set(key, value);
  }
  return value;
}

/** An object under a schema URN key: the extension's attributes (or, oddly but validly, core ones). */
function assignBlock(
  type: ResourceTypeDef,
  schema: SchemaDef,
  isExtension: boolean,
  raw: unknown,
  issues: Issue[],
  assign: (placement: Placement, raw: unknown) => void,
): void {
  if (raw === null) return;
  if (!isScimObject(raw)) {
    issues.push(typeIssue(schema.id, `an object of ${schema.name} attributes`, raw));
    return;
  }
  for (const [key, value] of Object.entries(raw)) {
    const placement = isExtension ? attributeOf(schema, key, schema) : placeKey(type, key);
    if (placement !== undefined) assign(placement, value);
  }
}

function attributeOf(schema: SchemaDef, name: string, extension: SchemaDef | undefined): Placement | undefined {
  const attribute = findAttribute(schema.attributes, name);
  return attribute === undefined ? undefined : { attribute, extension };
}

/**
 * Resolves a top-level body key: a plain name, or one qualified by a schema URN
 * (`urn:...:User:userName`, `urn:...:enterprise:2.0:User:department`). RFC 7644 §3.10 qualifies
 * an attribute with its schema URN once, so exactly one prefix is stripped and what follows must
 * be a plain name. A key with the prefix repeated (`urn:...:User:urn:...:User:userName`) names no
 * attribute and is ignored like any other unknown key: refusing it would make a harmless oddity
 * fatal, and resolving it again would let one key cost its length times its number of prefixes.
 */
function placeKey(type: ResourceTypeDef, key: string): Placement | undefined {
  const lower = key.toLowerCase();
  for (const { schema, isExtension } of schemasOf(type)) {
    const prefix = `${schema.id.toLowerCase()}:`;
    if (!lower.startsWith(prefix)) continue;
    const name = key.slice(prefix.length);
    return isExtension ? attributeOf(schema, name, schema) : plainAttribute(type, name);
  }
  return plainAttribute(type, key);
}

/** A core or common attribute named without any URN, or undefined. */
function plainAttribute(type: ResourceTypeDef, name: string): Placement | undefined {
  if (name.includes(':')) return undefined;
  const resolved = resolvePath(type, { attr: name });
  if (resolved === undefined || resolved.isExtension) return undefined;
  return { attribute: resolved.attribute, extension: undefined };
}

function schemasOf(type: ResourceTypeDef): readonly { schema: SchemaDef; isExtension: boolean }[] {
  return [
    { schema: type.schema, isExtension: false },
    ...type.extensions.map((e) => ({ schema: e.schema, isExtension: true })),
  ];
}

function checkSchemas(type: ResourceTypeDef, raw: unknown, issues: Issue[]): readonly string[] {
  if (raw === null) return [];
  if (Array.isArray(raw) && raw.length > MAX_SCHEMAS) {
    // One issue for the whole array, and no entry examined: `schemas` is matched against every
    // body key below, so its length multiplies theirs.
    issues.push({
      path: 'schemas',
      code: 'tooManySchemas',
      message: `Attribute "schemas" has ${raw.length} entries; at most ${MAX_SCHEMAS} are accepted`,
    });
    return [];
  }
  if (!Array.isArray(raw) || !raw.every((item): item is string => typeof item === 'string')) {
    issues.push({
      path: 'schemas',
      code: 'schemas',
      message: `Attribute "schemas" must be an array of schema URNs such as ["${type.schema.id}"], got ${describeValue(raw)}`,
    });
    return [];
  }
  const core = type.schema.id.toLowerCase();
  if (!raw.some((urn) => urn.toLowerCase() === core)) {
    issues.push({
      path: 'schemas',
      code: 'schemas',
      message: `Attribute "schemas" must include "${type.schema.id}" for a ${type.name}`,
    });
  }
  return raw;
}

/**
 * Extension URNs in `schemas` that this resource type does not have are ignored, unless the body
 * also holds attributes under them: storing nothing while answering 201 would lose data silently.
 * The body's keys are read once, each against the (at most MAX_SCHEMAS) unknown URNs.
 */
function checkUnknownExtensions(
  type: ResourceTypeDef,
  body: ScimObject,
  declared: readonly string[],
  issues: Issue[],
): void {
  const isUnknown = (urn: string): boolean =>
    findSchema(type, urn) === undefined &&
    // Entra adds its own group URN on group creates; it carries no attributes we keep.
    !(type.schema.id === GROUP_SCHEMA_ID && urn.toLowerCase() === MICROSOFT_GROUP_SCHEMA_ID.toLowerCase());
  const unknown = [...new Set(declared.filter(isUnknown).map((urn) => urn.toLowerCase()))];
  if (unknown.length === 0) return;
  const used = new Set<string>();
  for (const key of Object.keys(body)) {
    const lower = key.toLowerCase();
    for (const urn of unknown) {
      if (lower === urn || lower.startsWith(`${urn}:`)) used.add(urn);
    }
  }
  for (const urn of declared) {
    if (isUnknown(urn) && used.has(urn.toLowerCase())) {
      const known = schemasOf(type)
        .map((s) => `"${s.schema.id}"`)
        .join(', ');
      issues.push({
        path: urn,
        code: 'schemas',
        message: `Attribute "${urn}" belongs to a schema a ${type.name} does not support; supported schemas are ${known}`,
      });
    }
  }
}

function checkRequired(type: ResourceTypeDef, doc: ResourceDoc, issues: Issue[]): void {
  for (const attribute of type.schema.attributes) {
    if (!attribute.required || attribute.mutability === 'readOnly') continue;
    const value = doc[attribute.name];
    if (value === undefined) {
      issues.push({ path: attribute.name, code: 'required', message: `Attribute "${attribute.name}" is required` });
    } else if (value === '') {
      issues.push({
        path: attribute.name,
        code: 'required',
        message: `Attribute "${attribute.name}" must not be empty`,
      });
    }
  }
}

/**
 * RFC 7643 §4.2: a member is identified by its `value` (the member's id); an element without one
 * names no one. Checked on the raw body, because coercion drops elements it leaves empty. What is
 * not an array of objects at all is coerceValue's type issue, not reported twice here.
 */
function checkMemberValues(raw: unknown, issues: Issue[]): void {
  if (!Array.isArray(raw)) return;
  raw.forEach((item, i) => {
    if (!isScimObject(item)) return;
    const key = Object.keys(item).find((k) => k.toLowerCase() === 'value');
    const value = key !== undefined ? item[key] : undefined;
    if (typeof value === 'string' && value !== '') return;
    issues.push({
      path: `members[${i}].value`,
      code: 'required',
      message: `Attribute "members[${i}].value" is required: it holds the id of the member user`,
    });
  });
}
