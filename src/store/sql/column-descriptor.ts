import { foldCase } from '../../scim/fold-case.js';

/**
 * A filterable single-valued attribute and the column that holds it, declared once: the row
 * mapper writes the column from it (and its folded twin), and the attribute map answers filters
 * and sortBy from it, so the two cannot disagree. The migrations stay frozen history: they create
 * the columns with lists of their own.
 */
export type ColumnType = 'string' | 'boolean' | 'dateTime';

/** Where a filter or sortBy finds an attribute: what compile-filter.ts reads. */
export interface ColumnTarget {
  readonly column: string;
  /** The case-folded twin, present for attributes with caseExact false. */
  readonly ciColumn?: string;
  readonly type: ColumnType;
  /**
   * The column an index leads with (after org_id, and attr for child rows), as the migrations
   * create it, and whether it is unique: an eq on that column reads only the rows it matches.
   * The filter cost rule reads this; it must name the column the comparison actually uses.
   */
  readonly index?: { readonly column: string; readonly unique: boolean };
}

/** A value a column stores: text, a 0/1 flag, epoch milliseconds, or NULL for absent. */
export type ColumnValue = string | number | null;

export interface ColumnDescriptor<R> {
  /** The attribute as its schema names it, sub-attribute after a dot: `name.givenName`. */
  readonly path: string;
  /** The URN of the extension schema that defines the attribute; undefined for the core schema. */
  readonly schema: string | undefined;
  readonly target: ColumnTarget;
  /** The value to store for `record`; writeColumns folds a text value into the twin itself. */
  read(record: R): ColumnValue;
}

interface TextOptions<R> {
  readonly schema?: string;
  /** RFC 7643 §2.2 caseExact; false (the default) gives the column a `<column>_ci` twin. */
  readonly caseExact?: boolean;
  /** The index the migrations create on the compared column (the twin when there is one). */
  readonly index?: { readonly unique: boolean };
  /** Where the value comes from when not the document at `path` (a field of the record itself). */
  readonly read?: (record: R) => string | null;
}

interface ValueOptions {
  readonly index?: { readonly unique: boolean };
}

/**
 * Descriptor constructors for one table. `document` gives the JSON a text attribute is read
 * from by default. `Row` is the table's Kysely type, so a column name that does not exist there
 * fails to compile.
 */
export function columnsOf<R, Row>(document: (record: R) => unknown) {
  type Column = keyof Row & string;
  return {
    text(path: string, column: Column, options: TextOptions<R> = {}): ColumnDescriptor<R> {
      const ciColumn = options.caseExact ? undefined : `${column}_ci`;
      const base = { column, ...(ciColumn ? { ciColumn } : {}), type: 'string' as const };
      const at = textAt(options.schema, path);
      return {
        path,
        schema: options.schema,
        target: withIndex(base, options.index),
        read: options.read ?? ((record) => at(document(record))),
      };
    },
    /** A 0/1 column: `read` decides how an absent value is stored. */
    boolean(path: string, column: Column, read: (record: R) => number | null, options: ValueOptions = {}) {
      return valueColumn<R>(path, { column, type: 'boolean' }, read, options);
    },
    dateTime(path: string, column: Column, read: (record: R) => number, options: ValueOptions = {}) {
      return valueColumn<R>(path, { column, type: 'dateTime' }, read, options);
    },
  };
}

function valueColumn<R>(
  path: string,
  base: ColumnTarget,
  read: (record: R) => ColumnValue,
  options: ValueOptions,
): ColumnDescriptor<R> {
  return { path, schema: undefined, target: withIndex(base, options.index), read };
}

function withIndex(target: ColumnTarget, index: { readonly unique: boolean } | undefined): ColumnTarget {
  return index ? { ...target, index: { column: target.ciColumn ?? target.column, unique: index.unique } } : target;
}

type Obj = Record<string, unknown>;

const asObj = (v: unknown): Obj | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;

/**
 * Reads the string at `schema`/`path` of a document. Anything else there (a number, an object,
 * nothing) stores NULL: the document keeps what was sent, the column only what a filter can
 * compare.
 */
function textAt(schema: string | undefined, path: string): (document: unknown) => string | null {
  const steps = [...(schema === undefined ? [] : [schema]), ...path.split('.')];
  return (document) => {
    let at: unknown = document;
    for (const step of steps) at = asObj(at)?.[step];
    return typeof at === 'string' ? at : null;
  };
}

/**
 * The columns `descriptors` describe, with the folded twins, for one record, written into `row`
 * (the row's other columns). Into, not spread: spreading this many keys into another object
 * literal cost three times building them (a user row: 17 µs against 6).
 */
export function writeColumns<R, T extends Record<string, unknown>>(
  descriptors: readonly ColumnDescriptor<R>[],
  record: R,
  row: T = {} as T,
): T & Record<string, ColumnValue> {
  const out = row as Record<string, unknown>;
  for (const { target, read } of descriptors) {
    const stored = read(record);
    out[target.column] = stored;
    if (target.ciColumn) out[target.ciColumn] = typeof stored === 'string' ? foldCase(stored) : null;
  }
  return row as T & Record<string, ColumnValue>;
}

/** The column names writeColumns gives a row, in its order: a prepared insert's column list. */
export function writeColumnNames<R>(descriptors: readonly ColumnDescriptor<R>[]): string[] {
  return descriptors.flatMap(({ target }) => (target.ciColumn ? [target.column, target.ciColumn] : [target.column]));
}

/**
 * The key attribute-map.ts finds a descriptor by, the form its pathKey gives a resolved path:
 * schema-qualified for extensions, and lower-cased, as SCIM attribute names are case-insensitive.
 */
export function descriptorKey(descriptor: ColumnDescriptor<unknown>): string {
  const prefix = descriptor.schema === undefined ? '' : `${descriptor.schema}:`;
  return `${prefix}${descriptor.path}`.toLowerCase();
}
