import { ScimError } from '../scim-error.js';
import { etag, versionOfEtag } from './to-scim.js';

/** One entity-tag of an If-Match / If-None-Match list (RFC 7232 §2.3). */
interface EntityTag {
  readonly weak: boolean;
  /** The quoted part, quotes included: what weak and strong comparison compare. */
  readonly opaque: string;
}

/**
 * An If-Match or If-None-Match value (RFC 7232 §3.1-3.2): `*`, or a comma-separated list of
 * entity-tags. A tag's opaque part may itself hold a comma, so the list is read tag by tag rather
 * than split. Undefined when the value is malformed: the precondition then cannot hold.
 */
export function parseEntityTags(header: string): '*' | EntityTag[] | undefined {
  const value = header.trim();
  if (value === '*') return '*';
  const tags: EntityTag[] = [];
  // etagc is %x21 / %x23-7E / obs-text: anything visible but a double quote.
  // Empty list elements (", ,") are allowed by RFC 7230 §7 and skipped.
  const tag = /\s*(?:,\s*)*(W\/)?("[!#-~\u0080-\uffff]*")\s*(,|$)/y;
  let at = 0;
  while (at < value.length) {
    tag.lastIndex = at;
    const match = tag.exec(value);
    if (!match) return undefined;
    tags.push({ weak: match[1] !== undefined, opaque: match[2] as string });
    at = tag.lastIndex;
    if (match[3] === '') break;
  }
  return tags.length > 0 ? tags : undefined;
}

/**
 * RFC 7644 §3.14 / RFC 7232 §3.1: a write with `If-Match` applies only while the resource still
 * has one of the listed versions (or any, with `*`); otherwise 412 and nothing changes.
 *
 * The version counter alone decides, not the digest a User's ETag also carries (to-scim.ts
 * `etag`): the digest covers `groups`, which is readOnly on a User, so a write cannot lose an
 * update to it. Our ETags are weak and the comparison is the weak one: RFC 7232's strong
 * comparison would refuse every weak tag, and SCIM clients send back the ETag they were given.
 */
export function checkIfMatch(resourceType: 'User' | 'Group', version: number, ifMatch: string | undefined): void {
  if (ifMatch === undefined) return;
  const wanted = parseEntityTags(ifMatch);
  if (wanted === '*') return;
  if (wanted?.some((t) => t.weak && versionOfEtag(`W/${t.opaque}`) === version)) return;
  throw new ScimError(
    412,
    `The ${resourceType === 'User' ? 'user' : 'group'} changed since it was read: its version is ${etag(version)}, If-Match asked for ${ifMatch}`,
    undefined,
    `${resourceType.toLowerCase()}.preconditionFailed`,
  );
}

/**
 * RFC 7232 §3.2 for a GET: whether `If-None-Match` names the representation the client would get
 * (then 304 Not Modified). Weak comparison, as the RFC prescribes for it: the opaque parts are
 * equal, whether either tag is weak. `*` matches any current representation; a malformed value
 * matches nothing, so the client simply gets the resource.
 */
export function ifNoneMatchHits(ifNoneMatch: string | undefined, current: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const listed = parseEntityTags(ifNoneMatch);
  if (listed === '*') return true;
  const opaque = current.replace(/^W\//, '');
  return listed?.some((t) => t.opaque === opaque) ?? false;
}
