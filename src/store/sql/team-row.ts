import { foldCase } from '../../scim/fold-case.js';
import type { ResourceDoc } from '../../scim/resources/resource-doc.js';
import type { TeamRecord } from '../store.js';
import type { TeamsTable } from './db-schema.js';

/** SCIM Group ⇄ `teams` row. */
export function teamToRow(team: TeamRecord): TeamsTable {
  return {
    org_id: team.orgId,
    id: team.id,
    display_name: team.displayName,
    display_name_ci: foldCase(team.displayName),
    external_id: team.externalId,
    doc: JSON.stringify(team.doc),
    version: team.version,
    created_at: team.createdAt,
    updated_at: team.updatedAt,
  };
}

export interface TeamRowRead {
  org_id: string;
  id: string;
  display_name: string;
  external_id: string | null;
  doc: string;
  version: number;
  created_at: number;
  updated_at: number;
}

export function rowToTeam(row: TeamRowRead): TeamRecord {
  return {
    orgId: row.org_id,
    id: row.id,
    displayName: row.display_name,
    externalId: row.external_id,
    doc: JSON.parse(row.doc) as ResourceDoc,
    version: Number(row.version),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export const teamReadColumns = [
  'r.org_id',
  'r.id',
  'r.display_name',
  'r.external_id',
  'r.doc',
  'r.version',
  'r.created_at',
  'r.updated_at',
] as const;
