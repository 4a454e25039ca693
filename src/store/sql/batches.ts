import type { Kysely } from 'kysely';
import type { Database } from './db-schema.js';

/** SQLite allows 32,766 bound parameters per statement; 500 keeps every batch far below. */
const CHUNK = 500;

/** `items` in batches of at most `size` (CHUNK), for `in (...)` lists and multi-row inserts. */
export function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export const unique = (ids: readonly string[]): string[] => [...new Set(ids)];

/**
 * New versions for teams whose member list changed without an update of the team itself (a
 * member deleted, or a nested team deleted), so that an If-Match read before the change fails.
 */
export async function bumpTeamVersions(
  db: Kysely<Database>,
  orgId: string,
  teamIds: readonly string[],
  at: number,
): Promise<void> {
  for (const ids of chunks(unique(teamIds))) {
    await db
      .updateTable('teams')
      .set((eb) => ({ version: eb('version', '+', 1), updated_at: at }))
      .where('org_id', '=', orgId)
      .where('id', 'in', ids)
      .execute();
  }
}
