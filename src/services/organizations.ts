import { invalidValue, uniqueness } from '../scim/scim-error.js';
import { type DeleteMode, deleteModeOf, type OrgRecord, type Store, type StoreOps } from '../store/store.js';
import { UniqueViolation } from '../store/store-errors.js';
import type { Operator } from './audit.js';
import type { AuditTrail } from './audit-trail.js';
import { credentialChangeSettled } from './credential-cache.js';
import { uuidv7 } from './ids.js';
import { orgNotFound } from './org-not-found.js';
import { type OffboardResult, offboardOrg } from './org-offboarding.js';
import type { SupportOptions } from './tokens.js';

export interface OrgSettings {
  readonly name?: string;
  readonly scimEnabled?: boolean;
  readonly deleteMode?: DeleteMode;
  /** The main application's id for the organization; null clears it. */
  readonly externalRef?: string | null;
}

/** Most organizations one page of `list` holds. */
export const MAX_ORG_PAGE = 1000;
/** Most organizations one `find` returns: a name shared by more is a question for `org list`. */
export const MAX_ORG_FIND = 20;
/** An external ref is an id of the main application, not free text. */
const MAX_EXTERNAL_REF_LENGTH = 200;

/** The DELETE setting as support names it (the old names `deactivate` and `remove` included). */
export function parseDeleteMode(name: string): DeleteMode {
  const mode = deleteModeOf(name);
  if (!mode) {
    throw invalidValue(
      `The DELETE setting must be retain or erase (deactivate and remove are their old names); got "${name}"`,
      'org.deleteMode',
    );
  }
  return mode;
}

/**
 * Organizations: the tenants. SCIM is an enterprise-plan switch, on by default for new ones.
 * Every change is support's, so each commits together with its audit-trail entry.
 */
export class Organizations {
  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
    private readonly auditTrail: AuditTrail,
  ) {}

  async create(
    operator: Operator,
    name: string,
    options: SupportOptions & { scimEnabled?: boolean; externalRef?: string } = {},
  ): Promise<OrgRecord> {
    const trimmed = checkName(name);
    const externalRef = options.externalRef === undefined ? null : checkExternalRef(options.externalRef);
    const now = this.clock();
    const org: OrgRecord = {
      id: uuidv7(now),
      name: trimmed,
      scimEnabled: options.scimEnabled ?? true,
      deleteMode: 'retain',
      createdAt: now,
      updatedAt: now,
      externalRef,
    };
    return this.store.transaction(async (tx) => {
      await this.checkRefFree(tx, org);
      await mapRefClash(() => tx.insertOrg(org), externalRef);
      await this.auditTrail.record(tx, operator, {
        action: 'org.created',
        orgId: org.id,
        targetType: 'org',
        targetId: org.id,
        detail: { name: org.name, scimEnabled: org.scimEnabled, externalRef },
        requestId: options.requestId ?? uuidv7(now),
      });
      return org;
    });
  }

  /**
   * One page of organizations in id order (ids are UUIDv7: creation order), after `afterId`; at
   * most MAX_ORG_PAGE, so a deployment of any size lists in bounded steps.
   */
  list(page: { afterId?: string; limit?: number } = {}): Promise<OrgRecord[]> {
    const limit = Math.max(1, Math.min(MAX_ORG_PAGE, page.limit ?? MAX_ORG_PAGE));
    return this.store.listOrgs({ ...(page.afterId !== undefined ? { afterId: page.afterId } : {}), limit });
  }

  async get(orgId: string): Promise<OrgRecord> {
    const org = await this.store.getOrg(orgId);
    if (!org) throw orgNotFound(orgId);
    return org;
  }

  /** By id, external ref, or name ignoring case: index lookups, at most MAX_ORG_FIND. */
  find(value: string): Promise<OrgRecord[]> {
    const trimmed = value.trim();
    if (trimmed === '') throw invalidValue('Say what to find: an organization id, external ref or name', 'org.find');
    return this.store.findOrgs(trimmed, MAX_ORG_FIND);
  }

  async update(operator: Operator, orgId: string, settings: OrgSettings & SupportOptions): Promise<OrgRecord> {
    const name = settings.name === undefined ? undefined : checkName(settings.name);
    const externalRef =
      settings.externalRef === undefined || settings.externalRef === null
        ? settings.externalRef
        : checkExternalRef(settings.externalRef);
    const updated = await this.store.transaction(async (tx) => {
      const org = await tx.getOrg(orgId);
      if (!org) throw orgNotFound(orgId);
      const next: OrgRecord = {
        ...org,
        ...(name !== undefined ? { name } : {}),
        ...(settings.scimEnabled !== undefined ? { scimEnabled: settings.scimEnabled } : {}),
        ...(settings.deleteMode !== undefined ? { deleteMode: settings.deleteMode } : {}),
        ...(externalRef !== undefined ? { externalRef } : {}),
        updatedAt: this.clock(),
      };
      await this.checkRefFree(tx, next);
      await mapRefClash(() => tx.updateOrg(next), next.externalRef ?? null);
      const requestId = settings.requestId ?? uuidv7(next.updatedAt);
      for (const change of settingChanges(org, next)) {
        await this.auditTrail.record(tx, operator, {
          ...change,
          orgId,
          targetType: 'org',
          targetId: orgId,
          requestId,
        });
      }
      return next;
    });
    // SCIM switched off, or the DELETE setting changed, holds on every instance once this returns.
    await credentialChangeSettled(this.store);
    return updated;
  }

  /** Offboarding: SCIM stops at once, then every row of the organization goes (org-offboarding.ts). */
  delete(operator: Operator, orgId: string, options: SupportOptions & { confirm: string }): Promise<OffboardResult> {
    return offboardOrg(this.store, this.auditTrail, this.clock, operator, orgId, options);
  }

  /** The clear error first: which organization holds the ref (the unique index is the backstop). */
  private async checkRefFree(tx: StoreOps, org: OrgRecord): Promise<void> {
    if (!org.externalRef) return;
    const holder = (await tx.findOrgs(org.externalRef, MAX_ORG_FIND)).find(
      (o) => o.externalRef === org.externalRef && o.id !== org.id,
    );
    if (holder) throw refTaken(org.externalRef, holder);
  }
}

