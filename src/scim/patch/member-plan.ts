import type { Filter } from '../filter/ast.js';
import { printFilter } from '../filter/print-filter.js';
import { isScimObject } from '../resource-doc.js';
import { type AttributeDef, findAttribute } from '../schema/attribute.js';
import { coerceAttributeValue, describeValue } from '../schema/coerce.js';
import { groupSchema } from '../schema/group-schema.js';
import { invalidFilter, invalidValue } from '../scim-error.js';

/**
 * A member named in a request (RFC 7643 §4.2 `members`): `value` is the id of the member user or
 * team, `type` ("User" or "Group") may say which. `display` is passed along as sent, for logs;
 * `$ref` is ignored (Entra sends null).
 */
export interface MemberRef {
  readonly value: string;
  readonly display?: string;
  readonly type?: string;
}

/**
 * What a PATCH does to a Group's members. Memberships are rows and a team may have 100,000 of
 * them, so the core never loads them: it turns every operation on `members` into this plan, and
 * the store runs it as targeted statements.
 *
 * Apply it as: start from the current members, or from `replaceAll` (or nothing, if
 * `removeAll`); then delete `remove`; then insert `add`. The builders below keep the plan
 * normalised so that this order gives the same set as applying the operations one by one:
 * - `add` and `remove` never share an id (a later operation on an id cancels an earlier one);
 * - at most one of `replaceAll` / `removeAll` is set, and when one is, `add` and `remove` are
 *   empty (later adds and removes are folded into `replaceAll`); `replaceAll` is never empty
 *   (replacing with nothing is `removeAll`).
 * So a later replace discards earlier adds and removes, and "remove all, then add x" becomes
 * "replace all with x".
 */
export interface MemberPlan {
  readonly add: readonly MemberRef[];
  readonly remove: readonly string[];
  readonly replaceAll?: readonly MemberRef[];
  readonly removeAll?: boolean;
}

/** The plan of a PATCH that does not touch members. */
export const EMPTY_MEMBER_PLAN: MemberPlan = { add: [], remove: [] };

/** True when the plan changes nothing. */
export function isEmptyMemberPlan(plan: MemberPlan): boolean {
  return plan.add.length === 0 && plan.remove.length === 0 && plan.replaceAll === undefined && plan.removeAll !== true;
}

/** Adds members (adding one twice keeps one membership; the later `display`/`type` win). */
export function planAdd(plan: MemberPlan, refs: readonly MemberRef[]): MemberPlan {
  if (refs.length === 0) return plan;
  const builder = MemberPlanBuilder.from(plan);
  builder.add(refs);
  return builder.build();
}

/** Removes members by id; removing someone who is not a member is not an error. */
export function planRemove(plan: MemberPlan, ids: readonly string[]): MemberPlan {
  if (ids.length === 0) return plan;
  const builder = MemberPlanBuilder.from(plan);
  builder.remove(ids);
  return builder.build();
}

/** Replaces the whole member list; an empty list removes every member. */
export function planReplaceAll(_plan: MemberPlan, refs: readonly MemberRef[]): MemberPlan {
  const builder = new MemberPlanBuilder();
  builder.replaceAll(refs);
  return builder.build();
}

/**
 * A {@link MemberPlan} under construction, for the operations of one PATCH. Copying the plan per
 * operation (as a pure `planAdd` must) costs the members named so far each time, so 1,000
 * operations of 20 members each cost 10 million steps; kept in Maps and Sets, each member named
 * costs one step. Insertion order is kept: a member named again keeps its first position and
 * takes the later `display`/`type`.
 */
export class MemberPlanBuilder {
  private readonly adds = new Map<string, MemberRef>();
  private readonly removes = new Set<string>();
  private replacement: Map<string, MemberRef> | undefined;
  private removesAll = false;

  /** A builder that continues `plan`. */
  static from(plan: MemberPlan): MemberPlanBuilder {
    const builder = new MemberPlanBuilder();
    if (plan.replaceAll !== undefined) builder.replaceAll(plan.replaceAll);
    else if (plan.removeAll === true) builder.removesAll = true;
    for (const ref of plan.add) builder.adds.set(ref.value, ref);
    for (const id of plan.remove) builder.removes.add(id);
    return builder;
  }

