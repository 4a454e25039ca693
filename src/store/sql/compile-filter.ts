import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { AttrPath } from '../../scim/attr-path.js';
import type {
  CheckedCompare,
  CheckedFilter,
  CheckedPresent,
  CheckedValueFilter,
} from '../../scim/filter/check-filter.js';
import { printAttrPath } from '../../scim/filter/print-filter.js';
import { foldCase } from '../../scim/fold-case.js';
import { INDEXED_MAX_LENGTH, MAX_SUBSTRING_PATTERN_LENGTH } from '../../scim/limits.js';
import type { CheckedSortBy } from '../../scim/list-check.js';
import type { AttributeDef } from '../../scim/schema/attribute.js';
import type { ResolvedPath } from '../../scim/schema/resolve-path.js';
import { NotFilterable, NotSortable } from '../store-errors.js';
import type { AttributeMap, ColumnTarget, ColumnType, MultiTarget } from './attribute-map.js';
import type { Database } from './db-schema.js';
import { enforceBudget, Read } from './filter-budget.js';
import type { SqlDialectHooks } from './sql-dialect.js';

/**
 * Compiles a checked filter (scim/filter/check-filter.ts) into one SQL boolean expression over the
 * resource table aliased `r`. Multi-valued attributes become `id in (subquery)` over their child
 * rows. The organization predicate is NOT part of this: the store ANDs it outside, so a filter can
 * only narrow it. The schema questions (does the attribute exist, does the operator fit its type,
 * does the value) were answered by the check; what is left is whether the map has the attribute.
 *
 * Absent attributes: every comparison is false (never SQL NULL), so `not` behaves as SCIM
 * expects; `ne` is the negation of `eq` (true when the attribute is absent).
 *
 * @throws NotFilterable for an attribute outside the map.
 */
export function compileFilter(
  filter: CheckedFilter,
  map: AttributeMap,
  hooks: SqlDialectHooks,
  orgId: string,
): RawBuilder<boolean> {
  return new FilterCompiler(map, hooks, orgId).compile(filter, true);
}

/**
 * The WHERE clause of a list request: its filter compiled, once the filter cost rule has let it
 * through. Before anything expensive runs, the rule estimates the work the filter and `sortBy`
 * would make the database do, as rows read times work per row (FilterCostModel), and refuses past
 * the dialect's budget with 400 tooMany (RFC 7644 §3.12: a filter that "yields many more results
 * than the server is willing to calculate or process"). A SQLite statement blocks every tenant
 * while it runs, and nothing can interrupt it, so this is the only bound there is.
 *
 * Rows are counted, with a bound one row past what the budget leaves, on the index the read itself
 * would use: the organization's resources or child rows, or only those an indexed eq among the
 * conjuncts matches. A filter of unique lookups alone (eq on id, externalId, userName), which is
 * what IdPs send, costs no query at all.
 *
 * @throws NotFilterable or NotSortable before anything runs, FilterTooCostly past the budget.
 */
export async function compileListFilter(
  db: Kysely<Database>,
  map: AttributeMap,
  hooks: SqlDialectHooks,
  orgId: string,
  query: {
    readonly filter?: CheckedFilter | undefined;
    readonly sortBy?: CheckedSortBy | undefined;
    readonly knownTotal?: number | undefined;
  },
): Promise<RawBuilder<boolean>> {
  const compiler = new FilterCompiler(map, hooks, orgId);
  const where = query.filter ? compiler.compile(query.filter, true) : sql<boolean>`1 = 1`;
  if (query.sortBy) compiler.sortBy(query.sortBy);
  // A later chunk of a page (its total already counted) was admitted with the page's first
  // chunk; measuring it again would charge the rule's own queries once per chunk.
  if (query.knownTotal === undefined) await compiler.enforceBudget(db);
  return where;
}

interface Operand {
  readonly column: RawBuilder<unknown>;
  readonly ciColumn: RawBuilder<unknown> | undefined;
  readonly type: ColumnType;
  /** The index on the column compared, if there is one (ColumnTarget.index). */
  readonly index: ColumnTarget['index'];
  /** Its values may be as long as the document allows, not just INDEXED_MAX_LENGTH. */
  readonly long: boolean;
}

