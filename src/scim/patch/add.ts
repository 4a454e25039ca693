import type { ResourceDoc } from '../resource-doc.js';
import { invalidPath, type ScimError } from '../scim-error.js';
import type { PatchOperation } from './normalize-ops.js';
import { type PatchContext, resolveTarget } from './target.js';
import { writePathless, writeTarget } from './write.js';

/**
 * RFC 7644 §3.5.2.1 `add`. Without a path, `value` is an object of attributes. With one: a
 * single-valued attribute is set, a complex one gets the given sub-attributes merged in, a
 * multi-valued one gets the given elements appended (skipping any equal to an element already
 * there), and a value path updates the selected elements (creating one when Entra's
 * `emails[type eq "work"].value` form selects none, see write.ts). Returns a new document.
 *
 * @throws ScimError 400 `invalidPath` for an attribute the resource type does not have,
 * `mutability` for a readOnly or immutable target, `invalidValue` for a value of the wrong type.
 */
export function applyAdd(ctx: PatchContext, doc: ResourceDoc, op: PatchOperation): ResourceDoc {
  if (op.path === undefined) return writePathless(ctx, doc, op.value, 'add');
  const text = op.pathText ?? '';
  const target = resolveTarget(ctx.type, op.path, text);
  if (target === undefined) throw unknownPath(ctx, text);
  return writeTarget(ctx, doc, target, op.value, 'add', false);
}

/** 400 `invalidPath` for a path naming no attribute of the resource type. */
export function unknownPath(ctx: PatchContext, text: string): ScimError {
  return invalidPath(
    `"${text}" does not name an attribute of a ${ctx.type.name} (see /Schemas for the attributes and their spelling)`,
    'patch.unknownAttribute',
  );
}
