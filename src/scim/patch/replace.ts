import type { ResourceDoc } from '../resource-doc.js';
import { unknownPath } from './add.js';
import type { PatchOperation } from './normalize-ops.js';
import { type PatchContext, resolveTarget } from './target.js';
import { writePathless, writeTarget } from './write.js';

/**
 * RFC 7644 §3.5.2.3 `replace`. Without a path, each attribute of the `value` object is replaced
 * (Entra's RFC-compliant dialect and Okta deactivate with `{"op":"replace","value":{"active":false}}`).
 * With one: a single-valued attribute is set (an unassigned one is added), a complex one gets the
 * given sub-attributes replaced and keeps the others, a multi-valued one without a filter is
 * replaced whole, and a value path replaces the selected elements or their sub-attribute; a
 * value path matching nothing is 400 `noTarget` unless it is a conjunction of `eq` terms, in
 * which case the element is created (Entra, see write.ts). Returns a new document.
 *
 * @throws ScimError 400 `invalidPath`, `noTarget`, `mutability` or `invalidValue`.
 */
export function applyReplace(ctx: PatchContext, doc: ResourceDoc, op: PatchOperation): ResourceDoc {
  if (op.path === undefined) return writePathless(ctx, doc, op.value, 'replace');
  const text = op.pathText ?? '';
  const target = resolveTarget(ctx.type, op.path, text);
  if (target === undefined) throw unknownPath(ctx, text);
  return writeTarget(ctx, doc, target, op.value, 'replace', false);
}