class FilterCompiler {
  private readonly resource: Read;
  private readonly childReads: Read[] = [];
  /** The read the leaves being compiled belong to. */
  private read: Read;

  constructor(
    private readonly map: AttributeMap,
    private readonly hooks: SqlDialectHooks,
    /** Scopes child-row subqueries; the organization predicate on `r` itself stays the store's. */
    private readonly orgId: string,
  ) {
    this.resource = new Read(map.noun, (p, c) => map.rows(orgId, p, c), map.rowBytes);
    this.read = this.resource;
  }

  /** `top`: the node is a conjunct of the whole filter, so an index lookup there bounds the read. */
  compile(filter: CheckedFilter, top: boolean): RawBuilder<boolean> {
    switch (filter.kind) {
      case 'and':
        return sql<boolean>`(${this.compile(filter.left, top)} and ${this.compile(filter.right, top)})`;
      case 'or':
        return sql<boolean>`(${this.compile(filter.left, false)} or ${this.compile(filter.right, false)})`;
      case 'not':
        return negate(this.compile(filter.filter, false));
      case 'present':
      case 'compare':
        return this.compileLeaf(filter, top);
      case 'valuePath': {
        const multi = this.map.multi(filter.resolved.attribute);
        if (!multi) throw this.notFilterable(filter.path, filter.at);
        return this.some(multi, top, () => this.compileElement(filter.filter, filter.resolved, multi, true));
      }
    }
  }

  private compileLeaf(filter: CheckedCompare | CheckedPresent, top: boolean): RawBuilder<boolean> {
    const { resolved } = filter;
    const multi = this.map.multi(resolved.attribute);
    const label = printAttrPath(filter.path);
    if (multi) {
      // RFC 7644 §3.4.2.2: the filter matches when any element matches. The check made `emails`
      // alone `emails.value`; `ne` is "no element equals".
      if (!resolved.sub) throw this.notFilterable(filter.path, filter.at);
      const operand = this.subOperand(multi, resolved.sub, filter.path, filter.at);
      if (filter.kind === 'compare' && filter.value === null) {
        // RFC 7643 §2.5: an attribute with no values is unassigned. `emails eq null` asks for
        // "no element has a value", `emails ne null` for "some element has one".
        const present: CheckedPresent = { kind: 'present', path: filter.path, resolved, at: filter.at };
        const some = this.some(multi, top && filter.op === 'ne', () => this.test(operand, present, label, true));
        return filter.op === 'eq' ? negate(some) : some;
      }
      if (filter.kind === 'compare' && filter.op === 'ne') {
        const eq: CheckedCompare = { ...filter, op: 'eq' };
        return sql<boolean>`(not ${this.some(multi, false, () => this.test(operand, eq, label, true))})`;
      }
      return this.some(multi, top, () => this.test(operand, filter, label, true));
    }
    const target = this.map.column(resolved);
    if (!target) throw this.notFilterable(filter.path, filter.at);
    const operand: Operand = {
      column: sql.ref(`r.${target.column}`),
      ciColumn: target.ciColumn ? sql.ref(`r.${target.ciColumn}`) : undefined,
      type: target.type,
      index: target.index?.column === (target.ciColumn ?? target.column) ? target.index : undefined,
      long: isLong(resolved.sub ?? resolved.attribute, target.type),
    };
    return this.test(operand, filter, label, top);
  }

  /** A filter inside `attr[...]`: its leaves name sub-attributes of one element. */
  private compileElement(
    filter: CheckedValueFilter,
    parent: ResolvedPath,
    multi: MultiTarget,
    top: boolean,
  ): RawBuilder<boolean> {
    switch (filter.kind) {
      case 'and':
        return sql<boolean>`(${this.compileElement(filter.left, parent, multi, top)} and ${this.compileElement(filter.right, parent, multi, top)})`;
      case 'or':
        return sql<boolean>`(${this.compileElement(filter.left, parent, multi, false)} or ${this.compileElement(filter.right, parent, multi, false)})`;
      case 'not':
        return negate(this.compileElement(filter.filter, parent, multi, false));
      case 'present':
      case 'compare': {
        const sub = filter.resolved.sub;
        if (!sub) throw new Error(`a value filter leaf of ${parent.attribute.name} names no sub-attribute`);
        const label = `${parent.attribute.name}.${sub.name}`;
        const operand = this.subOperand(multi, sub, { attr: label }, filter.at);
        return this.test(operand, filter, label, top);
      }
    }
  }

