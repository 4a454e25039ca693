import type { ResourceDoc } from '../../scim/resource-doc.js';
import type { TeamRecord } from '../store.js';
import { writeColumns } from './column-descriptor.js';
import type { TeamsTable } from './db-schema.js';
import { teamColumns } from './team-columns.js';

/** SCIM Group ⇄ `teams` row; the filterable columns are team-columns.ts. */
export function teamToRow(team: TeamRecord): TeamsTable {
  // The type checker sees the described columns only as strings, hence the cast:
  // column-descriptor.test.ts checks them against the migrated table instead.
  return writeColumns(teamColumns, team, {
    org_id: team.orgId,
    doc: JSON.stringify(team.doc),
    version: team.version,
  }) as unknown as TeamsTable;
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
