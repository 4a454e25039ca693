/**
 * RFC 7643 §2 and §7: an attribute definition as data. The same objects drive validation, PATCH,
 * projection and the `/Schemas` endpoint, so what we serve is what we enforce.
 */
export type AttributeType =
  | 'string'
  | 'boolean'
  | 'decimal'
  | 'integer'
  | 'dateTime'
  | 'reference'
  | 'binary'
  | 'complex';

export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';

export interface AttributeDef {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly description: string;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: Mutability;
  readonly returned: Returned;
  readonly uniqueness: Uniqueness;
  readonly canonicalValues?: readonly string[];
  readonly referenceTypes?: readonly string[];
  readonly subAttributes?: readonly AttributeDef[];
  /**
   * Our limit, not an RFC 7643 characteristic (so /Schemas does not show it): the longest string,
   * in characters, for attributes that are indexed, because a PostgreSQL b-tree entry holds at
   * most ~2700 bytes.
   */
  readonly maxLength?: number;
  /**
   * Ours too: the values of this multi-valued attribute are rows of their own (a Group's
   * `members`), never part of the stored document, so MAX_VALUES_PER_ATTRIBUTE (limits.ts) does not
   * apply; a team of 100,000 is real.
   */
  readonly storedAsRows?: boolean;
}

export interface SchemaDef {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeDef[];
}

export interface ResourceTypeDef {
  readonly id: string;
  readonly name: string;
  readonly endpoint: string;
  readonly description: string;
  readonly schema: SchemaDef;
  readonly extensions: readonly { readonly schema: SchemaDef; readonly required: boolean }[];
}

type AttrOptions = Partial<Omit<AttributeDef, 'name' | 'type'>>;

/** Builds an attribute with RFC 7643 §2.2 defaults (single-valued, readWrite, default, none). */
export function attr(name: string, type: AttributeType, options: AttrOptions = {}): AttributeDef {
  return {
    name,
    type,
    multiValued: false,
    description: '',
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...options,
  };
}

/** Finds a sub-attribute (or attribute) by name, ignoring case as RFC 7643 §2.1 requires. */
export function findAttribute(attributes: readonly AttributeDef[] | undefined, name: string): AttributeDef | undefined {
  if (!attributes) return undefined;
  const lower = name.toLowerCase();
  return attributes.find((a) => a.name.toLowerCase() === lower);
}
