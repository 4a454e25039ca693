import { type RawBuilder, sql } from 'kysely';
import type { AttrPath, CompareFilter, Filter, FilterLiteral } from '../../scim/filter/ast.js';
import { foldCase } from '../../scim/fold-case.js';
import { findAttribute } from '../../scim/schema/attribute.js';
import { type ResolvedPath, resolvePath } from '../../scim/schema/resolve-path.js';
import { invalidFilter } from '../../scim/scim-error.js';
import type { AttributeMap, ColumnType, MultiTarget } from './attribute-map.js';
import { escapeLike, type SqlDialectHooks } from './sql-dialect.js';

/**
 * Compiles a filter AST into one SQL boolean expression over the resource table aliased `r`.
 * Multi-valued attributes become `id in (subquery)` over their child rows. The organization predicate
 * is NOT part of this: the store ANDs it outside, so a filter can only narrow it.
 *
 * Absent attributes: every comparison is false (never SQL NULL), so `not` behaves as SCIM
 * expects; `ne` is the negation of `eq` (true when the attribute is absent).
 */
export function compileFilter(
  filter: Filter,
  map: AttributeMap,
  hooks: SqlDialectHooks,
  orgId: string,
): RawBuilder<boolean> {
  return new FilterCompiler(map, hooks, orgId).compile(filter);
}

interface Operand {
  readonly column: RawBuilder<unknown>;
  readonly ciColumn: RawBuilder<unknown> | undefined;
  readonly type: ColumnType;
}

class FilterCompiler {
  constructor(
    private readonly map: AttributeMap,
    private readonly hooks: SqlDialectHooks,
    /** Scopes child-row subqueries; the organization predicate on `r` itself stays the store's. */
    private readonly orgId: string,
  ) {}

  compile(filter: Filter): RawBuilder<boolean> {
    switch (filter.kind) {
      case 'and':
        return sql<boolean>`(${this.compile(filter.left)} and ${this.compile(filter.right)})`;
      case 'or':
        return sql<boolean>`(${this.compile(filter.left)} or ${this.compile(filter.right)})`;
      case 'not':
        return negate(this.compile(filter.filter));
      case 'present':
      case 'compare':
        return this.compileLeaf(filter);
      case 'valuePath': {
        const resolved = this.resolve(filter.path, filter.at);
        const multi = this.map.multi(resolved.attribute);
        if (!multi || resolved.sub) throw this.unsupported(filter.path, filter.at);
        return this.some(multi, this.compileElement(filter.filter, resolved, multi));
      }
    }
  }

  private compileLeaf(filter: CompareFilter | Extract<Filter, { kind: 'present' }>): RawBuilder<boolean> {
    const resolved = this.resolve(filter.path, filter.at);
    const multi = this.map.multi(resolved.attribute);
    if (multi) {
      // RFC 7644 §3.4.2.2: a complex multi-valued attribute named without a sub-attribute means
      // its "value"; the filter matches when any element matches. `ne` is "no element equals".
      const subName = resolved.sub?.name ?? 'value';
      const subDef = findAttribute(resolved.attribute.subAttributes, subName);
      const operand = this.subOperand(multi, subName, filter.path, filter.at, subDef?.caseExact ?? false);
      if (filter.kind === 'compare' && filter.value === null && (filter.op === 'eq' || filter.op === 'ne')) {
        // RFC 7643 §2.5: an attribute with no values is unassigned. `emails eq null` asks for
        // "no element has a value", `emails ne null` for "some element has one".
        const some = this.some(multi, this.present(operand));
        return filter.op === 'eq' ? negate(some) : some;
      }
      if (filter.kind === 'compare' && filter.op === 'ne') {
        return sql<boolean>`(not ${this.some(multi, this.compare(operand, { ...filter, op: 'eq' }, describe(filter.path)))})`;
      }
      const predicate =
        filter.kind === 'present' ? this.present(operand) : this.compare(operand, filter, describe(filter.path));
      return this.some(multi, predicate);
    }
    const target = this.map.column(resolved);
    if (!target) throw this.unsupported(filter.path, filter.at);
    const operand: Operand = {
      column: sql.ref(`r.${target.column}`),
      ciColumn: target.ciColumn ? sql.ref(`r.${target.ciColumn}`) : undefined,
      type: target.type,
    };
    return filter.kind === 'present' ? this.present(operand) : this.compare(operand, filter, describe(filter.path));
  }

  /** A filter inside `attr[...]`: its paths name sub-attributes of one element. */
  private compileElement(filter: Filter, parent: ResolvedPath, multi: MultiTarget): RawBuilder<boolean> {
    switch (filter.kind) {
      case 'and':
        return sql<boolean>`(${this.compileElement(filter.left, parent, multi)} and ${this.compileElement(filter.right, parent, multi)})`;
      case 'or':
        return sql<boolean>`(${this.compileElement(filter.left, parent, multi)} or ${this.compileElement(filter.right, parent, multi)})`;
      case 'not':
        return negate(this.compileElement(filter.filter, parent, multi));
      case 'valuePath':
        throw invalidFilter(`Value filters cannot be nested (position ${filter.at + 1})`, 'filter.nestedValuePath');
      case 'present':
      case 'compare': {
        if (filter.path.uri !== undefined || filter.path.sub !== undefined) {
          throw invalidFilter(
            `Inside "${parent.attribute.name}[...]" name a sub-attribute of ${parent.attribute.name} (position ${filter.at + 1})`,
            'filter.valuePathSubAttribute',
          );
        }
        const sub = findAttribute(parent.attribute.subAttributes, filter.path.attr);
        if (!sub) {
          throw invalidFilter(
            `"${parent.attribute.name}" has no sub-attribute "${filter.path.attr}" (position ${filter.at + 1})`,
            'filter.unknownAttribute',
          );
        }
        const operand = this.subOperand(
          multi,
          sub.name,
          { attr: `${parent.attribute.name}.${sub.name}` },
          filter.at,
          sub.caseExact,
        );
        const label = `${parent.attribute.name}.${sub.name}`;
        return filter.kind === 'present' ? this.present(operand) : this.compare(operand, filter, label);
      }
    }
  }

