/**
 * Staff accounts of the support console, their sessions, sign-in throttling and setup links
 * (migration 0013). Every secret here is stored as its SHA-256 (links, sessions) or as a salted
 * scrypt hash (passwords): a copy of the database signs nobody in.
 */

export interface StaffRecord {
  /** UUIDv7. */
  readonly id: string;
  /** As typed at `admin create`; unique ignoring case (`emailCi` is the fold). */
  readonly email: string;
  readonly emailCi: string;
  /** `scrypt$N$r$p$salt$hash`; null until the one-time link has been used. */
  readonly passwordHash: string | null;
  readonly disabled: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A one-time link to set (or reset) a staff member's password. */
export interface PasswordLinkRecord {
  readonly linkHash: string;
  readonly staffId: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly usedAt: number | null;
}

/** A signed-in browser. `idHash` is the SHA-256 of the cookie's value. */
export interface SessionRecord {
  readonly idHash: string;
  readonly staffId: string;
  readonly createdAt: number;
  /** Absolute end, whatever the activity. */
  readonly expiresAt: number;
  /** Idle expiry counts from here; written at most once a minute. */
  readonly lastSeenAt: number;
  /** The token every form of this session carries (CSRF). */
  readonly csrfToken: string;
}

/** A single-use link that shows a customer's admin the Tenant URL and a token issued on opening. */
export interface SetupLinkRecord {
  readonly orgId: string;
  /** UUIDv7. */
  readonly id: string;
  readonly secretHash: string;
  /** Who made it: services/audit.ts Operator as JSON (the trail names them for the link's use too). */
  readonly createdBy: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly usedAt: number | null;
  /** The token issued when the link was opened. */
  readonly tokenId: string | null;
}

export interface StaffOps {
  /** Throws UniqueViolation('staffEmail') when the e-mail (ignoring case) has an account. */
  insertStaff(staff: StaffRecord): Promise<void>;
  getStaff(id: string): Promise<StaffRecord | undefined>;
  findStaffByEmail(emailCi: string): Promise<StaffRecord | undefined>;
  /** Oldest first, at most `limit`. */
  listStaff(limit: number): Promise<StaffRecord[]>;
  updateStaff(id: string, change: { passwordHash?: string; disabled?: boolean; updatedAt: number }): Promise<void>;

  insertPasswordLink(link: PasswordLinkRecord): Promise<void>;
  findPasswordLink(linkHash: string): Promise<PasswordLinkRecord | undefined>;
  /**
   * Marks the link used if it is unused and unexpired at `at`; true exactly once per link, even
   * when two requests race.
   */
  usePasswordLink(linkHash: string, at: number): Promise<boolean>;
  /** Ends every unused link of a staff member (a reset makes the older ones useless). */
  expirePasswordLinks(staffId: string, at: number): Promise<void>;

  insertSession(session: SessionRecord): Promise<void>;
  findSession(idHash: string): Promise<SessionRecord | undefined>;
  touchSession(idHash: string, at: number): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  deleteSessionsOf(staffId: string): Promise<void>;
  /** Removes sessions ended before `before` (absolute expiry), so the table does not grow. */
  pruneSessions(before: number): Promise<void>;

  /** Records one failed sign-in under each key (an e-mail's, an address's). */
  recordSignInFailure(keys: readonly string[], at: number): Promise<void>;
  /**
   * The times of the latest failures under `key` since `since`, newest first, at most `limit`:
   * enough to say whether the key is throttled and until when.
   */
  recentSignInFailures(key: string, since: number, limit: number): Promise<number[]>;
  clearSignInFailures(key: string): Promise<void>;
  /** Drops failures older than `before`: they no longer count. */
  pruneSignInFailures(before: number): Promise<void>;

  insertSetupLink(link: SetupLinkRecord): Promise<void>;
  findSetupLink(secretHash: string): Promise<SetupLinkRecord | undefined>;
  /** Marks the link used if unused and unexpired at `at`; true exactly once per link. */
  useSetupLink(secretHash: string, at: number): Promise<boolean>;
  /** Records the token the opening issued. */
  setSetupLinkToken(orgId: string, id: string, tokenId: string): Promise<void>;
  /** Newest first, at most `limit`. */
  listSetupLinks(orgId: string, limit: number): Promise<SetupLinkRecord[]>;
}
