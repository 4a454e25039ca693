import type { AttrPath } from '../attr-path.js';
import type { Filter } from '../filter/ast.js';
import { type CheckedValueFilter, checkValueFilter } from '../filter/check-filter.js';
import { type EvaluationMeter, FoldOnce, matchesValueFilter } from '../filter/evaluate-filter.js';
import { printFilter } from '../filter/print-filter.js';
import { type AttributeDef, findAttribute, type ResourceTypeDef, type SchemaDef } from '../schema/attribute.js';
import { commonAttributes } from '../schema/common-attributes.js';
import { type ResolvedPath, resolvePath } from '../schema/resolve-path.js';
import { invalidFilter } from '../scim-error.js';
import { projectDefault } from './project-default.js';

/**
 * One entry of `attributes`: an attribute path, possibly with a value filter on a multi-valued
 * complex attribute. `emails[type eq "work"].value` is `{ attr: 'emails', sub: 'value', filter }`:
 * only the values matching the filter are returned, and of them only `value`.
 */
export interface AttributeSelector extends AttrPath {
  readonly filter?: Filter;
}

/** `attributes` / `excludedAttributes` of a request (RFC 7644 §3.4.2.5, §3.9). */
export interface ProjectionOptions {
  readonly attributes?: readonly AttributeSelector[];
  readonly excludedAttributes?: readonly AttrPath[];
}

/**
 * The attributes a request names, by canonical name. Core and common attributes live in the
 * container `''`, extension attributes in the container named by their schema id (the key the
 * resource stores them under).
 */
interface Selection {
  /** `container\0attribute` named whole. */
  readonly whole: Set<string>;
  /** `container\0attribute` to the canonical names of its sub-attributes named. */
  readonly subs: Map<string, Set<string>>;
  /** Containers named by their schema URN alone. */
  readonly containers: Set<string>;
  /** `container\0attribute` to the value filters naming it (`attributes` only). */
  readonly filtered: Map<string, ValueSelector[]>;
}

/** `emails[type eq "work"]` (`sub` undefined: the whole value) or `emails[type eq "work"].value`. */
interface ValueSelector {
  readonly filter: CheckedValueFilter;
  readonly sub?: string;
}

type Mode =
  | { readonly kind: 'all' }
  | { readonly kind: 'include'; readonly selection: Selection; readonly meter: EvaluationMeter }
  | { readonly kind: 'exclude'; readonly selection: Selection };

/** Decides, per sub-attribute of a complex value, whether it stays. */
type SubFilter = (sub: AttributeDef | undefined) => boolean;

/**
 * Decides, per value (each element of a multi-valued attribute, or the one value), which
 * sub-attributes stay; undefined leaves the value out.
 */
type ValuePlan = (value: unknown) => SubFilter | undefined;

const CORE = '';

/**
 * Applies the `returned` characteristic (RFC 7643 §7) and `attributes` / `excludedAttributes`
 * (RFC 7644 §3.4.2.5, §3.9) to a resource whose keys are canonical:
 * - `schemas` and attributes returned `always` (such as `id`) are always kept and cannot be
 *   excluded; `never` attributes (`password`) are never returned; `request` attributes only when
 *   `attributes` names them.
 * - With `attributes`, only the named attributes are returned: `name.givenName` keeps just that
 *   sub-attribute of `name`, `emails.value` keeps just `value` in each element. It wins over
 *   `excludedAttributes` when both are given.
 * - A value filter keeps only the matching values of a multi-valued complex attribute:
 *   `emails[type eq "work"]` returns the work e-mails whole, `emails[type eq "work"].value` just
 *   their `value`. RFC 7644 §3.10 gives `attributes` plain attribute paths only, but Microsoft's
 *   SCIM reference server and its Postman collection send this form, with the meaning of a PATCH
 *   value path (§3.5.2). Several entries for one attribute add up: a value is returned with what
 *   any entry selecting it asks for.
 * - With `excludedAttributes`, the named attributes or sub-attributes are dropped.
 * - Extension attributes live under their schema URN key and are named with the URN prefix
 *   (`urn:...:enterprise:2.0:User:employeeNumber`); an entry that is exactly a schema URN names the
 *   whole extension object (or, for the core schema URN, all core attributes).
 * - Names are matched ignoring case; names the resource type does not have are ignored (RFC 7644
 *   does not make them an error, and IdPs send them).
 * Complex values and extension objects left empty by the projection are omitted.
 */
