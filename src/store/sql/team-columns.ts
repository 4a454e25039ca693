import type { TeamRecord } from '../store.js';
import { columnsOf } from './column-descriptor.js';
import type { TeamsTable } from './db-schema.js';

/*
 * The Group attributes the store can filter and sort on, as user-columns.ts has them for users:
 * teamToRow (team-row.ts) and attribute-map.ts both read this list.
 */

const team = columnsOf<TeamRecord, TeamsTable>((record) => record.doc);

export const teamColumns = [
  // teams_pk, teams_external_id_uq, teams_display_name_ix and teams_updated_ix, after org_id;
  // no index on created_at.
  team.text('id', 'id', { caseExact: true, index: { unique: true }, read: (r) => r.id }),
  team.text('externalId', 'external_id', { caseExact: true, index: { unique: true }, read: (r) => r.externalId }),
  team.text('displayName', 'display_name', { index: { unique: false }, read: (r) => r.displayName }),
  team.dateTime('meta.created', 'created_at', (r) => r.createdAt),
  team.dateTime('meta.lastModified', 'updated_at', (r) => r.updatedAt, { index: { unique: false } }),
];
