import { foldCase } from '../scim/fold-case.js';
import { isScimObject, type ResourceDoc, sameValue } from '../scim/resource-doc.js';
import { invalidValue, notFound, type ScimError, uniqueness } from '../scim/scim-error.js';
import type { UserRecord } from '../store/store.js';
import { UniqueViolation } from '../store/store-errors.js';

/*
 * The rules of the Users use cases that need no database: which document fields mirror the
 * record, who a create may link, and how a change reads in the provisioning log.
 */

export function userNotFound(id: string): ScimError {
  return notFound(`No user with id "${id}" in this organization`, 'user.notFound');
}

export function mapUnique(error: unknown, user: UserRecord): unknown {
  if (!(error instanceof UniqueViolation)) return error;
  if (error.key === 'externalId') {
    return uniqueness(
      `externalId "${user.externalId}" is already used by another user of this organization`,
      'user.externalIdTaken',
    );
  }
  return uniqueness(
    `userName "${user.userName}" is already used by another user of this organization (userName is unique ignoring case)`,
    'user.userNameTaken',
  );
}

/** The record fields that mirror the document. */
export function identity(doc: ResourceDoc): { userName: string; externalId: string | null; active: boolean } {
  return {
    userName: doc.userName as string,
    externalId: typeof doc.externalId === 'string' ? doc.externalId : null,
    active: doc.active !== false,
  };
}

/**
 * `active` is always stored explicitly: a user created without it is active. Runs on every
 * document about to be stored (create, replace, patch), so a document without userName never is.
 */
export function withDefaults(doc: ResourceDoc): ResourceDoc {
  if (typeof doc.userName !== 'string') throw invalidValue('Attribute "userName" is required', 'user.userNameRequired');
  return doc.active === undefined ? { ...doc, active: true } : doc;
}

export function workEmails(doc: ResourceDoc): string[] {
  const emails = Array.isArray(doc.emails) ? doc.emails.filter(isScimObject) : [];
  const typed = emails.filter((e) => typeof e.type === 'string' && foldCase(e.type) === 'work');
  const chosen = typed.length > 0 ? typed : emails.filter((e) => e.primary === true);
  return chosen.map((e) => e.value).filter((v): v is string => typeof v === 'string');
}

/**
 * SPEC "Existing accounts": a user invited outside SCIM and not linked yet is taken over; one
 * already linked to another externalId, or a SCIM user with the same userName, is a clash (the
 * insert reports it as 409).
 */
export function pickLinkable(
  candidates: readonly UserRecord[],
  incoming: { userName: string; externalId: string | null },
): UserRecord | undefined {
  const userNameCi = foldCase(incoming.userName);
  const sameName = candidates.find((c) => foldCase(c.userName) === userNameCi);
  if (sameName) {
    if (!sameName.scimManaged && sameName.externalId === null) return sameName;
    return undefined;
  }
  const linked = candidates.find((c) => c.externalId !== null && c.externalId !== incoming.externalId);
  if (linked) {
    throw uniqueness(
      `A user of this organization with the same work e-mail is already linked to externalId "${linked.externalId}"`,
      'user.emailLinked',
    );
  }
  return candidates.find((c) => !c.scimManaged && c.externalId === null);
}

export function changedKeys(before: ResourceDoc | undefined, after: ResourceDoc): string[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  return [...keys].filter((k) => !sameValue(before?.[k], after[k])).sort();
}

export function describeUser(user: UserRecord): string {
  return `userName=${JSON.stringify(user.userName)}${user.externalId !== null ? ` externalId=${JSON.stringify(user.externalId)}` : ''} active=${user.active}`;
}

export function describeChange(before: UserRecord, after: UserRecord, changed: readonly string[]): string {
  const parts = changed.map((key) => {
    if (key === 'active') return `active ${before.active}→${after.active}`;
    if (key === 'userName') return `userName ${JSON.stringify(before.userName)}→${JSON.stringify(after.userName)}`;
    if (key === 'externalId')
      return `externalId ${JSON.stringify(before.externalId)}→${JSON.stringify(after.externalId)}`;
    return key;
  });
  return `changed ${parts.join(', ')}`;
}
