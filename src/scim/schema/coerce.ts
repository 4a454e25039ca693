import { isScimObject, type ResourceDoc, type ScimObject, type ScimValue } from '../resources/resource-doc.js';
import { invalidSyntax, invalidValue, type ScimError } from '../scim-error.js';
import { type AttributeDef, findAttribute, type ResourceTypeDef, type SchemaDef } from './attribute.js';
import { GROUP_SCHEMA_ID, MICROSOFT_GROUP_SCHEMA_ID } from './group-schema.js';
import { findSchema, resolvePath } from './resolve-path.js';

/** Why a value was refused; the stable half of an {@link Issue}. */
export type IssueCode = 'type' | 'format' | 'required' | 'primary' | 'duplicate' | 'schemas';

/** One problem with a request body, zod style: where, what kind, and a sentence for a person. */
export interface Issue {
  /** Attribute path as the schema spells it: `active`, `emails[1].primary`, `urn:...:User:manager`. */
  readonly path: string;
  readonly code: IssueCode;
  /** A sentence starting with "Attribute ..." that says what to change. */
  readonly message: string;
}

/** Most issues listed in one `detail`; the rest are counted, so a broken body cannot flood logs. */
const MAX_LISTED_ISSUES = 10;

/**
 * Joins issues into one 400 `invalidValue` error, e.g. `Attribute "active" must be a boolean, got
 * the string "yes"; attribute "userName" is required.` `context` prefixes the detail (PATCH uses
 * it to name the operation).
 */
export function issuesError(issues: readonly Issue[], context?: string): ScimError {
  const listed = issues
    .slice(0, MAX_LISTED_ISSUES)
    .map((issue, i) => (i === 0 ? issue.message : lowerFirst(issue.message)));
  const more = issues.length - listed.length;
  let detail = listed.join('; ');
  if (more > 0) detail += `; and ${more} more problem${more === 1 ? '' : 's'}`;
  detail = context === undefined ? `${detail}.` : `${context}: ${lowerFirst(detail)}.`;
  return invalidValue(detail, `value.${issues[0]?.code ?? 'invalid'}`);
}

const lowerFirst = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1);

/** Options of {@link coerceValue}. */
export interface CoerceOptions {
  /**
   * Check one element of a multi-valued attribute (`emails[type eq "work"]` in PATCH) instead of
   * the whole array.
   */
  readonly element?: boolean;
}

/**
 * Checks `raw` against `def` and returns it in canonical form, pushing what is wrong onto
 * `issues`. Returns undefined for "unassigned": null (RFC 7643 §2.5), and complex or multi-valued
 * values left empty. The rules, from RFC 7643 §2.3 plus what IdPs really send:
 * - string, reference, binary: a JSON string, kept exactly as sent (no trimming, no case folding).
 * - boolean: true or false; also the strings "True"/"False" in any case (Entra legacy dialect).
 * - integer, decimal: a JSON number (an integer for `integer`).
 * - dateTime: a string in RFC 3339 / xsd:dateTime form, kept as sent.
 * - complex: an object; sub-attribute names ignore case (§2.1) and become canonical; unknown,
 *   readOnly and writeOnly sub-attributes are dropped (RFC 7644 §3.5.1 "SHALL be ignored"). A bare
 *   primitive given for a complex attribute that has a `value` sub-attribute is read as
 *   `{ value }` (Entra legacy sends `manager` as the manager's id).
 * - multi-valued: an array; a single value is wrapped (lenient). At most one element may be
 *   `primary: true` (§2.4).
 * readOnly and writeOnly top-level attributes are the caller's business, not checked here.
 */