  /**
   * "Some child row matches": `build` compiles the row predicate, charged to a read of its own.
   * `top`: the subquery is a conjunct of the whole filter, so the resources read are only the ids
   * it returns; anywhere else every resource row probes its result.
   */
  private some(multi: MultiTarget, top: boolean, build: () => RawBuilder<boolean>): RawBuilder<boolean> {
    const outer = this.read;
    const read = new Read(multi.noun, (p, c) => multi.rows(this.orgId, p, c), multi.rowBytes);
    this.childReads.push(read);
    this.read = read;
    const predicate = build();
    this.read = outer;
    if (top) outer.children.push(read);
    else outer.perRow += 1;
    return sql<boolean>`(${multi.some(this.orgId, predicate)})`;
  }

  /** `def.caseExact` comes from the schema: photos.value is compared exactly, emails.value is not. */
  private subOperand(multi: MultiTarget, def: AttributeDef, path: AttrPath, at: number): Operand {
    const target = multi.sub(def.name);
    if (!target) throw this.notFilterable(path, at);
    const folded = target.ciColumn !== undefined && !def.caseExact;
    const compared = folded ? target.ciColumn : target.column;
    return {
      column: sql.ref(`v.${target.column}`),
      ciColumn: folded ? sql.ref(`v.${target.ciColumn}`) : undefined,
      type: target.type,
      index: target.index?.column === compared ? target.index : undefined,
      long: isLong(def, target.type),
    };
  }

  /** One comparison or `pr`, compiled and charged to the current read. */
  private test(operand: Operand, filter: CheckedCompare | CheckedPresent, label: string, top: boolean) {
    const predicate = filter.kind === 'present' ? this.present(operand) : this.compare(operand, filter, label);
    const op = filter.kind === 'present' ? 'pr' : filter.op;
    // co and ew go through the whole value (instr, strpos, substr from the end); every other test
    // compares at most a prefix of it. An empty co or ew is a presence test.
    const literal = filter.kind === 'compare' && (op === 'co' || op === 'ew') ? filter.value : undefined;
    const substring = typeof literal === 'string' && literal !== '' ? literal.length : 0;
    // `pr` tests the column as stored, everything else the folded twin when there is one.
    const read = filter.kind === 'present' ? operand.column : (operand.ciColumn ?? operand.column);
    this.charge(operand, read, substring);
    this.read.tests.push(`${label} ${op}`);
    if (top && filter.kind === 'compare' && filter.value !== null && filter.value !== '' && operand.index) {
      // Text ranges use the index only where it is in byte order; dates are numbers everywhere.
      const ranged = operand.type === 'dateTime' || this.hooks.filterCost.rangesUseIndex;
      if (op === 'eq') this.read.lookups.push({ predicate, unique: operand.index.unique });
      else if (op !== 'ne' && op !== 'co' && op !== 'ew' && ranged) {
        this.read.lookups.push({ predicate, unique: false });
      }
    }
    return predicate;
  }

  /** `substring`: the length of a co or ew literal searched for in the column, else 0. */
  private charge(operand: Operand, column: RawBuilder<unknown>, substring: number): void {
    const cost = this.hooks.filterCost;
    const read = this.read;
    read.perRow += 1;
    if (!operand.index) read.readsRow = true;
    const bytes = sql<number>`octet_length(${column})`;
    if (operand.long && cost.longValuePerKiB > 0) read.perKiB.push({ bytes, units: cost.longValuePerKiB });
    if (substring > 0) {
      const share = Math.min(1, substring / MAX_SUBSTRING_PATTERN_LENGTH);
      const units = cost.shortSubstringPerKiB + (cost.substringPerKiB - cost.shortSubstringPerKiB) * share;
      read.perKiB.push({ bytes, units });
    }
  }

