import { invalidValue } from '../scim/scim-error.js';
import { type DeleteMode, deleteModeOf, type OrgRecord, type Store } from '../store/store.js';
import { uuidv7 } from './ids.js';
import { orgNotFound } from './org-not-found.js';

export interface OrgSettings {
  readonly name?: string;
  readonly scimEnabled?: boolean;
  readonly deleteMode?: DeleteMode;
}

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

/** Organizations: the tenants. SCIM is an enterprise-plan switch, on by default for new ones. */
export class Organizations {
  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
  ) {}

  async create(name: string, options: { scimEnabled?: boolean } = {}): Promise<OrgRecord> {
    const trimmed = name.trim();
    if (trimmed === '') throw invalidValue('An organization needs a name', 'org.name');
    const now = this.clock();
    const org: OrgRecord = {
      id: uuidv7(now),
      name: trimmed,
      scimEnabled: options.scimEnabled ?? true,
      deleteMode: 'retain',
      createdAt: now,
      updatedAt: now,
    };
    await this.store.insertOrg(org);
    return org;
  }

  list(): Promise<OrgRecord[]> {
    return this.store.listOrgs();
  }

  async get(orgId: string): Promise<OrgRecord> {
    const org = await this.store.getOrg(orgId);
    if (!org) throw orgNotFound(orgId);
    return org;
  }

  async update(orgId: string, settings: OrgSettings): Promise<OrgRecord> {
    return this.store.transaction(async (tx) => {
      const org = await tx.getOrg(orgId);
      if (!org) throw orgNotFound(orgId);
      if (settings.name !== undefined && settings.name.trim() === '') {
        throw invalidValue('An organization needs a name', 'org.name');
      }
      const next: OrgRecord = {
        ...org,
        ...(settings.name !== undefined ? { name: settings.name.trim() } : {}),
        ...(settings.scimEnabled !== undefined ? { scimEnabled: settings.scimEnabled } : {}),
        ...(settings.deleteMode !== undefined ? { deleteMode: settings.deleteMode } : {}),
        updatedAt: this.clock(),
      };
      await tx.updateOrg(next);
      return next;
    });
  }
}
