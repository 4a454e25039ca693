import type { AttrPath } from '../attr-path.js';
import type { Filter } from '../filter/ast.js';

/**
 * A PATCH `path` (RFC 7644 §3.5.2): `attrPath` or `valuePath [ "." subAttr ]`.
 * - `name.givenName` gives `{ attr: { attr: 'name', sub: 'givenName' } }`
 * - `emails[type eq "work"].value` gives `{ attr: { attr: 'emails' }, filter, subAttr: 'value' }`
 * - `members[value eq "2819c223"]` gives `{ attr: { attr: 'members' }, filter }`
 */
export interface PatchPath {
  readonly attr: AttrPath;
  readonly filter?: Filter;
  /** Sub-attribute after a value filter (`emails[...].value`). */
  readonly subAttr?: string;
}