  private some(multi: MultiTarget, predicate: RawBuilder<boolean>): RawBuilder<boolean> {
    return sql<boolean>`(${multi.some(this.orgId, predicate)})`;
  }

  /** `caseExact` comes from the schema: photos.value is compared exactly, emails.value is not. */
  private subOperand(multi: MultiTarget, subName: string, path: AttrPath, at: number, caseExact: boolean): Operand {
    const target = multi.sub(subName);
    if (!target) throw this.unsupported(path, at);
    return {
      column: sql.ref(`v.${target.column}`),
      ciColumn: target.ciColumn && !caseExact ? sql.ref(`v.${target.ciColumn}`) : undefined,
      type: target.type,
    };
  }

  private present(operand: Operand): RawBuilder<boolean> {
    // RFC 7644 §3.4.2.2 "pr": the attribute has a non-empty value.
    if (operand.type === 'string') return sql<boolean>`(${operand.column} is not null and ${operand.column} <> '')`;
    return sql<boolean>`(${operand.column} is not null)`;
  }

  private compare(operand: Operand, filter: CompareFilter, label: string): RawBuilder<boolean> {
    const { op, value } = filter;
    if (value === null) {
      // `eq null` asks for absence, `ne null` for presence; nothing else compares with null.
      if (op === 'eq') return sql<boolean>`(not ${this.present(operand)})`;
      if (op === 'ne') return this.present(operand);
      throw invalidFilter(
        `"${label} ${op} null" cannot be answered: only eq and ne compare with null`,
        'filter.nullOperator',
      );
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

  private compareBoolean(operand: Operand, { op, value, at }: CompareFilter, label: string): RawBuilder<boolean> {
    if (typeof value !== 'boolean') throw mismatch(label, 'true or false', value, at);
    const bit = value ? 1 : 0;
    if (op === 'eq') return sql<boolean>`(${operand.column} = ${bit})`;
    if (op === 'ne') return sql<boolean>`(${operand.column} is null or ${operand.column} <> ${bit})`;
    throw invalidFilter(`"${label}" is a boolean: use eq or ne, not ${op} (position ${at + 1})`, 'filter.operatorType');
  }

  private compareDateTime(operand: Operand, { op, value, at }: CompareFilter, label: string): RawBuilder<boolean> {
    const ms = typeof value === 'string' ? parseDateTime(value) : undefined;
    if (ms === undefined) throw mismatch(label, 'an RFC 3339 date-time string', value, at);
    const c = operand.column;
    switch (op) {
      case 'eq':
        return sql<boolean>`(${c} = ${ms})`;
      case 'ne':
        return sql<boolean>`(${c} is null or ${c} <> ${ms})`;
      case 'gt':
        return sql<boolean>`(${c} > ${ms})`;
      case 'ge':
        return sql<boolean>`(${c} >= ${ms})`;
      case 'lt':
        return sql<boolean>`(${c} < ${ms})`;
      case 'le':
        return sql<boolean>`(${c} <= ${ms})`;
      default:
        throw invalidFilter(
          `"${label}" is a date-time: ${op} does not apply (position ${at + 1})`,
          'filter.operatorType',
        );
    }
  }

  private compareString(operand: Operand, { op, value, at }: CompareFilter, label: string): RawBuilder<boolean> {
    if (typeof value !== 'string') throw mismatch(label, 'a string', value, at);
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
        if (ci) {
          const pattern = op === 'co' ? `%${escapeLike(v)}%` : op === 'sw' ? `${escapeLike(v)}%` : `%${escapeLike(v)}`;
          return sql<boolean>`(${col} like ${pattern} escape '\\')`;
        }
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

  private resolve(path: AttrPath, at: number): ResolvedPath {
    const resolved = resolvePath(this.map.type, path);
    if (!resolved) {
      throw invalidFilter(
        `Unknown attribute "${describe(path)}" at position ${at + 1} for resource type ${this.map.type.name}`,
        'filter.unknownAttribute',
      );
    }
    return resolved;
  }

  private unsupported(path: AttrPath, at: number) {
    return invalidFilter(
      `Filtering ${this.map.type.name} resources on "${describe(path)}" (position ${at + 1}) is not supported; filterable: ${this.map.filterable.join(', ')}`,
      'filter.unsupportedAttribute',
    );
  }
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

function mismatch(label: string, expected: string, value: FilterLiteral, at: number) {
  return invalidFilter(
    `"${label}" compares with ${expected}, got ${JSON.stringify(value)} (position ${at + 1})`,
    'filter.valueType',
  );
}

function describe(path: AttrPath): string {
  const base = path.uri ? `${path.uri}:${path.attr}` : path.attr;
  return path.sub ? `${base}.${path.sub}` : base;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** RFC 3339 date-time → epoch ms; undefined when not a valid one. */
export function parseDateTime(value: string): number | undefined {
  if (!RFC3339.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
