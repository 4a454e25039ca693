import { invalidValue } from '../scim/scim-error.js';

/*
 * The query parameters of the event feed and the snapshot, checked here so that every caller
 * (HTTP today) refuses a bad one the same way: 400 with a code naming the parameter.
 */

/** One value of a query parameter; undefined when absent. A repeated parameter is refused. */
export function single(query: Readonly<Record<string, unknown>>, name: string, code: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidValue(`Give "${name}" once, as a single value`, code);
  return value;
}

export function requiredParam(query: Readonly<Record<string, unknown>>, name: string, code: string): string {
  const value = single(query, name, code)?.trim();
  if (!value) throw invalidValue(`The query parameter "${name}" is required`, code);
  return value;
}

/** A whole decimal number in [min, MAX_SAFE_INTEGER]; `fallback` when absent. */
export function wholeParam(
  query: Readonly<Record<string, unknown>>,
  name: string,
  fallback: number,
  min: number,
  code: string,
): number {
  const text = single(query, name, code);
  if (text === undefined) return fallback;
  const value = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    throw invalidValue(`"${name}" must be a whole number of at least ${min}; got ${JSON.stringify(text)}`, code);
  }
  return value;
}

/** `limit`: default `fallback`, at least 1; more than `cap` is served as `cap` (docs/events.md). */
export function limitParam(query: Readonly<Record<string, unknown>>, fallback: number, cap: number, code: string) {
  return Math.min(wholeParam(query, 'limit', fallback, 1, code), cap);
}
