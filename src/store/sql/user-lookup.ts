import type { Kysely } from 'kysely';
import { foldCase } from '../../scim/fold-case.js';
import type { UserRecord } from '../store.js';
import type { Database } from './db-schema.js';
import { rowLimit } from './row-limit.js';
import { rowToUser, userReadColumns } from './user-row.js';

/**
 * Support's lookup of a person by what a ticket quotes: their userName or an e-mail (ignoring
 * case, as uniqueness does) or their externalId (exactly). Each is one index lookup
 * (users_user_name_uq and users_retained_ix, user_values_value_ix, users_external_id_uq), each
 * capped at `limit`, so the work is bounded whatever the organization's size. Retained accounts
 * are included: they are what support is often asked about.
 */
export async function findUsers(
  db: Kysely<Database>,
  orgId: string,
  value: string,
  limit: number,
): Promise<UserRecord[]> {
  const folded = foldCase(value);
  const byName = (live: boolean) =>
    db
      .selectFrom('users as r')
      .select(userReadColumns)
      .where('r.org_id', '=', orgId)
      .where('r.user_name_ci', '=', folded)
      .where('r.deleted_at', live ? 'is' : 'is not', null)
      .limit(rowLimit(limit))
      .execute();
  const byExternalId = () =>
    db
      .selectFrom('users as r')
      .select(userReadColumns)
      .where('r.org_id', '=', orgId)
      .where('r.external_id', '=', value)
      .limit(rowLimit(limit))
      .execute();
  const byEmail = () =>
    db
      .selectFrom('user_values as v')
      .innerJoin('users as r', (j) => j.onRef('r.org_id', '=', 'v.org_id').onRef('r.id', '=', 'v.user_id'))
      .select(userReadColumns)
      .where('v.org_id', '=', orgId)
      .where('v.attr', '=', 'emails')
      .where('v.value_ci', '=', folded)
      .limit(rowLimit(limit))
      .execute();
  // One after another: a lookup holds one connection, never several of the pool.
  const rows = [...(await byName(true)), ...(await byName(false)), ...(await byExternalId()), ...(await byEmail())];
  const found = new Map(rows.map((row) => [row.id, rowToUser(row)]));
  return [...found.values()].slice(0, limit);
}