export function project(
  type: ResourceTypeDef,
  resource: Record<string, unknown>,
  options: ProjectionOptions,
): Record<string, unknown> {
  // No names given (nearly every request): the same answer from a table compiled per type.
  if (!(options.attributes?.length || options.excludedAttributes?.length)) return projectDefault(type, resource);
  return projectByWalk(type, resource, options);
}

/**
 * project() by walking the schema for each key: the general path. Exported as the reference that
 * project-default.ts is checked against (project-default.test.ts).
 */
export function projectByWalk(
  type: ResourceTypeDef,
  resource: Record<string, unknown>,
  options: ProjectionOptions,
): Record<string, unknown> {
  const mode = modeOf(type, options);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    if (value === undefined) continue;
    if (key.toLowerCase() === 'schemas') {
      out[key] = value;
      continue;
    }
    const extension = findExtension(type, key);
    if (extension !== undefined) {
      const projected = projectExtension(extension, value, mode);
      if (projected !== undefined) out[key] = projected;
      continue;
    }
    const def = coreAttribute(type, key);
    const plan = planAttribute(def, CORE, mode);
    if (plan === undefined) continue;
    const projected = applyPlan(def, value, plan);
    if (projected !== undefined) out[key] = projected;
  }
  // RFC 7643 §3: `schemas` names the schemas of the attributes present, so an extension the
  // projection dropped leaves it too.
  if (Array.isArray(out.schemas)) {
    out.schemas = out.schemas.filter((uri) => {
      const extension = typeof uri === 'string' ? findExtension(type, uri) : undefined;
      return extension === undefined || Object.keys(out).some((k) => findExtension(type, k) === extension);
    });
  }
  return out;
}

/**
 * Whether the projection can contain the top-level attribute `attrName` (canonical name of a core
 * or common attribute, or an extension schema URN), so the storage layer can skip loading what
 * will not be returned, e.g. the members of a large team under `excludedAttributes=members`.
 */
export function wantsAttribute(type: ResourceTypeDef, options: ProjectionOptions, attrName: string): boolean {
  if (attrName.toLowerCase() === 'schemas') return true;
  const mode = modeOf(type, options);
  const extension = findExtension(type, attrName);
  if (extension !== undefined) {
    if (mode.kind === 'include') {
      const { selection } = mode;
      if (selection.containers.has(extension.id)) return true;
      const prefix = `${extension.id}\u0000`;
      return (
        [...selection.whole].some((k) => k.startsWith(prefix)) ||
        [...selection.subs.keys()].some((k) => k.startsWith(prefix)) ||
        [...selection.filtered.keys()].some((k) => k.startsWith(prefix))
      );
    }
    return !(mode.kind === 'exclude' && mode.selection.containers.has(extension.id));
  }
  return planAttribute(coreAttribute(type, attrName), CORE, mode) !== undefined;
}

/**
 * Resolves a value-filtered `attributes` entry against `type` and checks its filter
 * (filter/check-filter.ts, as for a PATCH value path): undefined when `type` has no such
 * attribute (ignored, like any unknown name). list-request.ts runs it on every resource type before
 * any resource is read, so that a bad filter is a 400, never a failure halfway through a streamed
 * ListResponse.
 *
 * @throws ScimError 400 `invalidFilter` when the attribute is not multi-valued complex or the
 * filter does not fit its sub-attributes.
 */
export function resolveValueSelector(
  type: ResourceTypeDef,
  selector: AttributeSelector & { readonly filter: Filter },
): { readonly resolved: ResolvedPath; readonly filter: CheckedValueFilter } | undefined {
  const resolved = resolvePath(type, selector);
  if (resolved === undefined) return undefined;
  const { attribute } = resolved;
  if (!attribute.multiValued || attribute.type !== 'complex') {
    const { filter, sub } = selector;
    const path = { ...(selector.uri !== undefined ? { uri: selector.uri } : {}), attr: selector.attr };
    const text = `${printFilter({ kind: 'valuePath', path, filter, at: 0 })}${sub !== undefined ? `.${sub}` : ''}`;
    throw invalidFilter(
      `attributes entry "${text}" filters "${attribute.name}", which is not a multi-valued complex attribute; value filters select values of attributes such as emails`,
      'list.attributes.filterOnSingle',
    );
  }
  // `emails[type eq "work"].value` resolves with `sub`; the filter tests whole elements.
  const parent = { schema: resolved.schema, isExtension: resolved.isExtension, attribute };
  return { resolved, filter: checkValueFilter(parent, selector.filter) };
}

