import type { AttrPath } from '../attr-path.js';
import { type AttributeDef, findAttribute, type ResourceTypeDef, type SchemaDef } from './attribute.js';
import { commonAttributes } from './common-attributes.js';

/**
 * Where an attribute lives: `schema` is undefined for the common attributes (id, externalId,
 * meta), the extension schema for extension attributes (stored under the URN key), otherwise the
 * core schema. `attribute` and `sub` carry the canonical names.
 */
export interface ResolvedPath {
  readonly schema: SchemaDef | undefined;
  readonly isExtension: boolean;
  readonly attribute: AttributeDef;
  readonly sub?: AttributeDef;
}

/** Finds the schema a URN names among the resource type's core and extension schemas. */
export function findSchema(
  type: ResourceTypeDef,
  uri: string,
): { schema: SchemaDef; isExtension: boolean } | undefined {
  const lower = uri.toLowerCase();
  if (type.schema.id.toLowerCase() === lower) return { schema: type.schema, isExtension: false };
  const ext = type.extensions.find((e) => e.schema.id.toLowerCase() === lower);
  return ext ? { schema: ext.schema, isExtension: true } : undefined;
}

/**
 * Resolves a client-written attribute path, ignoring case (RFC 7643 §2.1). Returns undefined when
 * the path names nothing this resource type has; callers turn that into the error their context
 * calls for (invalidFilter, invalidPath, ...).
 */
export function resolvePath(type: ResourceTypeDef, path: AttrPath): ResolvedPath | undefined {
  let schema: SchemaDef | undefined;
  let isExtension = false;
  let attribute: AttributeDef | undefined;
  if (path.uri !== undefined) {
    const found = findSchema(type, path.uri);
    if (!found) return undefined;
    schema = found.schema;
    isExtension = found.isExtension;
    attribute = findAttribute(schema.attributes, path.attr);
    // `urn:...:core:2.0:User:externalId`: the common attributes (RFC 7643 §3.1) may be
    // qualified with the core schema URN like any core attribute.
    if (!attribute && !isExtension) {
      attribute = findAttribute(commonAttributes, path.attr);
      if (attribute) schema = undefined;
    }
  } else {
    attribute = findAttribute(commonAttributes, path.attr);
    if (!attribute) {
      schema = type.schema;
      attribute = findAttribute(schema.attributes, path.attr);
    }
  }
  if (!attribute) return undefined;
  if (path.sub === undefined) return { schema, isExtension, attribute };
  const sub = findAttribute(attribute.subAttributes, path.sub);
  if (!sub) return undefined;
  return { schema, isExtension, attribute, sub };
}