export function coerceValue(
  def: AttributeDef,
  raw: unknown,
  path: string,
  issues: Issue[],
  options: CoerceOptions = {},
): ScimValue | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (def.multiValued && options.element !== true) {
    const items: readonly unknown[] = Array.isArray(raw) ? raw : [raw];
    const out: ScimValue[] = [];
    items.forEach((item, i) => {
      const value = coerceValue(def, item, `${path}[${i}]`, issues, { element: true });
      if (value !== undefined) out.push(value);
    });
    if (out.length === 0) return undefined;
    checkSinglePrimary(def, out, path, issues);
    return out;
  }
  if (def.type === 'complex') return coerceComplex(def, raw, path, issues);
  return coerceSimple(def, raw, path, issues);
}

/**
 * {@link coerceValue} for one attribute, throwing one 400 `invalidValue` listing every problem.
 * `context` prefixes the error detail (PATCH names the operation with it).
 */
export function coerceAttributeValue(
  def: AttributeDef,
  raw: unknown,
  path: string,
  options: CoerceOptions & { readonly context?: string } = {},
): ScimValue | undefined {
  const issues: Issue[] = [];
  const value = coerceValue(def, raw, path, issues, options);
  if (issues.length > 0) throw issuesError(issues, options.context);
  return value;
}

/** The value a `primary` sub-attribute must have for an element to count as primary. */
export function isPrimary(element: ScimValue): boolean {
  return isScimObject(element) && element.primary === true;
}

function checkSinglePrimary(def: AttributeDef, elements: readonly ScimValue[], path: string, issues: Issue[]): void {
  if (findAttribute(def.subAttributes, 'primary') === undefined) return;
  const count = elements.filter(isPrimary).length;
  if (count > 1) {
    issues.push({
      path,
      code: 'primary',
      message: `Attribute "${path}" has ${count} values with "primary": true; at most one value may be primary (RFC 7643 §2.4)`,
    });
  }
}

