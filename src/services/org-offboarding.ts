import { invalidValue } from '../scim/scim-error.js';
import type { OrgRecord, Store } from '../store/store.js';
import type { Operator } from './audit.js';
import type { AuditTrail } from './audit-trail.js';
import { credentialChangeSettled } from './credential-cache.js';
import { uuidv7 } from './ids.js';
import { orgNotFound } from './org-not-found.js';
import type { SupportOptions } from './tokens.js';

/**
 * Rows one statement of an offboarding deletes at most: small enough that no statement holds its
 * locks for long (each commits on its own) and the organization's SCIM neighbours never wait.
 */
export const OFFBOARD_BATCH = 1000;

export interface OffboardResult {
  readonly org: OrgRecord;
  readonly tokensRevoked: number;
  readonly rowsDeleted: number;
}

/**
 * Offboarding an organization (`org delete`): SCIM stops at once, then every row goes.
 *
 * First one transaction revokes its tokens, switches SCIM off and records the trail entry, so
 * from its commit every request gets 401 or 403 and the action is on record whatever follows.
 * Then (after UNSEEN_WRITES_MAX_AGE_MS where other instances' authentication caches cannot see
 * the revocation) its rows are deleted in batches of OFFBOARD_BATCH, one short statement each, children
 * first and the organization row last. The trail entry has no foreign key and stays. If the
 * purge stops half-way (a crash, the database gone), the organization is still there, SCIM off,
 * and the same command finishes it.
 */
export async function offboardOrg(
  store: Store,
  auditTrail: AuditTrail,
  clock: () => number,
  operator: Operator,
  orgId: string,
  options: SupportOptions & { confirm: string },
): Promise<OffboardResult> {
  const { org, tokensRevoked } = await store.transaction(async (tx) => {
    const org = await tx.getOrg(orgId);
    if (!org) throw orgNotFound(orgId);
    if (options.confirm.trim() !== org.name) {
      throw invalidValue(
        `To delete organization ${org.id} and every user, team, token and log entry of it, confirm with its name exactly: --confirm "${org.name}"`,
        'org.confirm',
      );
    }
    const now = clock();
    const tokensRevoked = await tx.revokeOrgTokens(org.id, now);
    await tx.updateOrg({ ...org, scimEnabled: false, updatedAt: now });
    await auditTrail.record(tx, operator, {
      action: 'org.deleted',
      orgId: org.id,
      targetType: 'org',
      targetId: org.id,
      detail: { name: org.name, externalRef: org.externalRef ?? null, tokensRevoked },
      requestId: options.requestId ?? uuidv7(now),
    });
    return { org, tokensRevoked };
  });
  // Where other instances cannot see the revocation at once (PostgreSQL), they may still accept a
  // token they authenticated a moment ago: the purge starts once their caches have let go of it.
  await credentialChangeSettled(store);
  let rowsDeleted = 0;
  for (;;) {
    const deleted = await store.purgeOrg(org.id, OFFBOARD_BATCH);
    if (deleted === 0) break;
    rowsDeleted += deleted;
  }
  return { org, tokensRevoked, rowsDeleted };
}
