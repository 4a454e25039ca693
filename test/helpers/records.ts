import type { Operator } from '../../src/services/audit.js';
import type { OrgRecord, TeamRecord, UserRecord } from '../../src/store/store.js';

/** Records as the store tests build them: fixed times, overridable field by field. */

export const T0 = 1_700_000_000_000;

export function orgRecord(id: string, overrides: Partial<OrgRecord> = {}): OrgRecord {
  return {
    id,
    name: `Org ${id}`,
    scimEnabled: true,
    deleteMode: 'retain',
    createdAt: T0,
    updatedAt: T0,
    externalRef: null,
    ...overrides,
  };
}

export function userRecord(
  orgId: string,
  id: string,
  userName: string,
  overrides: Partial<UserRecord> = {},
): UserRecord {
  return {
    orgId,
    id,
    userName,
    externalId: null,
    active: true,
    scimManaged: true,
    doc: { userName, active: true },
    version: 1,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function teamRecord(
  orgId: string,
  id: string,
  displayName: string,
  overrides: Partial<TeamRecord> = {},
): TeamRecord {
  return {
    orgId,
    id,
    displayName,
    externalId: null,
    doc: { displayName },
    version: 1,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

/** Who the tests' support actions are by (the audit trail records it). */
export const TEST_OPERATOR: Operator = { kind: 'cli', operator: 'test' };