function coerceComplex(def: AttributeDef, raw: unknown, path: string, issues: Issue[]): ScimValue | undefined {
  if (!isScimObject(raw)) {
    if (!Array.isArray(raw) && typeof raw !== 'object' && findAttribute(def.subAttributes, 'value')) {
      return coerceComplex(def, { value: raw }, path, issues);
    }
    issues.push(typeIssue(path, 'an object', raw));
    return undefined;
  }
  const out: Record<string, ScimValue> = {};
  for (const [key, value] of Object.entries(raw)) {
    const sub = findAttribute(def.subAttributes, key);
    if (sub === undefined || sub.mutability === 'readOnly' || sub.mutability === 'writeOnly') continue;
    const subPath = `${path}.${sub.name}`;
    if (Object.hasOwn(out, sub.name)) {
      issues.push(duplicateIssue(subPath));
      continue;
    }
    const coerced = coerceValue(sub, value, subPath, issues);
    if (coerced !== undefined) out[sub.name] = coerced;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

// xsd:dateTime as RFC 7643 §2.3.5 requires, which RFC 3339 timestamps satisfy; the zone is optional
// in xsd, and we keep the text as sent.
const DATE_TIME =
  /^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?$/i;

// Entra legacy dialect: booleans arrive as the strings "True" and "False".
const BOOLEAN_STRING = /^(true|false)$/i;

function coerceSimple(def: AttributeDef, raw: unknown, path: string, issues: Issue[]): ScimValue | undefined {
  switch (def.type) {
    case 'string':
    case 'reference':
    case 'binary':
      if (typeof raw !== 'string') {
        issues.push(typeIssue(path, 'a string', raw));
        return undefined;
      }
      if (def.maxLength !== undefined && raw.length > def.maxLength) {
        issues.push({
          path,
          code: 'format',
          message: `Attribute "${path}" is ${raw.length} characters long; at most ${def.maxLength} are accepted`,
        });
        return undefined;
      }
      return raw;
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (typeof raw === 'string' && BOOLEAN_STRING.test(raw)) return raw.toLowerCase() === 'true';
      issues.push(typeIssue(path, 'a boolean (true or false)', raw));
      return undefined;
    case 'integer':
      if (typeof raw === 'number' && Number.isInteger(raw)) return raw;
      issues.push(typeIssue(path, 'an integer', raw));
      return undefined;
    case 'decimal':
      if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
      issues.push(typeIssue(path, 'a number', raw));
      return undefined;
    case 'dateTime':
      if (typeof raw === 'string' && DATE_TIME.test(raw)) return raw;
      issues.push(
        typeof raw === 'string'
          ? {
              path,
              code: 'format',
              message: `Attribute "${path}" must be a date-time such as "2024-05-01T12:00:00Z" (RFC 3339), got ${describeValue(raw)}`,
            }
          : typeIssue(path, 'a date-time string such as "2024-05-01T12:00:00Z"', raw),
      );
      return undefined;
    case 'complex':
      return coerceComplex(def, raw, path, issues);
  }
}

function typeIssue(path: string, expected: string, raw: unknown): Issue {
  return { path, code: 'type', message: `Attribute "${path}" must be ${expected}, got ${describeValue(raw)}` };
}

function duplicateIssue(path: string): Issue {
  return {
    path,
    code: 'duplicate',
    message: `Attribute "${path}" is given more than once (names ignore case, RFC 7643 §2.1); send it once`,
  };
}

const MAX_QUOTED = 40;

/** How a received value reads in a message: `the string "yes"`, `the number 3`, `an array`. */
export function describeValue(raw: unknown): string {
  if (typeof raw === 'string') {
    const shown = raw.length > MAX_QUOTED ? `${raw.slice(0, MAX_QUOTED)}...` : raw;
    return `the string ${JSON.stringify(shown)}`;
  }
  if (typeof raw === 'number') return `the number ${raw}`;
  if (typeof raw === 'boolean') return `the boolean ${raw}`;
  if (raw === null) return 'null';
  if (Array.isArray(raw)) return 'an array';
  return 'an object';
}

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

/** Resolves a top-level body key: a plain name, or a URN-qualified one (`urn:...:User:userName`). */
function placeKey(type: ResourceTypeDef, key: string): Placement | undefined {
  const lower = key.toLowerCase();
  for (const { schema, isExtension } of schemasOf(type)) {
    if (lower.startsWith(`${schema.id.toLowerCase()}:`)) {
      const name = key.slice(schema.id.length + 1);
      if (isExtension) return attributeOf(schema, name, schema);
      return placeKey(type, name);
    }
  }
  if (key.includes(':')) return undefined;
  const resolved = resolvePath(type, { attr: key });
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
 */
function checkUnknownExtensions(
  type: ResourceTypeDef,
  body: ScimObject,
  declared: readonly string[],
  issues: Issue[],
): void {
  const keys = Object.keys(body).map((key) => key.toLowerCase());
  for (const urn of declared) {
    if (findSchema(type, urn) !== undefined) continue;
    // Entra adds its own group URN on group creates; it carries no attributes we keep.
    if (type.schema.id === GROUP_SCHEMA_ID && urn.toLowerCase() === MICROSOFT_GROUP_SCHEMA_ID.toLowerCase()) continue;
    const lower = urn.toLowerCase();
    const used = keys.some((key) => key === lower || key.startsWith(`${lower}:`));
    if (used) {
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
 * names no one. Checked on the raw body, because coercion drops elements it leaves empty.
 */
function checkMemberValues(raw: unknown, issues: Issue[]): void {
  const items: readonly unknown[] = Array.isArray(raw) ? raw : raw === null ? [] : [raw];
  items.forEach((item, i) => {
    if (item === null || (typeof item === 'string' && item !== '')) return;
    const key = isScimObject(item) ? Object.keys(item).find((k) => k.toLowerCase() === 'value') : undefined;
    const value = isScimObject(item) && key !== undefined ? item[key] : undefined;
    if (typeof value === 'string' && value !== '') return;
    issues.push({
      path: `members[${i}].value`,
      code: 'required',
      message: `Attribute "members[${i}].value" is required: it holds the id of the member user`,
    });
  });
}
