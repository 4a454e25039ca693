import type { Filter } from '../filter/ast.js';
import { printFilter } from '../filter/print-filter.js';
import { isScimObject } from '../resources/resource-doc.js';
import { describeValue } from '../schema/coerce.js';
import { invalidFilter, invalidValue } from '../scim-error.js';

/**
 * A member named in a request (RFC 7643 §4.2 `members`): `value` is the member user's id.
 * `display` and `type` are passed along as sent, for logs; `$ref` is ignored (Entra sends null).
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
  if (plan.replaceAll !== undefined) return { add: [], remove: [], replaceAll: merge(plan.replaceAll, refs) };
  if (plan.removeAll === true) return { add: [], remove: [], replaceAll: merge([], refs) };
  const added = new Set(refs.map((r) => r.value));
  return { add: merge(plan.add, refs), remove: plan.remove.filter((id) => !added.has(id)) };
}

/** Removes members by id; removing someone who is not a member is not an error. */
export function planRemove(plan: MemberPlan, ids: readonly string[]): MemberPlan {
  if (ids.length === 0) return plan;
  const gone = new Set(ids);
  if (plan.replaceAll !== undefined) {
    const rest = plan.replaceAll.filter((r) => !gone.has(r.value));
    return rest.length > 0 ? { add: [], remove: [], replaceAll: rest } : { add: [], remove: [], removeAll: true };
  }
  if (plan.removeAll === true) return plan;
  return {
    add: plan.add.filter((r) => !gone.has(r.value)),
    remove: [...new Set([...plan.remove, ...ids])],
  };
}

/** Replaces the whole member list; an empty list removes every member. */
export function planReplaceAll(_plan: MemberPlan, refs: readonly MemberRef[]): MemberPlan {
  return refs.length > 0
    ? { add: [], remove: [], replaceAll: merge([], refs) }
    : { add: [], remove: [], removeAll: true };
}

function merge(existing: readonly MemberRef[], refs: readonly MemberRef[]): MemberRef[] {
  const byId = new Map<string, MemberRef>();
  for (const ref of existing) byId.set(ref.value, ref);
  for (const ref of refs) byId.set(ref.value, ref);
  return [...byId.values()];
}

/**
 * Reads the `value` of an operation on `members`: an array of `{ value, display?, type?, $ref? }`
 * (a single object is accepted as a one-element array, and a bare id string as `{ value }`, as
 * schema/coerce.ts reads POST bodies). `null` reads as no members.
 *
 * @throws ScimError 400 `invalidValue` when an element has no string `value`.
 */
export function parseMemberRefs(raw: unknown, where: string): MemberRef[] {
  if (raw === null || raw === undefined) return [];
  const items: readonly unknown[] = Array.isArray(raw) ? raw : [raw];
  return items.map((item, i) => {
    if (typeof item === 'string' && item !== '') return { value: item };
    const value = isScimObject(item) ? pick(item, 'value') : undefined;
    if (!isScimObject(item) || typeof value !== 'string' || value === '') {
      throw invalidValue(
        `${where}: members[${i}] must be an object whose "value" is the member user's id, as in {"value": "2819c223-7f76-453a-919d-413861904646"}, got ${describeValue(item)}`,
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
