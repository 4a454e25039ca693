import type { Kysely } from 'kysely';
import { foldCase } from '../../scim/fold-case.js';
import { deleteModeOf, type OrgRecord } from '../store.js';
import type { Database, OrgsTable } from './db-schema.js';
import { rowLimit } from './row-limit.js';
import type { SqlDialectHooks } from './sql-dialect.js';
import { uniqueWrite } from './unique-write.js';

/* Organizations (`orgs`): the tenants whose id leads every key of the other tables. */

type Db = Kysely<Database>;

export async function insertOrg(db: Db, hooks: SqlDialectHooks, org: OrgRecord): Promise<void> {
  await uniqueWrite(hooks, () => db.insertInto('orgs').values(orgToRow(org)).execute());
}

export async function getOrg(db: Db, orgId: string): Promise<OrgRecord | undefined> {
  const row = await db.selectFrom('orgs').selectAll().where('id', '=', orgId).executeTakeFirst();
  return row && rowToOrg(row);
}

export async function listOrgs(db: Db, page: { afterId?: string; limit: number }): Promise<OrgRecord[]> {
  let q = db.selectFrom('orgs').selectAll();
  if (page.afterId !== undefined) q = q.where('id', '>', page.afterId);
  const rows = await q.orderBy('id').limit(rowLimit(page.limit)).execute();
  return rows.map(rowToOrg);
}

/** By id, external ref or name ignoring case: three index lookups (primary key, orgs_external_ref_uq, orgs_name_ix). */
export async function findOrgs(db: Db, value: string, limit: number): Promise<OrgRecord[]> {
  const byId = db.selectFrom('orgs').selectAll().where('id', '=', value);
  const byRef = db.selectFrom('orgs').selectAll().where('external_ref', '=', value);
  const byName = db.selectFrom('orgs').selectAll().where('name_ci', '=', foldCase(value)).limit(rowLimit(limit));
  const rows = [...(await byId.execute()), ...(await byRef.execute()), ...(await byName.execute())];
  const found = new Map(rows.map((row) => [row.id, rowToOrg(row)]));
  return [...found.values()].slice(0, limit);
}

export async function updateOrg(db: Db, hooks: SqlDialectHooks, org: OrgRecord): Promise<void> {
  const { id, ...rest } = orgToRow(org);
  await uniqueWrite(hooks, () => db.updateTable('orgs').set(rest).where('id', '=', id).execute());
}

function orgToRow(org: OrgRecord): OrgsTable {
  return {
    id: org.id,
    name: org.name,
    name_ci: foldCase(org.name),
    scim_enabled: org.scimEnabled ? 1 : 0,
    delete_mode: org.deleteMode,
    created_at: org.createdAt,
    updated_at: org.updatedAt,
    external_ref: org.externalRef ?? null,
  };
}

export function rowToOrg(row: Omit<OrgsTable, 'name_ci'>): OrgRecord {
  return {
    id: row.id,
    name: row.name,
    scimEnabled: row.scim_enabled === 1,
    deleteMode: deleteModeOf(row.delete_mode) ?? 'retain',
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    externalRef: row.external_ref ?? null,
  };
}
