/**
 * A JSON value as the core keeps it. There is no `null`: RFC 7643 §2.5 makes null and "unassigned"
 * the same thing, and the core represents unassigned by the key being absent.
 */
export type ScimValue = string | number | boolean | ScimObject | readonly ScimValue[];

/** A JSON object of {@link ScimValue}s: a complex value, an extension block, or a whole resource. */
export interface ScimObject {
  readonly [key: string]: ScimValue;
}

/**
 * The canonical in-memory form of a User or Group: the client-controlled attributes only, keyed
 * exactly as the schema spells them (`userName`, `name.givenName` as `{ name: { givenName } }`,
 * extension attributes under their schema URN). Never `id`, `meta`, `schemas`, `groups` (server
 * managed or read-only) or `password` (write-only, never stored). Values are kept as the client
 * sent them (no case folding, no trimming); unassigned attributes are absent, never null, `[]` or
 * `{}`. A Group's `members` appear only in a parsed POST/PUT body; a stored Group's doc has none,
 * because memberships live as rows (see `MemberPlan` in patch/apply-patch.ts).
 */
export type ResourceDoc = ScimObject;

/** True for a JSON object (not an array, not null). */
export function isScimObject(value: unknown): value is ScimObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Exact structural equality of two values (arrays in order, object keys in any order). Iterative,
 * with an explicit stack: documents are canonical and shallow, but nothing here relies on it.
 */
export function sameValue(a: ScimValue | undefined, b: ScimValue | undefined): boolean {
  const pending: [ScimValue | undefined, ScimValue | undefined][] = [[a, b]];
  for (let pair = pending.pop(); pair !== undefined; pair = pending.pop()) {
    const [x, y] = pair;
    if (x === y) continue;
    if (x === undefined || y === undefined) return false;
    if (Array.isArray(x) || Array.isArray(y)) {
      if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) pending.push([x[i] as ScimValue, y[i] as ScimValue]);
    } else if (isScimObject(x) && isScimObject(y)) {
      const keys = Object.keys(x);
      if (keys.length !== Object.keys(y).length) return false;
      for (const key of keys) {
        if (!Object.hasOwn(y, key)) return false;
        pending.push([x[key], y[key]]);
      }
    } else {
      return false;
    }
  }
  return true;
}

/**
 * Returns `object` with `key` set to `value`, or without `key` when `value` is undefined
 * (unassigned). Never mutates `object`.
 */
export function withKey(object: ScimObject, key: string, value: ScimValue | undefined): ScimObject {
  const next: Record<string, ScimValue> = { ...object };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next;
}