function modeOf(type: ResourceTypeDef, options: ProjectionOptions): Mode {
  if (options.attributes !== undefined && options.attributes.length > 0) {
    // Nothing is charged: list-request.ts allows MAX_FILTER_TERMS terms over all `attributes`
    // entries and an attribute holds at most MAX_VALUES_PER_ATTRIBUTE values, so one resource costs
    // at most what one PATCH may spend; `groups` and `members` rows cost that per row written out.
    return { kind: 'include', selection: select(type, options.attributes), meter: new FoldOnce() };
  }
  if (options.excludedAttributes !== undefined && options.excludedAttributes.length > 0) {
    return { kind: 'exclude', selection: select(type, options.excludedAttributes) };
  }
  return { kind: 'all' };
}

function select(type: ResourceTypeDef, paths: readonly AttributeSelector[]): Selection {
  const selection: Selection = { whole: new Set(), subs: new Map(), containers: new Set(), filtered: new Map() };
  for (const path of paths) {
    if (path.filter !== undefined) {
      const checked = resolveValueSelector(type, { ...path, filter: path.filter });
      if (checked === undefined) continue;
      const { resolved } = checked;
      const container = resolved.isExtension && resolved.schema ? resolved.schema.id : CORE;
      const key = `${container}\u0000${resolved.attribute.name}`;
      const selectors = selection.filtered.get(key) ?? [];
      selectors.push({ filter: checked.filter, ...(resolved.sub !== undefined ? { sub: resolved.sub.name } : {}) });
      selection.filtered.set(key, selectors);
      continue;
    }
    if (path.uri !== undefined && path.sub === undefined) {
      // `urn:...:enterprise:2.0:User` alone reads as { uri: 'urn:...:2.0', attr: 'User' }.
      const urn = `${path.uri}:${path.attr}`.toLowerCase();
      if (urn === type.schema.id.toLowerCase()) {
        selection.containers.add(CORE);
        continue;
      }
      const extension = findExtension(type, urn);
      if (extension !== undefined) {
        selection.containers.add(extension.id);
        continue;
      }
    }
    const resolved = resolvePath(type, path);
    if (resolved === undefined) continue;
    const container = resolved.isExtension && resolved.schema ? resolved.schema.id : CORE;
    const key = `${container}\u0000${resolved.attribute.name}`;
    if (resolved.sub === undefined) {
      selection.whole.add(key);
    } else {
      const subs = selection.subs.get(key) ?? new Set<string>();
      subs.add(resolved.sub.name);
      selection.subs.set(key, subs);
    }
  }
  return selection;
}

const byDefault: SubFilter = (sub) => sub === undefined || sub.returned === 'always' || sub.returned === 'default';