  add(refs: readonly MemberRef[]): void {
    if (refs.length === 0) return;
    if (this.removesAll) {
      // "Remove all, then add x" is "replace all with x".
      this.removesAll = false;
      this.replacement = new Map();
    }
    if (this.replacement !== undefined) {
      for (const ref of refs) this.replacement.set(ref.value, ref);
      return;
    }
    for (const ref of refs) {
      this.adds.set(ref.value, ref);
      this.removes.delete(ref.value);
    }
  }

  remove(ids: readonly string[]): void {
    if (ids.length === 0 || this.removesAll) return;
    if (this.replacement !== undefined) {
      for (const id of ids) this.replacement.delete(id);
      if (this.replacement.size === 0) {
        this.replacement = undefined;
        this.removesAll = true;
      }
      return;
    }
    for (const id of ids) {
      this.adds.delete(id);
      this.removes.add(id);
    }
  }

  replaceAll(refs: readonly MemberRef[]): void {
    this.adds.clear();
    this.removes.clear();
    this.replacement = refs.length > 0 ? new Map(refs.map((ref) => [ref.value, ref])) : undefined;
    this.removesAll = refs.length === 0;
  }

  build(): MemberPlan {
    if (this.replacement !== undefined) return { add: [], remove: [], replaceAll: [...this.replacement.values()] };
    if (this.removesAll) return { add: [], remove: [], removeAll: true };
    return { add: [...this.adds.values()], remove: [...this.removes] };
  }
}

const MEMBERS: AttributeDef = (() => {
  const def = findAttribute(groupSchema.attributes, 'members');
  if (def === undefined) throw new Error('the Group schema has no "members" attribute');
  return def;
})();

/**
 * Reads the `value` of an operation on `members`: an array of `{ value, display?, type?, $ref? }`,
 * checked by the rule POST and PUT bodies and every other multi-valued attribute follow
 * (schema/coerce-value.ts, RFC 7643 §2.4): an array of objects, never a lone object or a bare id
 * string, which Entra and Okta never send. `null` reads as no members.
 *
 * @throws ScimError 400 `invalidValue` when the value is not an array of objects, or an element
 * has no string `value`.
 */
export function parseMemberRefs(raw: unknown, where: string): MemberRef[] {
  if (raw === null || raw === undefined) return [];
  coerceAttributeValue(MEMBERS, raw, 'members', { context: where });
  // Coercion has refused anything but an array; it drops elements left empty, so `value` is
  // checked here on the elements as sent, as parseResource does for POST.
  return (raw as readonly unknown[]).map((item, i) => {
    const value = isScimObject(item) ? pick(item, 'value') : undefined;
    if (!isScimObject(item) || typeof value !== 'string' || value === '') {
      throw invalidValue(
        `${where}: members[${i}] must be an object whose "value" is the member's id, as in {"value": "2819c223-7f76-453a-919d-413861904646"}, got ${describeValue(item)}`,
        'patch.memberValue',
      );
    }
    const display = pick(item, 'display');
    const type = pick(item, 'type');
    return {
      value,
      ...(typeof display === 'string' ? { display } : {}),
      ...(typeof type === 'string' ? { type } : {}),
    };
  });
}

function pick(object: Readonly<Record<string, unknown>>, name: string): unknown {
  const key = Object.keys(object).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : object[key];
}

/**
 * The member ids a `members[...]` filter selects. Only `value eq "<id>"`, possibly joined with
 * `or`, is accepted: it is what Entra (`members[value eq "..."]`) and Okta send, and it names the
 * members without reading the other 99,999 rows of a large team.
 *
 * @throws ScimError 400 `invalidFilter` for any other form.
 */
export function memberIdsOf(filter: Filter, where: string): string[] {
  switch (filter.kind) {
    case 'or':
      return [...memberIdsOf(filter.left, where), ...memberIdsOf(filter.right, where)];
    case 'compare':
      if (
        filter.op === 'eq' &&
        filter.path.uri === undefined &&
        filter.path.sub === undefined &&
        filter.path.attr.toLowerCase() === 'value' &&
        typeof filter.value === 'string'
      ) {
        return [filter.value];
      }
      break;
    default:
      break;
  }
  throw invalidFilter(
    `${where}: members can be selected only by id, as in members[value eq "2819c223-7f76-453a-919d-413861904646"] (several joined with "or"); "${printFilter(filter)}" is not supported`,
    'patch.memberFilter',
  );
}
