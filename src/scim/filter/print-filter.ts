import type { AttrPath } from '../attr-path.js';
import type { Filter, FilterLiteral } from './ast.js';

/**
 * Prints a filter in canonical form: lower-case operators and keywords, JSON-encoded strings,
 * single spaces, and only the parentheses the precedence rules of RFC 7644 §3.4.2.2 require
 * (`and` binds tighter than `or`, both left-associative). `parseFilter(printFilter(f))` equals
 * `f` except for the `at` offsets. Used in logs and error details.
 */
export function printFilter(f: Filter): string {
  return print(f, 0);
}

/** Prints an attribute path as written: `uri:attr.sub`. */
export function printAttrPath(path: AttrPath): string {
  const prefix = path.uri !== undefined ? `${path.uri}:` : '';
  const suffix = path.sub !== undefined ? `.${path.sub}` : '';
  return `${prefix}${path.attr}${suffix}`;
}

/** Prints a comparison value as it appears in a filter. */
export function printLiteral(value: FilterLiteral): string {
  // JSON.stringify would print -0 as "0", which parses back as a different number.
  if (typeof value === 'number' && Object.is(value, -0)) return '-0';
  return JSON.stringify(value);
}

// Binding strength: 0 = or, 1 = and, 2 = everything that needs no parentheses.
function print(f: Filter, minStrength: number): string {
  switch (f.kind) {
    case 'compare':
      return `${printAttrPath(f.path)} ${f.op} ${printLiteral(f.value)}`;
    case 'present':
      return `${printAttrPath(f.path)} pr`;
    case 'not':
      return `not (${print(f.filter, 0)})`;
    case 'valuePath':
      return `${printAttrPath(f.path)}[${print(f.filter, 0)}]`;
    case 'and':
    case 'or': {
      const strength = f.kind === 'or' ? 0 : 1;
      // Left-associative: the left operand may be the same operator, the right one may not.
      const text = `${print(f.left, strength)} ${f.kind} ${print(f.right, strength + 1)}`;
      return strength < minStrength ? `(${text})` : text;
    }
  }
}
