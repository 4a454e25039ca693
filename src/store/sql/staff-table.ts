import type { Kysely } from 'kysely';
import type { PasswordLinkRecord, SessionRecord, SetupLinkRecord, StaffOps, StaffRecord } from '../staff-store.js';
import { UniqueViolation } from '../store-errors.js';
import type { Database, SetupLinksTable, StaffSessionsTable, StaffTable } from './db-schema.js';
import { rowLimit } from './row-limit.js';
import type { SqlDialectHooks } from './sql-dialect.js';
import { uniqueWrite } from './unique-write.js';

/* Staff accounts, their one-time password links and sessions, sign-in failures, setup links (0013). */

const num = (v: number | null): number | null => (v === null ? null : Number(v));

export class SqlStaff implements StaffOps {
  constructor(
    protected readonly db: Kysely<Database>,
    protected readonly hooks: SqlDialectHooks,
  ) {}

  async insertStaff(staff: StaffRecord): Promise<void> {
    try {
      await uniqueWrite(this.hooks, () =>
        this.db
          .insertInto('staff')
          .values({
            id: staff.id,
            email: staff.email,
            email_ci: staff.emailCi,
            password_hash: staff.passwordHash,
            disabled: staff.disabled ? 1 : 0,
            created_at: staff.createdAt,
            updated_at: staff.updatedAt,
          })
          .execute(),
      );
    } catch (error) {
      // The e-mail index is the table's one unique key besides the random id.
      if (error instanceof UniqueViolation) throw new UniqueViolation('staffEmail');
      throw error;
    }
  }

  async getStaff(id: string): Promise<StaffRecord | undefined> {
    const row = await this.db.selectFrom('staff').selectAll().where('id', '=', id).executeTakeFirst();
    return row && rowToStaff(row);
  }

  async findStaffByEmail(emailCi: string): Promise<StaffRecord | undefined> {
    const row = await this.db.selectFrom('staff').selectAll().where('email_ci', '=', emailCi).executeTakeFirst();
    return row && rowToStaff(row);
  }

  async listStaff(limit: number): Promise<StaffRecord[]> {
    const rows = await this.db.selectFrom('staff').selectAll().orderBy('id').limit(rowLimit(limit)).execute();
    return rows.map(rowToStaff);
  }

  async updateStaff(id: string, change: { passwordHash?: string; disabled?: boolean; updatedAt: number }) {
    await this.db
      .updateTable('staff')
      .set({
        updated_at: change.updatedAt,
        ...(change.passwordHash !== undefined ? { password_hash: change.passwordHash } : {}),
        ...(change.disabled !== undefined ? { disabled: change.disabled ? 1 : 0 } : {}),
      })
      .where('id', '=', id)
      .execute();
  }

  async insertPasswordLink(link: PasswordLinkRecord): Promise<void> {
    await this.db
      .insertInto('staff_password_links')
      .values({
        link_hash: link.linkHash,
        staff_id: link.staffId,
        created_at: link.createdAt,
        expires_at: link.expiresAt,
        used_at: link.usedAt,
      })
      .execute();
  }

  async findPasswordLink(linkHash: string): Promise<PasswordLinkRecord | undefined> {
    const r = await this.db
      .selectFrom('staff_password_links')
      .selectAll()
      .where('link_hash', '=', linkHash)
      .executeTakeFirst();
    return (
      r && {
        linkHash: r.link_hash,
        staffId: r.staff_id,
        createdAt: Number(r.created_at),
        expiresAt: Number(r.expires_at),
        usedAt: num(r.used_at),
      }
    );
  }

