import { MAX_VALUES_PER_ATTRIBUTE } from '../limits.js';
import { isScimObject, type ResourceDoc, type ScimObject, type ScimValue, sameValue } from '../resource-doc.js';
import type { AttributeDef, ResourceTypeDef } from '../schema/attribute.js';
import { commonAttributes } from '../schema/common-attributes.js';
import { invalidValue, mutability } from '../scim-error.js';
import { applyAdd } from './add.js';
import { type MemberPlan, MemberPlanBuilder } from './member-plan.js';
import { normalizeOps, type PatchOperation } from './normalize-ops.js';
import { PatchWork } from './patch-work.js';
import { applyRemove } from './remove.js';
import { applyReplace } from './replace.js';
import { type PatchContext, withWhere } from './target.js';

export type { MemberPlan, MemberRef } from './member-plan.js';

/** What a PATCH does to one resource. */
export interface PatchResult {
  /** The resource after every operation, canonical (see ResourceDoc). */
  readonly doc: ResourceDoc;
  /**
   * Attributes whose value really changed, in schema order (common, core, extensions): canonical names for core attributes
   * (`active`, `name`), URN-qualified names for extension attributes
   * (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`). Empty when the
   * PATCH set what was already there. Member changes are in `members`, not here: whether they
   * change anything only the store knows.
   */
  readonly changed: readonly string[];
  /** For a Group, what to do to its member rows; an empty plan (`{ add: [], remove: [] }`) otherwise. */
  readonly members: MemberPlan;
}

/**
 * Applies a PATCH body (RFC 7644 §3.5.2) to `current`, all or nothing: operations apply in order,
 * each to the result of the previous one, and the first failure throws (nothing is returned, and
 * `current` is never modified). Both Entra dialects and Okta's forms are accepted (see
 * normalize-ops.ts, add.ts, replace.ts, remove.ts). For a Group, `current` holds no `members`
 * (they are rows, possibly 100,000 of them): every operation on `members` becomes part of the
 * returned {@link MemberPlan} instead.
 *
 * The work is bounded: every value-filter test and element comparison of the whole PATCH is
 * charged to one {@link PatchWork}, and no operation may leave a multi-valued attribute with more
 * than MAX_VALUES_PER_ATTRIBUTE elements (limits.ts).
 *
 * @throws ScimError 400 with `invalidSyntax`, `invalidPath`, `invalidFilter`, `invalidValue`,
 * `noTarget`, `mutability` or `tooMany` (over the work budget); the detail names the failing
 * operation (`Operations[1]: ...`).
 */
export function applyPatch(type: ResourceTypeDef, current: ResourceDoc, body: unknown): PatchResult {
  const operations = normalizeOps(body);
  const work = new PatchWork();
  const members = new MemberPlanBuilder();
  let doc = current;
  for (const op of operations) {
    const before = doc;
    const ctx: PatchContext = { type, where: op.where, members, work };
    doc = withWhere(op.where, () => {
      const after = applyOne(ctx, before, op);
      checkRequired(type, before, after);
      checkValueCounts(type, before, after);
      return after;
    });
  }
  return { doc, changed: changedAttributes(type, current, doc), members: members.build() };
}

function applyOne(ctx: PatchContext, doc: ResourceDoc, op: PatchOperation): ResourceDoc {
  switch (op.op) {
    case 'add':
      return applyAdd(ctx, doc, op);
    case 'replace':
      return applyReplace(ctx, doc, op);
    case 'remove':
      return applyRemove(ctx, doc, op);
  }
}

/**
 * RFC 7644 §3.5.2.2: a required attribute (`userName`, a Group's `displayName`) that an operation
 * leaves unassigned is a `mutability` error; one set to the empty string is refused as it would
 * be on create.
 */
function checkRequired(type: ResourceTypeDef, before: ResourceDoc, after: ResourceDoc): void {
  for (const attribute of type.schema.attributes) {
    if (!attribute.required || attribute.mutability === 'readOnly') continue;
    const was = before[attribute.name];
    const now = after[attribute.name];
    if (was === now) continue;
    if (now === undefined) {
      throw mutability(
        `"${attribute.name}" is required and cannot be removed (RFC 7644 §3.5.2.2)`,
        'patch.removeRequired',
      );
    }
    if (now === '') throw invalidValue(`attribute "${attribute.name}" must not be empty`, 'patch.emptyRequired');
  }
}

/**
 * MAX_VALUES_PER_ATTRIBUTE holds for PATCH results as for POST bodies. Only growth past it is
 * refused: a resource stored with more values before the cap existed can still be changed, and
 * shrunk, without first being fixed.
 */
function checkValueCounts(type: ResourceTypeDef, before: ResourceDoc, after: ResourceDoc): void {
  const check = (attribute: AttributeDef, was: ScimValue | undefined, now: ScimValue | undefined, name: string) => {
    if (!attribute.multiValued || attribute.storedAsRows === true || was === now || !Array.isArray(now)) return;
    const previous = Array.isArray(was) ? was.length : was === undefined ? 0 : 1;
    if (now.length > MAX_VALUES_PER_ATTRIBUTE && now.length > previous) {
      throw invalidValue(
        `attribute "${name}" would have ${now.length} values; at most ${MAX_VALUES_PER_ATTRIBUTE} are accepted per attribute`,
        'value.tooManyValues',
      );
    }
  };
  for (const attribute of type.schema.attributes) {
    check(attribute, before[attribute.name], after[attribute.name], attribute.name);
  }
  for (const { schema } of type.extensions) {
    const was = blockOf(before, schema.id);
    const now = blockOf(after, schema.id);
    for (const attribute of schema.attributes) {
      check(attribute, was[attribute.name], now[attribute.name], `${schema.id}:${attribute.name}`);
    }
  }
}

function changedAttributes(type: ResourceTypeDef, before: ResourceDoc, after: ResourceDoc): string[] {
  const changed: string[] = [];
  for (const attribute of [...commonAttributes, ...type.schema.attributes]) {
    if (!sameValue(before[attribute.name], after[attribute.name])) changed.push(attribute.name);
  }
  for (const { schema } of type.extensions) {
    const was = blockOf(before, schema.id);
    const now = blockOf(after, schema.id);
    for (const attribute of schema.attributes) {
      if (!sameValue(was[attribute.name], now[attribute.name])) changed.push(`${schema.id}:${attribute.name}`);
    }
  }
  return changed;
}

function blockOf(doc: ResourceDoc, schemaId: string): ScimObject {
  const block = doc[schemaId];
  return isScimObject(block) ? block : {};
}
