import { ScimError } from '../scim-error.js';
import { etag } from './to-scim.js';

/**
 * RFC 7644 §3.14 / RFC 7232 §3.1: a write with `If-Match` applies only while the resource still
 * has one of the listed versions (or any, with `*`); otherwise 412 and nothing changes.
 */
export function checkIfMatch(resourceType: 'User' | 'Group', version: number, ifMatch: string | undefined): void {
  if (ifMatch === undefined) return;
  const wanted = ifMatch.split(',').map((t) => t.trim());
  if (wanted.includes('*') || wanted.includes(etag(version))) return;
  throw new ScimError(
    412,
    `The ${resourceType === 'User' ? 'user' : 'group'} changed since it was read: its version is ${etag(version)}, If-Match asked for ${ifMatch}`,
    undefined,
    `${resourceType.toLowerCase()}.preconditionFailed`,
  );
}
