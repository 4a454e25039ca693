import { MAX_PATCH_OPERATIONS } from '../limits.js';
import { isScimObject, type ScimObject } from '../resource-doc.js';
import { GROUP_SCHEMA_ID } from '../schema/group-schema.js';
import { USER_SCHEMA_ID } from '../schema/user-schema.js';

/** The values a person searching the provisioning log knows a resource by. */
export interface IdentifyingValues {
  /** userName of a User, displayName of a Group, as sent. */
  readonly name?: string;
  readonly externalId?: string;
}

const NAME_ATTRIBUTE = { User: 'username', Group: 'displayname' } as const;
const CORE_SCHEMA = { User: USER_SCHEMA_ID.toLowerCase(), Group: GROUP_SCHEMA_ID.toLowerCase() } as const;

/**
 * What a POST, PUT or PATCH body says the resource is called, for the log entry of a request that
 * failed before any record existed (a refused create names nothing else). Read leniently, since the
 * body may be the very reason for the failure: attribute names ignore case (RFC 7643 §2.1) and may
 * carry the core schema URN, a PATCH contributes operations whose path is exactly the attribute or
 * path-less ones whose value object holds it (the last one wins, as applying them would), and a
 * value that is not a string is ignored. Never throws; looks at most at MAX_PATCH_OPERATIONS
 * operations.
 */
export function identifyingValues(resourceType: 'User' | 'Group', body: unknown): IdentifyingValues {
  if (!isScimObject(body)) return {};
  const operations = keyValue(body, (key) => key.toLowerCase() === 'operations');
  if (!Array.isArray(operations)) return fromObject(resourceType, body);
  let found: IdentifyingValues = {};
  const count = Math.min(operations.length, MAX_PATCH_OPERATIONS);
  for (let i = 0; i < count; i++) {
    found = { ...found, ...fromOperation(resourceType, operations[i]) };
  }
  return found;
}

function fromOperation(resourceType: 'User' | 'Group', operation: unknown): IdentifyingValues {
  if (!isScimObject(operation)) return {};
  const op = keyValue(operation, (key) => key.toLowerCase() === 'op');
  // A remove names what goes, not what the resource is called.
  if (typeof op !== 'string' || op.toLowerCase() === 'remove') return {};
  const path = keyValue(operation, (key) => key.toLowerCase() === 'path');
  const value = keyValue(operation, (key) => key.toLowerCase() === 'value');
  if (path === undefined || path === null || path === '') {
    return isScimObject(value) ? fromObject(resourceType, value) : {};
  }
  if (typeof path !== 'string' || typeof value !== 'string') return {};
  const attribute = attributeOf(resourceType, path.trim());
  if (attribute === NAME_ATTRIBUTE[resourceType]) return { name: value };
  if (attribute === 'externalid') return { externalId: value };
  return {};
}

function fromObject(resourceType: 'User' | 'Group', object: ScimObject): IdentifyingValues {
  const name = keyValue(object, (key) => attributeOf(resourceType, key) === NAME_ATTRIBUTE[resourceType]);
  const externalId = keyValue(object, (key) => attributeOf(resourceType, key) === 'externalid');
  return {
    ...(typeof name === 'string' ? { name } : {}),
    ...(typeof externalId === 'string' ? { externalId } : {}),
  };
}

/** A key or path as a lower-case core attribute name, with the core schema URN prefix dropped. */
function attributeOf(resourceType: 'User' | 'Group', key: string): string {
  const lower = key.toLowerCase();
  const prefix = `${CORE_SCHEMA[resourceType]}:`;
  return lower.startsWith(prefix) ? lower.slice(prefix.length) : lower;
}

/** The value of the first key that matches: JSON allows both "userName" and "username" in one object. */
function keyValue(object: ScimObject, matches: (key: string) => boolean): unknown {
  for (const key of Object.keys(object)) if (matches(key)) return object[key];
  return undefined;
}
