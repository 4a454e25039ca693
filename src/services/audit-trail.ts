import { invalidValue } from '../scim/scim-error.js';
import type { AuditEntry, AuditQuery } from '../store/audit-trail-store.js';
import type { Store, StoreOps } from '../store/store.js';
import type { Operator } from './audit.js';
import { uuidv7 } from './ids.js';
import { emailKey } from './staff.js';

/** Most entries one read of the trail returns (`list`'s limit is clamped to it). */
export const MAX_AUDIT_LIST = 500;

/** What a use case says it did; the trail adds who, when and the entry's id. */
export interface AuditAction {
  /** Dotted, past tense: `token.issued`, `org.deleted`, `user.erased`, `serviceKey.revoked`, ... */
  readonly action: string;
  /** The organization acted on; omit for deployment-wide actions. */
  readonly orgId?: string | null;
  readonly targetType?: string | null;
  readonly targetId?: string | null;
  /** A few named values (never a secret, never a whole resource). */
  readonly detail?: Readonly<Record<string, unknown>> | null;
  /** The request or CLI command that did it, shared with its events. */
  readonly requestId?: string | null;
}

export type { AuditEntry, AuditQuery } from '../store/audit-trail-store.js';

/**
 * The audit trail of support's actions, by the staff member or CLI operator who did them.
 *
 * `record` takes the StoreOps of the use case's own transaction, so the action and its entry
 * commit together or not at all:
 *
 *     await store.transaction(async (tx) => {
 *       await tx.revokeToken(...);
 *       await auditTrail.record(tx, operator, { action: 'token.revoked', orgId, targetType: 'token', targetId });
 *     });
 */
export class AuditTrail {
  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
  ) {}

  async record(tx: StoreOps, operator: Operator, action: AuditAction): Promise<AuditEntry> {
    const at = this.clock();
    const entry: AuditEntry = {
      id: uuidv7(at),
      at,
      actorKind: operator.kind,
      actorId: operator.kind === 'staff' ? operator.staffId : null,
      actorLabel: operatorLabel(operator),
      orgId: action.orgId ?? null,
      action: action.action,
      targetType: action.targetType ?? null,
      targetId: action.targetId ?? null,
      detail: action.detail ?? null,
      requestId: action.requestId ?? null,
    };
    await tx.auditTrail.append(entry);
    return entry;
  }

  /**
   * Newest first; `limit` must be 1..MAX_AUDIT_LIST. An `actorLabel` that is a staff member's
   * e-mail, in any case, finds that member's entries by id (e-mails are matched ignoring case,
   * and the trail keeps them as typed); any other label (a CLI login) must match exactly.
   */
  async list(query: AuditQuery): Promise<AuditEntry[]> {
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_AUDIT_LIST) {
      throw invalidValue(`The audit limit must be a whole number from 1 to ${MAX_AUDIT_LIST}`, 'audit.limit');
    }
    const label = query.actorLabel;
    if (label?.includes('@')) {
      const staff = await this.store.staff.findStaffByEmail(emailKey(label));
      if (staff) {
        const { actorLabel: _, ...rest } = query;
        return this.store.auditTrail.list({ ...rest, actorId: staff.id });
      }
    }
    return this.store.auditTrail.list(query);
  }
}

/** How the trail names an operator: the staff member's e-mail, or the CLI login. */
export function operatorLabel(operator: Operator): string | null {
  if (operator.kind === 'staff') return operator.email ?? null;
  return operator.operator ?? null;
}
