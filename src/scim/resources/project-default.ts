import { type AttributeDef, findAttribute, type ResourceTypeDef, type SchemaDef } from '../schema/attribute.js';
import { commonAttributes } from '../schema/common-attributes.js';

/*
 * The projection of a request that names neither `attributes` nor `excludedAttributes`, which is
 * nearly every request (a GET by id, every IdP lookup, every list page): what project.ts's general
 * walk returns in that case, from a table compiled once per resource type. The walk resolves each
 * key by a case-insensitive scan of the schema and builds a closure per attribute; this looks the
 * key up in a map. project.test.ts checks it against the walk over many generated resources.
 */

/** What the default projection does with one key. */
type KeyPlan =
  | { readonly kind: 'schemas' }
  | { readonly kind: 'extension'; readonly schema: SchemaDef; readonly attributes: NameTable<KeyPlan> }
  | { readonly kind: 'drop' }
  | { readonly kind: 'value' }
  | { readonly kind: 'complex'; readonly subs: NameTable<boolean> };

/**
 * Names to what they resolve to, cached by the exact spelling met (resources carry canonical
 * names, so one spelling per attribute in practice). The cache is bounded: names come from
 * documents, and a name the schema does not know must not grow it without end.
 */
class NameTable<T> {
  private readonly cache = new Map<string, T>();
  constructor(private readonly resolve: (name: string) => T) {}
  get(name: string): T {
    let found = this.cache.get(name);
    if (found === undefined) {
      found = this.resolve(name);
      if (this.cache.size < MAX_CACHED_NAMES) this.cache.set(name, found);
    }
    return found;
  }
}

const MAX_CACHED_NAMES = 256;

const plans = new WeakMap<ResourceTypeDef, NameTable<KeyPlan>>();

/** project(type, resource, {}): see project.ts for the rules this applies. */
export function projectDefault(type: ResourceTypeDef, resource: Record<string, unknown>): Record<string, unknown> {
  const table = planOf(type);
  const out: Record<string, unknown> = {};
  let extensionsKept: Set<SchemaDef> | undefined;
  for (const key of Object.keys(resource)) {
    const value = resource[key];
    if (value === undefined) continue;
    const plan = table.get(key);
    if (plan.kind === 'extension') {
      const projected = projectExtension(plan.attributes, value);
      if (projected !== undefined) {
        out[key] = projected;
        extensionsKept ??= new Set();
        extensionsKept.add(plan.schema);
      }
      continue;
    }
    const projected = applyPlan(plan, value);
    if (projected !== undefined) out[key] = projected;
  }
  // RFC 7643 §3: `schemas` names the schemas of the attributes present.
  if (Array.isArray(out.schemas)) {
    out.schemas = out.schemas.filter((uri) => {
      if (typeof uri !== 'string') return true;
      const plan = table.get(uri);
      if (plan.kind !== 'extension') return true;
      return extensionsKept?.has(plan.schema) === true;
    });
  }
  return out;
}

function planOf(type: ResourceTypeDef): NameTable<KeyPlan> {
  let table = plans.get(type);
  if (table === undefined) {
    table = new NameTable((name) => {
      const lower = name.toLowerCase();
      if (lower === 'schemas') return { kind: 'schemas' };
      const extension = type.extensions.find((e) => e.schema.id.toLowerCase() === lower)?.schema;
      if (extension !== undefined) {
        const attributes = new NameTable((attrName) => attributePlan(findAttribute(extension.attributes, attrName)));
        return { kind: 'extension', schema: extension, attributes };
      }
      return attributePlan(findAttribute(commonAttributes, name) ?? findAttribute(type.schema.attributes, name));
    });
    plans.set(type, table);
  }
  return table;
}

/** Keys the schema does not describe are treated as returned "default", as the walk does. */
function attributePlan(def: AttributeDef | undefined): KeyPlan {
  const returned = def?.returned ?? 'default';
  if (returned === 'never' || returned === 'request') return { kind: 'drop' };
  if (def?.type !== 'complex') return { kind: 'value' };
  const { subAttributes } = def;
  return { kind: 'complex', subs: new NameTable((sub) => keptSub(findAttribute(subAttributes, sub))) };
}

function keptSub(sub: AttributeDef | undefined): boolean {
  return sub === undefined || sub.returned === 'always' || sub.returned === 'default';
}

function applyPlan(plan: KeyPlan, value: unknown): unknown {
  switch (plan.kind) {
    case 'drop':
      return undefined;
    case 'complex':
      return applyComplex(plan.subs, value);
    default:
      return value;
  }
}

/** A complex value, or each element of a multi-valued one, without the sub-attributes not returned. */
function applyComplex(subs: NameTable<boolean>, value: unknown): unknown {
  if (Array.isArray(value)) {
    if (value.length === 0) return value;
    const items: unknown[] = [];
    for (const item of value) {
      if (!isRecord(item)) {
        items.push(item);
        continue;
      }
      const picked = pick(subs, item);
      if (picked !== undefined) items.push(picked);
    }
    return items.length > 0 ? items : undefined;
  }
  if (isRecord(value)) {
    if (Object.keys(value).length === 0) return value;
    return pick(subs, value);
  }
  return value;
}

/** The kept sub-attributes of one complex value; undefined when none is left. */
function pick(subs: NameTable<boolean>, item: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let any = false;
  for (const name of Object.keys(item)) {
    const subValue = item[name];
    if (subValue !== undefined && subs.get(name)) {
      out[name] = subValue;
      any ||= name !== PROTO;
    }
  }
  return any ? out : undefined;
}

function projectExtension(attributes: NameTable<KeyPlan>, value: unknown): unknown {
  // Not an object: nothing to select inside, and with no names given the whole extension is wanted.
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  let any = false;
  for (const key of Object.keys(value)) {
    const attrValue = value[key];
    if (attrValue === undefined) continue;
    const projected = applyPlan(attributes.get(key), attrValue);
    if (projected !== undefined) {
      out[key] = projected;
      any ||= key !== PROTO;
    }
  }
  return any ? out : undefined;
}

/**
 * Assigning `__proto__` (a key JSON.parse can give an object) sets the prototype and adds no key;
 * the walk counts keys, so a value holding only that one is empty here too.
 */
const PROTO = '__proto__';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
