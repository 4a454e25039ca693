/**
 * Filter AST for RFC 7644 §3.4.2.2. Nodes are plain readonly data tagged by `kind`; `at` is the
 * 0-based offset in the source text where the node starts, for error messages.
 */
import type { AttrPath } from '../attr-path.js';

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

/** A comparison value: JSON string, number, `true`, `false` or `null`. */
export type FilterLiteral = string | number | boolean | null;

export type Filter = CompareFilter | PresentFilter | AndFilter | OrFilter | NotFilter | ValuePathFilter;

export interface CompareFilter {
  readonly kind: 'compare';
  readonly path: AttrPath;
  readonly op: CompareOp;
  readonly value: FilterLiteral;
  readonly at: number;
}

export interface PresentFilter {
  readonly kind: 'present';
  readonly path: AttrPath;
  readonly at: number;
}

export interface AndFilter {
  readonly kind: 'and';
  readonly left: Filter;
  readonly right: Filter;
  readonly at: number;
}

export interface OrFilter {
  readonly kind: 'or';
  readonly left: Filter;
  readonly right: Filter;
  readonly at: number;
}

export interface NotFilter {
  readonly kind: 'not';
  readonly filter: Filter;
  readonly at: number;
}

/**
 * `emails[type eq "work" and value co "@example.com"]`: `filter` is evaluated per element of the
 * multi-valued attribute `path`; paths inside it name sub-attributes of that attribute (their
 * `attr` is the sub-attribute name, `uri` and `sub` are absent).
 */
export interface ValuePathFilter {
  readonly kind: 'valuePath';
  readonly path: AttrPath;
  readonly filter: Filter;
  readonly at: number;
}
