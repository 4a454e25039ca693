import { invalidValue } from '../scim/scim-error.js';
import type { SetupLinkRecord } from '../store/staff-store.js';
import type { OrgRecord, Store } from '../store/store.js';
import type { Operator } from './audit.js';
import type { AuditTrail } from './audit-trail.js';
import { uuidv7 } from './ids.js';
import { orgNotFound } from './org-not-found.js';
import { hashSecret, newSecret } from './secrets.js';
import type { IssuedToken, Tokens } from './tokens.js';

/** Default and longest life of a setup link: long enough to reach the customer, short enough to matter. */
export const SETUP_LINK_DEFAULT_TTL_MS = 72 * 3_600_000;
export const SETUP_LINK_MAX_TTL_MS = 14 * 86_400_000;
/** Links an organization page lists. */
export const SETUP_LINK_LIST = 20;

export interface CreatedSetupLink {
  readonly record: SetupLinkRecord;
  /** Goes in the URL `/setup/<secret>`: shown once to support; only its hash is stored. */
  readonly secret: string;
}

export type SetupLinkOpening =
  | { readonly state: 'opened'; readonly org: OrgRecord; readonly issued: IssuedToken }
  | { readonly state: 'used'; readonly at: number }
  | { readonly state: 'expired'; readonly at: number }
  | { readonly state: 'unknown' };

/**
 * Setup links: instead of pasting a token into an e-mail, support sends a single-use, expiring
 * link. Opening it issues a new token at that moment and shows it once, so no token secret ever
 * waits in the database.
 */
export class SetupLinks {
  constructor(
    private readonly store: Store,
    private readonly tokens: Tokens,
    private readonly trail: AuditTrail,
    private readonly clock: () => number,
  ) {}

  async create(orgId: string, operator: Operator, options: { expiresInMs?: number } = {}): Promise<CreatedSetupLink> {
    const ttl = options.expiresInMs ?? SETUP_LINK_DEFAULT_TTL_MS;
    if (!(ttl > 0) || ttl > SETUP_LINK_MAX_TTL_MS) {
      throw invalidValue('A setup link lives from 1 minute to 14 days', 'setupLink.expiry');
    }
    const secret = newSecret();
    return this.store.transaction(async (tx) => {
      if (!(await tx.getOrg(orgId))) throw orgNotFound(orgId);
      const now = this.clock();
      const record: SetupLinkRecord = {
        orgId,
        id: uuidv7(now),
        secretHash: hashSecret(secret),
        createdBy: JSON.stringify(operator),
        createdAt: now,
        expiresAt: now + ttl,
        usedAt: null,
        tokenId: null,
      };
      await tx.staff.insertSetupLink(record);
      await this.trail.record(tx, operator, {
        action: 'setupLink.created',
        orgId,
        targetType: 'setupLink',
        targetId: record.id,
        detail: { expiresAt: record.expiresAt },
      });
      return { record, secret };
    });
  }

  list(orgId: string): Promise<SetupLinkRecord[]> {
    return this.store.staff.listSetupLinks(orgId, SETUP_LINK_LIST);
  }

  /**
   * The customer opens the link: the first opening before expiry marks it used (exactly once,
   * even when two race) and issues a token; any later one is told when it was used.
   */
  async open(secret: string, requestId?: string): Promise<SetupLinkOpening> {
    if (secret.length > 128) return { state: 'unknown' };
    const secretHash = hashSecret(secret);
    const link = await this.store.staff.findSetupLink(secretHash);
    if (!link) return { state: 'unknown' };
    const now = this.clock();
    if (link.usedAt !== null) return { state: 'used', at: link.usedAt };
    if (link.expiresAt <= now) return { state: 'expired', at: link.expiresAt };
    // Spent and its token issued in one transaction: a failure leaves the link unused and no
    // token, and of two openings at once the second finds it spent (the conditional update waits
    // for the first to commit, then matches nothing), so no token exists that nobody was shown.
    const creator = creatorOf(link);
    const opened = await this.store.transaction(async (tx) => {
      if (!(await tx.staff.useSetupLink(secretHash, now))) return undefined;
      const org = await tx.getOrg(link.orgId);
      if (!org) return undefined;
      const issued = await this.tokens.issueIn(tx, creator, link.orgId, {
        label: 'setup link',
        ...(requestId !== undefined ? { requestId } : {}),
      });
      await tx.staff.setSetupLinkToken(link.orgId, link.id, issued.record.id);
      await this.trail.record(tx, creator, {
        action: 'setupLink.used',
        orgId: link.orgId,
        targetType: 'setupLink',
        targetId: link.id,
        detail: { tokenId: issued.record.id },
        requestId: requestId ?? null,
      });
      return { org, issued };
    });
    if (!opened) {
      const again = await this.store.staff.findSetupLink(secretHash);
      return again?.usedAt ? { state: 'used', at: again.usedAt } : { state: 'expired', at: link.expiresAt };
    }
    return { state: 'opened', ...opened };
  }
}

/** The trail names the link's creator for its use: they are who let a token be issued. */
function creatorOf(link: SetupLinkRecord): Operator {
  try {
    const parsed = JSON.parse(link.createdBy) as Operator;
    if (parsed.kind === 'staff' || parsed.kind === 'cli') return parsed;
  } catch {
    // A malformed value is reported as the CLI below.
  }
  return { kind: 'cli' };
}