  /** Ordering by a column with no index sorts every match by reading that column of each. */
  sortBy(sortBy: CheckedSortBy): void {
    const target = sortColumn(this.map, sortBy);
    const compared = target.ciColumn ?? target.column;
    if (target.index?.column === compared) return;
    const operand: Operand = {
      column: sql.ref(`r.${compared}`),
      ciColumn: undefined,
      type: target.type,
      index: undefined,
      long: isLong(sortBy.resolved.sub ?? sortBy.resolved.attribute, target.type),
    };
    const outer = this.read;
    this.read = this.resource;
    this.charge(operand, operand.column, 0);
    this.read = outer;
    this.resource.tests.push(`sortBy ${printAttrPath(sortBy)}`);
  }

  /** Counts what each read walks and throws FilterTooCostly when the work exceeds the dialect's budget. */
  enforceBudget(db: Kysely<Database>): Promise<void> {
    return enforceBudget(db, this.hooks, this.map.indexedHint, this.resource, this.childReads);
  }

  private present(operand: Operand): RawBuilder<boolean> {
    // RFC 7644 §3.4.2.2 "pr": the attribute has a non-empty value.
    if (operand.type === 'string') return sql<boolean>`(${operand.column} is not null and ${operand.column} <> '')`;
    return sql<boolean>`(${operand.column} is not null)`;
  }

  private compare(operand: Operand, filter: CheckedCompare, label: string): RawBuilder<boolean> {
    const { op, value } = filter;
    if (value === null) {
      // `eq null` asks for absence, `ne null` for presence; the check refused every other operator.
      if (op === 'eq') return sql<boolean>`(not ${this.present(operand)})`;
      if (op === 'ne') return this.present(operand);
      throw mapMismatch(label, `${op} null`);
    }
    switch (operand.type) {
      case 'boolean':
        return this.compareBoolean(operand, filter, label);
      case 'dateTime':
        return this.compareDateTime(operand, filter, label);
      case 'string':
        return this.compareString(operand, filter, label);
    }
  }

  private compareBoolean(operand: Operand, { op, value }: CheckedCompare, label: string): RawBuilder<boolean> {
    if (typeof value !== 'boolean') throw mapMismatch(label, 'a non-boolean value');
    const bit = value ? 1 : 0;
    // A NULL column (an element's absent primary) makes `=` NULL, false to WHERE and to negate().
    if (op === 'eq') return sql<boolean>`(${operand.column} = ${bit})`;
    if (op === 'ne') return sql<boolean>`(${operand.column} is null or ${operand.column} <> ${bit})`;
    throw mapMismatch(label, op);
  }

  private compareDateTime(operand: Operand, { op, instant }: CheckedCompare, label: string): RawBuilder<boolean> {
    if (instant === undefined) throw mapMismatch(label, 'a value that is not a date-time');
    const c = operand.column;
    switch (op) {
      case 'eq':
        return sql<boolean>`(${c} = ${instant})`;
      case 'ne':
        return sql<boolean>`(${c} is null or ${c} <> ${instant})`;
      case 'gt':
        return sql<boolean>`(${c} > ${instant})`;
      case 'ge':
        return sql<boolean>`(${c} >= ${instant})`;
      case 'lt':
        return sql<boolean>`(${c} < ${instant})`;
      case 'le':
        return sql<boolean>`(${c} <= ${instant})`;
      default:
        throw mapMismatch(label, op);
    }
  }

