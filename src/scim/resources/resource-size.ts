import { MAX_RESOURCE_CHARS } from '../limits.js';
import type { ResourceDoc } from '../resource-doc.js';
import { invalidValue } from '../scim-error.js';

/**
 * Refuses a document about to be stored (after a create, a replace or a PATCH) whose JSON is longer
 * than MAX_RESOURCE_CHARS. The per-attribute caps bound each part; this bounds the sum, which every
 * later read, PATCH and change diff of the resource pays for. `typeName` is `User` or `Group`.
 * Documents are canonical (a few levels deep), so JSON.stringify cannot recurse far.
 *
 * `previous` is the stored document an update replaces. One stored before this limit existed may
 * be over it; such a resource may still change as long as it does not grow by more than
 * {@link LEGACY_GROWTH_CHARS}, so that an IdP can always deactivate it (`"active": false` is one
 * character longer than `true`) or shrink it, but never grow it further.
 *
 * @throws ScimError 400 `invalidValue`, code `resource.tooLarge`.
 */
export function checkResourceSize(typeName: string, doc: ResourceDoc, previous?: ResourceDoc): void {
  const size = JSON.stringify(doc).length;
  if (size <= MAX_RESOURCE_CHARS) return;
  if (previous !== undefined && size <= JSON.stringify(previous).length + LEGACY_GROWTH_CHARS) return;
  throw invalidValue(
    `The ${typeName} would take ${size} characters of JSON; a resource may take at most ${MAX_RESOURCE_CHARS}; send fewer or shorter values`,
    'resource.tooLarge',
  );
}

/** Growth allowed to a stored document that is already over the limit: flags, not values. */
const LEGACY_GROWTH_CHARS = 16;