  async usePasswordLink(linkHash: string, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable('staff_password_links')
      .set({ used_at: at })
      .where('link_hash', '=', linkHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', at)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async expirePasswordLinks(staffId: string, at: number): Promise<void> {
    await this.db
      .updateTable('staff_password_links')
      .set({ expires_at: at })
      .where('staff_id', '=', staffId)
      .where('used_at', 'is', null)
      .where('expires_at', '>', at)
      .execute();
  }

  async insertSession(s: SessionRecord): Promise<void> {
    await this.db
      .insertInto('staff_sessions')
      .values({
        id_hash: s.idHash,
        staff_id: s.staffId,
        created_at: s.createdAt,
        expires_at: s.expiresAt,
        last_seen_at: s.lastSeenAt,
        csrf_token: s.csrfToken,
      })
      .execute();
  }

  async findSession(idHash: string): Promise<SessionRecord | undefined> {
    const row = await this.db.selectFrom('staff_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    return row && rowToSession(row);
  }

  async touchSession(idHash: string, at: number): Promise<void> {
    await this.db.updateTable('staff_sessions').set({ last_seen_at: at }).where('id_hash', '=', idHash).execute();
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db.deleteFrom('staff_sessions').where('id_hash', '=', idHash).execute();
  }

  async deleteSessionsOf(staffId: string): Promise<void> {
    await this.db.deleteFrom('staff_sessions').where('staff_id', '=', staffId).execute();
  }

  async pruneSessions(before: number): Promise<void> {
    await this.db.deleteFrom('staff_sessions').where('expires_at', '<', before).execute();
  }

  async recordSignInFailure(keys: readonly string[], at: number): Promise<void> {
    if (keys.length === 0) return;
    await this.db
      .insertInto('sign_in_failures')
      .values(keys.map((key) => ({ key, at })))
      .execute();
  }

  async recentSignInFailures(key: string, since: number, limit: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('sign_in_failures')
      .select('at')
      .where('key', '=', key)
      .where('at', '>', since)
      .orderBy('at', 'desc')
      .limit(rowLimit(limit))
      .execute();
    return rows.map((r) => Number(r.at));
  }

  async clearSignInFailures(key: string): Promise<void> {
    await this.db.deleteFrom('sign_in_failures').where('key', '=', key).execute();
  }

  async pruneSignInFailures(before: number): Promise<void> {
    await this.db.deleteFrom('sign_in_failures').where('at', '<', before).execute();
  }

  async insertSetupLink(link: SetupLinkRecord): Promise<void> {
    await this.db
      .insertInto('setup_links')
      .values({
        org_id: link.orgId,
        id: link.id,
        secret_hash: link.secretHash,
        created_by: link.createdBy,
        created_at: link.createdAt,
        expires_at: link.expiresAt,
        used_at: link.usedAt,
        token_id: link.tokenId,
      })
      .execute();
  }

  async findSetupLink(secretHash: string): Promise<SetupLinkRecord | undefined> {
    const row = await this.db
      .selectFrom('setup_links')
      .selectAll()
      .where('secret_hash', '=', secretHash)
      .executeTakeFirst();
    return row && rowToSetupLink(row);
  }

  async useSetupLink(secretHash: string, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable('setup_links')
      .set({ used_at: at })
      .where('secret_hash', '=', secretHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', at)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async setSetupLinkToken(orgId: string, id: string, tokenId: string): Promise<void> {
    await this.db
      .updateTable('setup_links')
      .set({ token_id: tokenId })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .execute();
  }

  async listSetupLinks(orgId: string, limit: number): Promise<SetupLinkRecord[]> {
    const rows = await this.db
      .selectFrom('setup_links')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('id', 'desc')
      .limit(rowLimit(limit))
      .execute();
    return rows.map(rowToSetupLink);
  }
}

function rowToStaff(r: StaffTable): StaffRecord {
  return {
    id: r.id,
    email: r.email,
    emailCi: r.email_ci,
    passwordHash: r.password_hash,
    disabled: Number(r.disabled) === 1,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function rowToSession(r: StaffSessionsTable): SessionRecord {
  return {
    idHash: r.id_hash,
    staffId: r.staff_id,
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    lastSeenAt: Number(r.last_seen_at),
    csrfToken: r.csrf_token,
  };
}

function rowToSetupLink(r: SetupLinksTable): SetupLinkRecord {
  return {
    orgId: r.org_id,
    id: r.id,
    secretHash: r.secret_hash,
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    usedAt: num(r.used_at),
    tokenId: r.token_id,
  };
}
