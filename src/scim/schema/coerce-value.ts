import { MAX_VALUES_PER_ATTRIBUTE } from '../limits.js';
import { isScimObject, type ScimValue } from '../resource-doc.js';
import { invalidValue, type ScimError } from '../scim-error.js';
import { type AttributeDef, findAttribute } from './attribute.js';
import { enterpriseUserSchema } from './enterprise-user-schema.js';

/*
 * Checking one attribute's value against its definition (RFC 7643 §2.3), for POST/PUT bodies
 * (parseResource in coerce.ts) and PATCH values alike. The recursion follows the schema, not the
 * value: a complex attribute's sub-attributes are simple, so however deep a client nests a value,
 * at most three levels of it are ever looked at.
 */

/** Why a value was refused; the stable half of an {@link Issue}. */
export type IssueCode =
  | 'type'
  | 'format'
  | 'required'
  | 'primary'
  | 'duplicate'
  | 'schemas'
  | 'tooManySchemas'
  | 'tooManyValues';

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
 *   readOnly and writeOnly sub-attributes are dropped (RFC 7644 §3.5.1 "SHALL be ignored").
 *   Anything else is refused (`"name": "Ada"`), with one exception: the enterprise `manager`
 *   given as a string is read as `{ value }` (see {@link LEGACY_MANAGER}).
 * - multi-valued: an array (§2.4), nothing else: not a bare string (`"emails": "a@b.c"`), not a
 *   lone object (`"emails": {"value": ...}`). At most one element may be `primary: true` (§2.4).
 *   More than MAX_VALUES_PER_ATTRIBUTE elements is one issue, and then none of them is looked at
 *   (unless the attribute is `storedAsRows`, a Group's members).
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
    // Neither Entra (either dialect) nor Okta sends a lone value for a multi-valued attribute: the
    // fixtures of both always send arrays, members included. Wrapping one would also read
    // `"emails": "a@b.c"` as an e-mail whose type, primary and display were silently dropped.
    if (!Array.isArray(raw)) {
      issues.push(typeIssue(path, 'an array (it is multi-valued, RFC 7643 §2.4)', raw));
      return undefined;
    }
    const items: readonly unknown[] = raw;
    if (items.length > MAX_VALUES_PER_ATTRIBUTE && def.storedAsRows !== true) {
      issues.push({
        path,
        code: 'tooManyValues',
        message: `Attribute "${path}" has ${items.length} values; at most ${MAX_VALUES_PER_ATTRIBUTE} are accepted per attribute`,
      });
      return undefined;
    }
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

/**
 * Entra's legacy dialect sends the enterprise `manager` as the manager's id alone
 * (`"manager": "2819c223-..."`, also as a PATCH value); other servers had to accept it for Entra and
 * its SCIM validator (apache/directory-scimple#1242, #1244). It is the only complex
 * attribute read from a bare string: for any other (`"name": "Ada"`) we could only guess which
 * sub-attribute was meant.
 */
const LEGACY_MANAGER = findAttribute(enterpriseUserSchema.attributes, 'manager');

function coerceComplex(def: AttributeDef, raw: unknown, path: string, issues: Issue[]): ScimValue | undefined {
  if (!isScimObject(raw)) {
    if (def === LEGACY_MANAGER && typeof raw === 'string') return coerceComplex(def, { value: raw }, path, issues);
    const example = findAttribute(def.subAttributes, 'value') ? ' such as {"value": "..."}' : '';
    issues.push(typeIssue(path, `an object${example}`, raw));
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

/**
 * Entra's legacy dialect sends booleans as the strings "True" and "False", in values and in
 * filters (`emails[primary eq "True"]`); any case is read. Undefined for every other string.
 */
export function readBooleanString(text: string): boolean | undefined {
  if (!/^(true|false)$/i.test(text)) return undefined;
  return text.toLowerCase() === 'true';
}

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
    case 'boolean': {
      const bit = typeof raw === 'string' ? readBooleanString(raw) : raw;
      if (typeof bit === 'boolean') return bit;
      issues.push(typeIssue(path, 'a boolean (true or false)', raw));
      return undefined;
    }
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

export function typeIssue(path: string, expected: string, raw: unknown): Issue {
  return { path, code: 'type', message: `Attribute "${path}" must be ${expected}, got ${describeValue(raw)}` };
}

export function duplicateIssue(path: string): Issue {
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