/** One trail entry per setting that changed, each saying from what to what. */
function settingChanges(before: OrgRecord, after: OrgRecord) {
  const changes: { action: string; detail: Record<string, unknown> }[] = [];
  if (before.name !== after.name)
    changes.push({ action: 'org.renamed', detail: { from: before.name, to: after.name } });
  if (before.scimEnabled !== after.scimEnabled) {
    changes.push({ action: after.scimEnabled ? 'org.scimEnabled' : 'org.scimDisabled', detail: { name: after.name } });
  }
  if (before.deleteMode !== after.deleteMode) {
    changes.push({ action: 'org.deleteModeChanged', detail: { from: before.deleteMode, to: after.deleteMode } });
  }
  if ((before.externalRef ?? null) !== (after.externalRef ?? null)) {
    changes.push({
      action: 'org.externalRefChanged',
      detail: { from: before.externalRef ?? null, to: after.externalRef ?? null },
    });
  }
  return changes;
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw invalidValue('An organization needs a name', 'org.name');
  return trimmed;
}

function checkExternalRef(ref: string): string {
  const trimmed = ref.trim();
  if (trimmed === '' || trimmed.length > MAX_EXTERNAL_REF_LENGTH || CONTROL.test(trimmed)) {
    throw invalidValue(
      `An external ref is the main application's organization id: 1 to ${MAX_EXTERNAL_REF_LENGTH} printable characters`,
      'org.externalRef',
    );
  }
  return trimmed;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

const refTaken = (ref: string, holder: Pick<OrgRecord, 'id' | 'name'>) =>
  uniqueness(
    `External ref "${ref}" already belongs to organization ${holder.id} (${holder.name})`,
    'org.externalRefTaken',
  );

/** Two writers racing for one ref: the index refuses the second, which gets the same error. */
async function mapRefClash(write: () => Promise<void>, ref: string | null): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (error instanceof UniqueViolation && error.key === 'externalRef' && ref !== null) {
      throw uniqueness(`External ref "${ref}" already belongs to another organization`, 'org.externalRefTaken');
    }
    throw error;
  }
}
