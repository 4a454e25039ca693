import { invalidValue, notFound, ScimError, uniqueness } from '../scim/scim-error.js';
import type { StaffRecord } from '../store/staff-store.js';
import type { Store } from '../store/store.js';
import { UniqueViolation } from '../store/store-errors.js';
import type { Operator } from './audit.js';
import type { AuditTrail } from './audit-trail.js';
import { uuidv7 } from './ids.js';
import { hashSecret, newSecret } from './secrets.js';
import { hashPassword } from './staff-passwords.js';

/** How long a link printed by `admin create` or `admin reset` sets a password. */
export const PASSWORD_LINK_TTL_MS = 24 * 3_600_000;
/** Most accounts `admin list` shows: a support team, not a directory. */
export const MAX_STAFF_LIST = 1000;
const MAX_EMAIL_LENGTH = 254;

/** A staff account as the console and the CLI show it (never its password hash). */
export interface StaffAccount {
  readonly id: string;
  readonly email: string;
  readonly disabled: boolean;
  readonly hasPassword: boolean;
  readonly createdAt: number;
}

/** A printed one-time link's secret and when it stops working. */
export interface PasswordLink {
  readonly account: StaffAccount;
  /** Goes in the URL `/admin/set-password/<secret>`; only its hash is stored. */
  readonly secret: string;
  readonly expiresAt: number;
}

export type PasswordLinkState =
  | { readonly state: 'valid'; readonly email: string; readonly expiresAt: number }
  | { readonly state: 'used'; readonly at: number }
  | { readonly state: 'expired'; readonly at: number }
  | { readonly state: 'unknown' };

export const accountOf = (s: StaffRecord): StaffAccount => ({
  id: s.id,
  email: s.email,
  disabled: s.disabled,
  hasPassword: s.passwordHash !== null,
  createdAt: s.createdAt,
});

/** E-mails compare ignoring case and surrounding space, as people type them. */
export const emailKey = (email: string): string => email.trim().normalize('NFC').toLowerCase();

function checkEmail(email: string): string {
  const trimmed = email.trim();
  if (trimmed.length > MAX_EMAIL_LENGTH || !/^[^\s@]+@[^\s@]+$/.test(trimmed)) {
    throw invalidValue(`"${trimmed.slice(0, 80)}" is not an e-mail address`, 'staff.email');
  }
  return trimmed;
}

/**
 * Staff accounts of the support console: created with a one-time link to set the password (there
 * is never a default credential), listed, disabled, and reset with a new link.
 */
export class Staff {
  constructor(
    private readonly store: Store,
    private readonly trail: AuditTrail,
    private readonly clock: () => number,
  ) {}

  async create(email: string, operator: Operator): Promise<PasswordLink> {
    const address = checkEmail(email);
    const now = this.clock();
    const record: StaffRecord = {
      id: uuidv7(now),
      email: address,
      emailCi: emailKey(address),
      passwordHash: null,
      disabled: false,
      createdAt: now,
      updatedAt: now,
    };
    try {
      return await this.store.transaction(async (tx) => {
        await tx.staff.insertStaff(record);
        const link = await this.newLink(tx, record, now);
        await this.trail.record(tx, operator, {
          action: 'staff.created',
          targetType: 'staff',
          targetId: record.id,
          detail: { email: address, linkExpiresAt: link.expiresAt },
        });
        return link;
      });
    } catch (error) {
      if (error instanceof UniqueViolation) {
        throw uniqueness(`A staff account for ${address} exists; use admin reset for a new link`, 'staff.exists');
      }
      throw error;
    }
  }

  async list(): Promise<StaffAccount[]> {
    return (await this.store.staff.listStaff(MAX_STAFF_LIST)).map(accountOf);
  }

  /** Disables the account and ends its sessions at once; its links stop working. */
  async disable(email: string, operator: Operator): Promise<StaffAccount> {
    return this.store.transaction(async (tx) => {
      const found = await this.find(tx.staff, email);
      const now = this.clock();
      await tx.staff.updateStaff(found.id, { disabled: true, updatedAt: now });
      await tx.staff.deleteSessionsOf(found.id);
      await tx.staff.expirePasswordLinks(found.id, now);
      await this.trail.record(tx, operator, { action: 'staff.disabled', targetType: 'staff', targetId: found.id });
      return { ...accountOf(found), disabled: true };
    });
  }

  /**
   * A new one-time link (older unused ones stop working). Resetting a disabled account enables it
   * once the password is set; its sessions end now either way.
   */
  async reset(email: string, operator: Operator): Promise<PasswordLink> {
    return this.store.transaction(async (tx) => {
      const found = await this.find(tx.staff, email);
      const now = this.clock();
      await tx.staff.expirePasswordLinks(found.id, now);
      await tx.staff.deleteSessionsOf(found.id);
      const link = await this.newLink(tx, found, now);
      await this.trail.record(tx, operator, {
        action: 'staff.reset',
        targetType: 'staff',
        targetId: found.id,
        detail: { linkExpiresAt: link.expiresAt },
      });
      return link;
    });
  }

  /** What the set-password page shows for a link, without using it. */
  async linkState(secret: string): Promise<PasswordLinkState> {
    const link = await this.store.staff.findPasswordLink(hashSecret(secret));
    if (!link) return { state: 'unknown' };
    if (link.usedAt !== null) return { state: 'used', at: link.usedAt };
    if (link.expiresAt <= this.clock()) return { state: 'expired', at: link.expiresAt };
    const staff = await this.store.staff.getStaff(link.staffId);
    if (!staff) return { state: 'unknown' };
    return { state: 'valid', email: staff.email, expiresAt: link.expiresAt };
  }

  /** Uses the link once: sets the password, enables the account, ends its older sessions. */
  async setPassword(secret: string, password: string): Promise<StaffAccount> {
    const passwordHash = await hashPassword(password);
    return this.store.transaction(async (tx) => {
      const now = this.clock();
      const linkHash = hashSecret(secret);
      const link = await tx.staff.findPasswordLink(linkHash);
      if (!link || !(await tx.staff.usePasswordLink(linkHash, now))) {
        throw new ScimError(
          410,
          'This link has been used or has expired; ask for a new one (parallel-scim admin reset)',
          undefined,
          'staff.linkGone',
        );
      }
      const staff = await tx.staff.getStaff(link.staffId);
      if (!staff) throw notFound('The account of this link no longer exists', 'staff.notFound');
      await tx.staff.updateStaff(staff.id, { passwordHash, disabled: false, updatedAt: now });
      await tx.staff.deleteSessionsOf(staff.id);
      await this.trail.record(
        tx,
        { kind: 'staff', staffId: staff.id, email: staff.email },
        { action: 'staff.passwordSet', targetType: 'staff', targetId: staff.id },
      );
      return { ...accountOf(staff), disabled: false, hasPassword: true };
    });
  }

  private async find(ops: Store['staff'], email: string): Promise<StaffRecord> {
    const found = await ops.findStaffByEmail(emailKey(email));
    if (!found) throw notFound(`No staff account for ${email.trim().slice(0, 254)}`, 'staff.notFound');
    return found;
  }

  private async newLink(tx: Pick<Store, 'staff'>, staff: StaffRecord, now: number): Promise<PasswordLink> {
    const secret = newSecret();
    const expiresAt = now + PASSWORD_LINK_TTL_MS;
    await tx.staff.insertPasswordLink({
      linkHash: hashSecret(secret),
      staffId: staff.id,
      createdAt: now,
      expiresAt,
      usedAt: null,
    });
    return { account: accountOf(staff), secret, expiresAt };
  }
}
