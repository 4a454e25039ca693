import { isScimObject, type ResourceDoc } from '../resource-doc.js';
import type { ResourceTypeDef } from '../schema/attribute.js';

/** A SCIM resource as it leaves the service (RFC 7643 §3). */
export type ScimJson = Record<string, unknown>;

/** What the store keeps about a resource beyond its document. */
export interface StoredResource {
  readonly id: string;
  readonly doc: ResourceDoc;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly version: number;
}

/**
 * RFC 7644 §3.14: a weak ETag from the resource's version counter, and from `derived`, a digest
 * of what the representation shows that the counter does not count (a User's `groups`: a team's
 * membership or name changes without a new version of each member, which would be unbounded
 * work). A write's precondition compares the version alone (`versionOfEtag`).
 */
export function etag(version: number, derived?: string): string {
  return derived ? `W/"${version}-${derived}"` : `W/"${version}"`;
}

/**
 * The version counter of one of our ETags (`W/"7"` or `W/"7-digest"`); undefined for anything
 * else, a strong tag included, so a write precondition on it fails rather than guesses.
 */
export function versionOfEtag(tag: string): number | undefined {
  const match = /^W\/"(\d{1,15})(?:-[A-Za-z0-9_-]+)?"$/.exec(tag);
  return match ? Number(match[1]) : undefined;
}

/**
 * The SCIM JSON of a stored resource (RFC 7643 §3): `schemas` names the core schema and each
 * extension the document carries, then `id`, the document, `extra` (server-computed attributes
 * such as `groups` or `members`), and `meta`. `baseUrl` ends in `/scim/v2`. `derived`: see `etag`.
 */
export function toScimResource(
  type: ResourceTypeDef,
  resource: StoredResource,
  baseUrl: string,
  extra: Record<string, unknown> = {},
  derived?: string,
): ScimJson {
  const schemas = [type.schema.id];
  for (const ext of type.extensions) {
    if (isScimObject(resource.doc[ext.schema.id])) schemas.push(ext.schema.id);
  }
  const { externalId, ...rest } = resource.doc;
  return {
    schemas,
    id: resource.id,
    ...(externalId !== undefined ? { externalId } : {}),
    ...rest,
    ...extra,
    meta: {
      resourceType: type.name,
      created: new Date(resource.createdAt).toISOString(),
      lastModified: new Date(resource.updatedAt).toISOString(),
      location: `${baseUrl}${type.endpoint}/${resource.id}`,
      version: etag(resource.version, derived),
    },
  };
}