  private compareString(operand: Operand, { op, value }: CheckedCompare, label: string): RawBuilder<boolean> {
    if (typeof value !== 'string') throw mapMismatch(label, 'a value that is not a string');
    const ci = operand.ciColumn;
    const col = ci ?? operand.column;
    const v = ci ? foldCase(value) : value;
    switch (op) {
      case 'eq':
        return sql<boolean>`(${col} = ${v})`;
      case 'ne':
        return sql<boolean>`(${col} is null or ${col} <> ${v})`;
      case 'co':
      case 'sw':
      case 'ew': {
        if (v === '') return sql<boolean>`(${col} is not null)`;
        // The `_ci` twin holds the folded value and `v` is folded too, so the byte-wise tests answer
        // the case-insensitive operators as well. Not LIKE: SQLite's LIKE decodes and folds every
        // character and retries the whole pattern at each one, hundreds of times slower on crafted
        // values (bench/filter-worst-case.ts), and it needs escaping besides.
        const hook =
          op === 'co' ? this.hooks.containsExact : op === 'sw' ? this.hooks.startsWithExact : this.hooks.endsWithExact;
        return sql<boolean>`(${col} is not null and ${hook(col, v)})`;
      }
      case 'gt':
        return sql<boolean>`(${this.hooks.byteOrder(col)} > ${v})`;
      case 'ge':
        return sql<boolean>`(${this.hooks.byteOrder(col)} >= ${v})`;
      case 'lt':
        return sql<boolean>`(${this.hooks.byteOrder(col)} < ${v})`;
      case 'le':
        return sql<boolean>`(${this.hooks.byteOrder(col)} <= ${v})`;
    }
  }

  private notFilterable(path: AttrPath, at: number): NotFilterable {
    return new NotFilterable(this.map.type.name, printAttrPath(path), at, this.map.filterable);
  }
}

/**
 * The column `sortBy` orders by.
 *
 * @throws NotSortable when the map has no column for it (multi-valued attributes, attributes the
 * store keeps only in the document).
 */
export function sortColumn(map: AttributeMap, sortBy: CheckedSortBy): ColumnTarget {
  const target = map.column(sortBy.resolved);
  if (!target) throw new NotSortable(map.type.name, printAttrPath(sortBy));
  return target;
}

/**
 * SCIM `not`: a comparison on an absent attribute is false, so its negation is true. SQL would
 * make both NULL (`not (NULL = 'x')` is NULL) and drop the row; coalescing first keeps SCIM's
 * two-valued logic. (`and`/`or` need nothing: NULL already behaves as false there, as a WHERE
 * clause reads it.)
 */
function negate(inner: RawBuilder<boolean>): RawBuilder<boolean> {
  return sql<boolean>`(not coalesce(${inner}, false))`;
}

/**
 * Whether a string attribute's values may exceed INDEXED_MAX_LENGTH: only the document cap bounds
 * them then. The service assigns read-only ones (id, meta), so those are short.
 */
function isLong(def: AttributeDef | undefined, type: ColumnType): boolean {
  if (type !== 'string') return false;
  if (def?.mutability === 'readOnly') return false;
  return def?.maxLength === undefined || def.maxLength > INDEXED_MAX_LENGTH;
}

/**
 * The checked filter compares a column in a way its column type cannot answer: attribute-map.ts
 * gives the attribute a type its schema does not have. A bug, so a plain Error (500), never a
 * client's fault.
 */
function mapMismatch(label: string, what: string): Error {
  return new Error(`attribute-map.ts and the schema disagree on "${label}": the column cannot compare ${what}`);
}

/**
 * A filter that is one `eq` of a non-empty string on a column of the resource table with a unique
 * index (id, externalId, userName): what every IdP sends before each create. Its column and the
 * value as compared (folded for a case-insensitive column, as compareString folds it), so that
 * list-rows.ts can answer it with a statement compiled once; undefined for any other filter. Such
 * a filter costs nothing under the filter cost rule (a unique lookup reads one row at most).
 */
export function uniqueLookup(
  filter: CheckedFilter | undefined,
  map: AttributeMap,
): { readonly column: string; readonly value: string } | undefined {
  if (filter?.kind !== 'compare' || filter.op !== 'eq' || typeof filter.value !== 'string' || filter.value === '') {
    return undefined;
  }
  if (map.multi(filter.resolved.attribute)) return undefined;
  const target = map.column(filter.resolved);
  if (target?.type !== 'string') return undefined;
  const compared = target.ciColumn ?? target.column;
  if (target.index?.column !== compared || !target.index.unique) return undefined;
  return { column: compared, value: target.ciColumn ? foldCase(filter.value) : filter.value };
}
