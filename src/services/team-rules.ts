import type { MemberRef } from '../scim/patch/member-plan.js';
import { isScimObject, type ResourceDoc } from '../scim/resource-doc.js';
import { invalidValue, notFound, type ScimError, uniqueness } from '../scim/scim-error.js';
import type { TeamRecord } from '../store/store.js';
import { UniqueViolation } from '../store/store-errors.js';

/* The rules of the Teams use cases that need no database: the document a request gives, its members, and its clashes. */

export function splitMembers(parsed: ResourceDoc): { doc: ResourceDoc; members: MemberRef[] } {
  const { members, ...doc } = parsed;
  const list = Array.isArray(members) ? members.filter(isScimObject) : [];
  const refs = new Map<string, MemberRef>();
  for (const m of list) {
    if (typeof m.value !== 'string') continue;
    refs.set(m.value, { value: m.value, ...(typeof m.type === 'string' ? { type: m.type } : {}) });
  }
  return { doc, members: [...refs.values()] };
}

export function hasMembersKey(body: unknown): boolean {
  return isScimObject(body) && Object.keys(body).some((k) => k.toLowerCase() === 'members');
}

/** The record fields that mirror the document; every stored Group has a displayName (RFC 7643 §4.2). */
export function identity(doc: ResourceDoc): { displayName: string; externalId: string | null } {
  if (typeof doc.displayName !== 'string')
    throw invalidValue('Attribute "displayName" is required', 'group.displayNameRequired');
  return { displayName: doc.displayName, externalId: typeof doc.externalId === 'string' ? doc.externalId : null };
}

export function teamNotFound(id: string): ScimError {
  return notFound(`No group with id "${id}" in this organization`, 'group.notFound');
}

export function mapUnique(error: unknown, team: TeamRecord): unknown {
  if (!(error instanceof UniqueViolation)) return error;
  return uniqueness(
    `externalId "${team.externalId}" is already used by another group of this organization`,
    'group.externalIdTaken',
  );
}
