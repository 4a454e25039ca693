import type { AttrPath } from '../filter/ast.js';
import { type AttributeDef, findAttribute, type ResourceTypeDef, type SchemaDef } from '../schema/attribute.js';
import { commonAttributes } from '../schema/common-attributes.js';
import { resolvePath } from '../schema/resolve-path.js';

/** `attributes` / `excludedAttributes` of a request (RFC 7644 §3.4.2.5, §3.9). */
export interface ProjectionOptions {
  readonly attributes?: readonly AttrPath[];
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
}

type Mode =
  | { readonly kind: 'all' }
  | { readonly kind: 'include'; readonly selection: Selection }
  | { readonly kind: 'exclude'; readonly selection: Selection };

/** Decides, per sub-attribute of a complex value, whether it stays. */
type SubFilter = (sub: AttributeDef | undefined) => boolean;

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
    const subFilter = planAttribute(def, CORE, mode);
    if (subFilter === undefined) continue;
    const projected = applySubFilter(def, value, subFilter);
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
        [...selection.subs.keys()].some((k) => k.startsWith(prefix))
      );
    }
    return !(mode.kind === 'exclude' && mode.selection.containers.has(extension.id));
  }
  return planAttribute(coreAttribute(type, attrName), CORE, mode) !== undefined;
}

function modeOf(type: ResourceTypeDef, options: ProjectionOptions): Mode {
  if (options.attributes !== undefined && options.attributes.length > 0) {
    return { kind: 'include', selection: select(type, options.attributes) };
  }
  if (options.excludedAttributes !== undefined && options.excludedAttributes.length > 0) {
    return { kind: 'exclude', selection: select(type, options.excludedAttributes) };
  }
  return { kind: 'all' };
}

function select(type: ResourceTypeDef, paths: readonly AttrPath[]): Selection {
  const selection: Selection = { whole: new Set(), subs: new Map(), containers: new Set() };
  for (const path of paths) {
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
function planAttribute(def: AttributeDef | undefined, container: string, mode: Mode): SubFilter | undefined {
  // Keys the schema does not describe are treated as returned "default".
  const returned = def?.returned ?? 'default';
  if (returned === 'never') return undefined;
  // RFC 7643 §7: "always" attributes are returned whatever attributes/excludedAttributes say.
  if (returned === 'always') return byDefault;
  const key = def ? `${container}\u0000${def.name}` : undefined;
  if (mode.kind === 'include') {
    const { selection } = mode;
    const named = key !== undefined ? selection.subs.get(key) : undefined;
    const whole =
      (key !== undefined && selection.whole.has(key)) ||
      (selection.containers.has(container) && returned !== 'request');
    if (whole)
      return (sub) =>
        byDefault(sub) || (sub !== undefined && sub.returned !== 'never' && named?.has(sub.name) === true);
    if (named) {
      return (sub) =>
        sub !== undefined && (sub.returned === 'always' || (sub.returned !== 'never' && named.has(sub.name)));
    }
    return undefined;
  }
  if (returned === 'request') return undefined;
  if (mode.kind === 'exclude') {
    const { selection } = mode;
    if (selection.containers.has(container) || (key !== undefined && selection.whole.has(key))) return undefined;
    const excluded = key !== undefined ? selection.subs.get(key) : undefined;
    if (excluded) {
      return (sub) => byDefault(sub) && !(sub !== undefined && sub.returned !== 'always' && excluded.has(sub.name));
    }
  }
  return byDefault;
}

function applySubFilter(def: AttributeDef | undefined, value: unknown, keep: SubFilter): unknown {
  if (def?.type !== 'complex') return value;
  const pick = (item: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [name, subValue] of Object.entries(item)) {
      if (subValue !== undefined && keep(findAttribute(def.subAttributes, name))) out[name] = subValue;
    }
    return out;
  };
  if (Array.isArray(value)) {
    if (value.length === 0) return value;
    const items = value
      .map((item: unknown) => (isRecord(item) ? pick(item) : item))
      .filter((item: unknown) => !(isRecord(item) && Object.keys(item).length === 0));
    return items.length > 0 ? items : undefined;
  }
  if (isRecord(value)) {
    if (Object.keys(value).length === 0) return value;
    const picked = pick(value);
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
    const subFilter = planAttribute(def, schema.id, mode);
    if (subFilter === undefined) continue;
    const projected = applySubFilter(def, attrValue, subFilter);
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
