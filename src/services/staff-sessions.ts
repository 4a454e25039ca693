import { randomBytes } from 'node:crypto';
import type { StaffRecord } from '../store/staff-store.js';
import type { Store } from '../store/store.js';
import type { AuditTrail } from './audit-trail.js';
import { uuidv7 } from './ids.js';
import { hashSecret, newSecret } from './secrets.js';
import { emailKey } from './staff.js';
import { dummyPasswordHash, MAX_PASSWORD_LENGTH, verifyPassword } from './staff-passwords.js';

/**
 * Console session and throttling policy. A session ends after IDLE of inactivity or ABSOLUTE
 * after sign-in, whichever comes first. Sign-in stops checking passwords for an e-mail after
 * EMAIL_FAILURES failures in WINDOW, and for a client address after ADDRESS_FAILURES (one
 * address may be an office; one e-mail is one person).
 */
export const SESSION_POLICY = {
  idleMs: 60 * 60_000,
  absoluteMs: 12 * 3_600_000,
  touchEveryMs: 60_000,
} as const;
export const THROTTLE_POLICY = { windowMs: 15 * 60_000, emailFailures: 5, addressFailures: 20 } as const;

/** A signed-in browser as the console sees it: who, and the token its forms carry. */
export interface SignedInStaff {
  readonly id: string;
  readonly email: string;
  readonly csrfToken: string;
}

export type SignInResult =
  | { readonly ok: true; readonly staff: SignedInStaff; readonly sessionSecret: string }
  | { readonly ok: false; readonly reason: 'invalid' }
  | { readonly ok: false; readonly reason: 'throttled'; readonly retryAfterMs: number };

export interface SignInAttempt {
  readonly email: string;
  readonly password: string;
  /** The client's address, as the server sees it. */
  readonly address: string;
  readonly requestId?: string;
}

/** Sign-in, the sessions it opens, and the throttle in front of it; all state in the database. */
export class StaffSessions {
  constructor(
    private readonly store: Store,
    private readonly trail: AuditTrail,
    private readonly clock: () => number,
  ) {}

  async signIn(attempt: SignInAttempt): Promise<SignInResult> {
    const now = this.clock();
    const emailCi = emailKey(attempt.email).slice(0, 320);
    const keys = [`email:${emailCi}`, `address:${attempt.address}`];
    const wait = await this.throttled(keys, now);
    const staff = await this.store.staff.findStaffByEmail(emailCi);
    if (wait > 0) {
      await this.record(staff, emailCi, 'staff.signInThrottled', attempt.requestId, { address: attempt.address });
      return { ok: false, reason: 'throttled', retryAfterMs: wait };
    }
    const usable = staff !== undefined && !staff.disabled && staff.passwordHash !== null;
    // An unknown or disabled account costs the same scrypt as a wrong password.
    const stored = usable ? (staff.passwordHash ?? '') : await dummyPasswordHash();
    const verified = attempt.password.length <= MAX_PASSWORD_LENGTH && (await verifyPassword(attempt.password, stored));
    if (!verified || !usable) {
      await this.store.transaction(async (tx) => {
        await tx.staff.pruneSignInFailures(now - THROTTLE_POLICY.windowMs);
        await tx.staff.recordSignInFailure(keys, now);
      });
      await this.record(staff, emailCi, 'staff.signInFailed', attempt.requestId, {
        address: attempt.address,
        ...(staff?.disabled ? { disabled: true } : {}),
      });
      return { ok: false, reason: 'invalid' };
    }
    const sessionSecret = newSecret();
    const csrfToken = randomBytes(24).toString('base64url');
    await this.store.transaction(async (tx) => {
      await tx.staff.pruneSessions(now);
      await tx.staff.clearSignInFailures(keys[0] ?? '');
      await tx.staff.insertSession({
        idHash: hashSecret(sessionSecret),
        staffId: staff.id,
        createdAt: now,
        expiresAt: now + SESSION_POLICY.absoluteMs,
        lastSeenAt: now,
        csrfToken,
      });
      await this.trail.record(
        tx,
        { kind: 'staff', staffId: staff.id, email: staff.email },
        {
          action: 'staff.signedIn',
          targetType: 'staff',
          targetId: staff.id,
          detail: { address: attempt.address },
          requestId: attempt.requestId ?? null,
        },
      );
    });
    return { ok: true, staff: { id: staff.id, email: staff.email, csrfToken }, sessionSecret };
  }

  /** The staff member behind a session cookie, if the session is live and the account enabled. */
  async resume(sessionSecret: string): Promise<SignedInStaff | undefined> {
    if (sessionSecret.length > 128) return undefined;
    const idHash = hashSecret(sessionSecret);
    const session = await this.store.staff.findSession(idHash);
    if (!session) return undefined;
    const now = this.clock();
    if (session.expiresAt <= now || session.lastSeenAt + SESSION_POLICY.idleMs <= now) {
      await this.store.staff.deleteSession(idHash);
      return undefined;
    }
    const staff = await this.store.staff.getStaff(session.staffId);
    if (!staff || staff.disabled) return undefined;
    if (now - session.lastSeenAt >= SESSION_POLICY.touchEveryMs) await this.store.staff.touchSession(idHash, now);
    return { id: staff.id, email: staff.email, csrfToken: session.csrfToken };
  }

  /** Forgets a session the browser still presents at a new sign-in: one browser, one session. */
  async discard(sessionSecret: string): Promise<void> {
    if (sessionSecret.length <= 128) await this.store.staff.deleteSession(hashSecret(sessionSecret));
  }

  async signOut(sessionSecret: string, who: SignedInStaff): Promise<void> {
    await this.store.transaction(async (tx) => {
      await tx.staff.deleteSession(hashSecret(sessionSecret));
      await this.trail.record(
        tx,
        { kind: 'staff', staffId: who.id, email: who.email },
        { action: 'staff.signedOut', targetType: 'staff', targetId: who.id },
      );
    });
  }

  /** Milliseconds until the busiest key is below its limit again; 0 when none is throttled. */
  private async throttled(keys: readonly string[], now: number): Promise<number> {
    const since = now - THROTTLE_POLICY.windowMs;
    let wait = 0;
    for (const key of keys) {
      const limit = key.startsWith('email:') ? THROTTLE_POLICY.emailFailures : THROTTLE_POLICY.addressFailures;
      const times = await this.store.staff.recentSignInFailures(key, since, limit);
      const oldestCounted = times[limit - 1];
      if (oldestCounted !== undefined) wait = Math.max(wait, oldestCounted + THROTTLE_POLICY.windowMs - now);
    }
    return wait;
  }

  /** Failed and refused sign-ins go in the trail under the account they named, if any. */
  private async record(
    staff: StaffRecord | undefined,
    emailCi: string,
    action: string,
    requestId: string | undefined,
    detail: Record<string, unknown>,
  ): Promise<void> {
    if (!staff) {
      // No account to name: the entry keeps the e-mail that was tried, and no actor id.
      const at = this.clock();
      await this.store.auditTrail.append({
        id: uuidv7(at),
        at,
        actorKind: 'staff',
        actorId: null,
        actorLabel: emailCi,
        orgId: null,
        action,
        targetType: 'staff',
        targetId: null,
        detail: { ...detail, unknownEmail: true },
        requestId: requestId ?? null,
      });
      return;
    }
    await this.store.transaction((tx) =>
      this.trail.record(
        tx,
        { kind: 'staff', staffId: staff.id, email: staff.email },
        { action, targetType: 'staff', targetId: staff.id, detail, requestId: requestId ?? null },
      ),
    );
  }
}