/** Returns how to project an attribute's value, or undefined when the attribute is left out. */
function planAttribute(def: AttributeDef | undefined, container: string, mode: Mode): ValuePlan | undefined {
  const every =
    (keep: SubFilter): ValuePlan =>
    () =>
      keep;
  // Keys the schema does not describe are treated as returned "default".
  const returned = def?.returned ?? 'default';
  if (returned === 'never') return undefined;
  // RFC 7643 §7: "always" attributes are returned whatever attributes/excludedAttributes say.
  if (returned === 'always') return every(byDefault);
  const key = def ? `${container}\u0000${def.name}` : undefined;
  if (mode.kind === 'include') {
    const { selection } = mode;
    const named = key !== undefined ? selection.subs.get(key) : undefined;
    const whole =
      (key !== undefined && selection.whole.has(key)) ||
      (selection.containers.has(container) && returned !== 'request');
    let base: SubFilter | undefined;
    if (whole) {
      base = (sub) =>
        byDefault(sub) || (sub !== undefined && sub.returned !== 'never' && named?.has(sub.name) === true);
    } else if (named) {
      base = (sub) =>
        sub !== undefined && (sub.returned === 'always' || (sub.returned !== 'never' && named.has(sub.name)));
    }
    const selectors = key !== undefined ? selection.filtered.get(key) : undefined;
    if (selectors === undefined || def === undefined) return base === undefined ? undefined : every(base);
    return (value) => planValue(value, base, selectors, mode.meter);
  }
  if (returned === 'request') return undefined;
  if (mode.kind === 'exclude') {
    const { selection } = mode;
    if (selection.containers.has(container) || (key !== undefined && selection.whole.has(key))) return undefined;
    const excluded = key !== undefined ? selection.subs.get(key) : undefined;
    if (excluded) {
      return every(
        (sub) => byDefault(sub) && !(sub !== undefined && sub.returned !== 'always' && excluded.has(sub.name)),
      );
    }
  }
  return every(byDefault);
}

/**
 * What stays of one value of a value-filtered attribute: what the unfiltered entries (`base`) ask
 * for, plus what each entry whose filter the value matches asks for. A value no entry selects is
 * left out.
 */
function planValue(
  value: unknown,
  base: SubFilter | undefined,
  selectors: readonly ValueSelector[],
  meter: EvaluationMeter,
): SubFilter | undefined {
  let whole = false;
  const subs = new Set<string>();
  if (isRecord(value)) {
    for (const { filter, sub } of selectors) {
      if (!matchesValueFilter(filter, value, meter)) continue;
      if (sub === undefined) whole = true;
      else subs.add(sub);
    }
  }
  if (!whole && subs.size === 0) return base;
  return (sub) =>
    base?.(sub) === true ||
    (whole && byDefault(sub)) ||
    (sub !== undefined && (sub.returned === 'always' || (sub.returned !== 'never' && subs.has(sub.name))));
}

function applyPlan(def: AttributeDef | undefined, value: unknown, plan: ValuePlan): unknown {
  if (def?.type !== 'complex') return value;
  const pick = (item: Record<string, unknown>, keep: SubFilter): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [name, subValue] of Object.entries(item)) {
      if (subValue !== undefined && keep(findAttribute(def.subAttributes, name))) out[name] = subValue;
    }
    return out;
  };
  if (Array.isArray(value)) {
    if (value.length === 0) return value;
    const items: unknown[] = [];
    for (const item of value) {
      const keep = plan(item);
      if (keep === undefined) continue;
      const picked = isRecord(item) ? pick(item, keep) : item;
      if (!(isRecord(picked) && Object.keys(picked).length === 0)) items.push(picked);
    }
    return items.length > 0 ? items : undefined;
  }
  if (isRecord(value)) {
    const keep = plan(value);
    if (keep === undefined) return undefined;
    if (Object.keys(value).length === 0) return value;
    const picked = pick(value, keep);
    return Object.keys(picked).length > 0 ? picked : undefined;
  }
  return value;
}

function projectExtension(schema: SchemaDef, value: unknown, mode: Mode): unknown {
  if (!isRecord(value)) {
    // Not an object: nothing to select inside, so keep it only where the whole extension is wanted.
    if (mode.kind === 'include') return mode.selection.containers.has(schema.id) ? value : undefined;
    if (mode.kind === 'exclude' && mode.selection.containers.has(schema.id)) return undefined;
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [key, attrValue] of Object.entries(value)) {
    if (attrValue === undefined) continue;
    const def = findAttribute(schema.attributes, key);
    const plan = planAttribute(def, schema.id, mode);
    if (plan === undefined) continue;
    const projected = applyPlan(def, attrValue, plan);
    if (projected !== undefined) out[key] = projected;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function findExtension(type: ResourceTypeDef, key: string): SchemaDef | undefined {
  const lower = key.toLowerCase();
  return type.extensions.find((e) => e.schema.id.toLowerCase() === lower)?.schema;
}

function coreAttribute(type: ResourceTypeDef, name: string): AttributeDef | undefined {
  return findAttribute(commonAttributes, name) ?? findAttribute(type.schema.attributes, name);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
