/**
 * Seeding for bench/scale.ts: users and team memberships written through the store's own insert
 * methods (so every row, `user_values` included, is what the service writes), in large
 * transactions, without the per-request work (log, events, rendering) a million SCIM creates would
 * cost. Documents go through the same parse and defaults as a SCIM create.
 */
import { parseResource } from '../src/scim/schema/coerce.js';
import { userResourceType } from '../src/scim/schema/resource-types.js';
import { uuidv7 } from '../src/services/ids.js';
import { identity, withDefaults } from '../src/services/user-rules.js';
import type { Store, UserRecord } from '../src/store/store.js';

/** Users per transaction: large enough that commits do not dominate, small enough to keep memory flat. */
const BATCH = Number(process.env.BENCH_SEED_BATCH ?? 5000);

/** The i-th user's names: deterministic, so a lookup can name any user without keeping it. */
export const userNameOf = (i: number) => `user${i}@scale.example`;
export const externalIdOf = (i: number) => `ext-${String(i).padStart(8, '0')}`;

/** The user an Entra initial cycle would create as the i-th. */
export function benchUser(orgId: string, i: number, now: number): UserRecord {
  const doc = withDefaults(
    parseResource(userResourceType, {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: userNameOf(i),
      externalId: externalIdOf(i),
      active: true,
      displayName: `User ${i}`,
      name: { givenName: 'User', familyName: `Number${i}` },
      emails: [{ type: 'work', value: userNameOf(i), primary: true }],
    }),
  );
  return {
    orgId,
    id: uuidv7(now),
    ...identity(doc),
    scimManaged: true,
    doc,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Grows the organization from `from` users to `to`, `parallel` transactions at a time (SQLite
 * serializes them anyway; PostgreSQL overlaps round trips). Calls `keep` with each user's index
 * and id, for the ids a bench needs later (team members, lookups).
 */
export async function seedUsers(
  store: Store,
  orgId: string,
  from: number,
  to: number,
  parallel: number,
  keep: (index: number, id: string) => void,
): Promise<void> {
  let next = from;
  const worker = async () => {
    while (next < to) {
      const start = next;
      const end = Math.min(to, start + BATCH);
      next = end;
      const now = Date.now();
      await store.transaction(async (tx) => {
        for (let i = start; i < end; i++) {
          const user = benchUser(orgId, i, now);
          await tx.insertUser(user);
          keep(i, user.id);
        }
      });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
}

/** Adds `userIds` to the team, in transactions of BATCH memberships. */
export async function seedMembers(
  store: Store,
  orgId: string,
  teamId: string,
  userIds: readonly string[],
): Promise<void> {
  const now = Date.now();
  for (let offset = 0; offset < userIds.length; offset += BATCH) {
    const slice = userIds.slice(offset, offset + BATCH);
    await store.transaction((tx) => tx.addMembers(orgId, teamId, slice, now));
  }
}
