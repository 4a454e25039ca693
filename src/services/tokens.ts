import { invalidValue, notFound } from '../scim/scim-error.js';
import type { OrgRecord, Store, StoreOps, TokenRecord } from '../store/store.js';
import type { Operator } from './audit.js';
import type { AuditTrail } from './audit-trail.js';
import { CredentialCache, credentialChangeSettled } from './credential-cache.js';
import { uuidv7 } from './ids.js';
import { orgNotFound } from './org-not-found.js';
import { credentialState, hashSecret, newSecret, secretHint } from './secrets.js';
import {
  DAY_MS,
  DEFAULT_TOKEN_LIFETIME_MS,
  EXPIRY_COUNTS_MAX_AGE_MS,
  type ExpiryWarning,
  ExpiryWarnings,
  expiryWindow,
  type TokenExpiryCounts,
} from './token-expiry.js';
import { UseThrottle } from './use-throttle.js';

/** Recognisable prefix: secret scanners and support can tell a parallel-scim token at a glance. */
export const TOKEN_PREFIX = 'pscim_';

export interface IssuedToken {
  readonly record: TokenRecord;
  /** The secret: shown once, never stored. */
  readonly token: string;
}

export type AuthResult =
  | {
      readonly ok: true;
      readonly org: OrgRecord;
      readonly token: TokenRecord;
      /** Set when this use should warn that the token ends soon (at most hourly per token). */
      readonly expiryWarning?: ExpiryWarning;
    }
  | {
      readonly ok: false;
      readonly reason: 'missing' | 'unknown' | 'revoked' | 'expired' | 'scimDisabled';
      readonly org?: OrgRecord;
      readonly token?: TokenRecord;
    };

/** What a support action is told besides who did it: the request or command it belongs to. */
export interface SupportOptions {
  /** Shared by the trail entries and events of one command or console request; a new one when absent. */
  readonly requestId?: string;
}

/** The longest grace a rotated token keeps working: a rotation is a handover, not a second token. */
export const MAX_ROTATION_GRACE_MS = 30 * 86_400_000;
export const DEFAULT_ROTATION_GRACE_MS = 86_400_000;
/** The longest lifetime a token may be given (ten years): past that, "never" says what is meant. */
export const MAX_TOKEN_LIFETIME_MS = 3650 * 86_400_000;

/**
 * A token's lifetime as its issuer chooses it: milliseconds, `null` for a token that never expires
 * (an explicit choice), or absent for DEFAULT_TOKEN_LIFETIME_MS.
 */
export interface LifetimeOption {
  readonly expiresInMs?: number | null;
}

export interface RotatedToken extends IssuedToken {
  /** The token rotated away from, as it is now: expiring at the end of the grace. */
  readonly previous: TokenRecord;
}

export class Tokens {
  /** last_used_at is written at most once a minute per token, so auth is not a write per request. */
  private readonly lastUse = new UseThrottle();
  /** Most requests are authenticated without a round trip (credential-cache.ts says when not). */
  private readonly cache = new CredentialCache();
  /** Expiring tokens in use are warned about once an hour each, not on every request. */
  private readonly expiryWarnings = new ExpiryWarnings();
  private countsRead: { readonly at: number; readonly counts: Promise<TokenExpiryCounts> } | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
    private readonly auditTrail: AuditTrail,
  ) {}

  async issue(
    operator: Operator,
    orgId: string,
    options: SupportOptions & LifetimeOption & { label?: string } = {},
  ): Promise<IssuedToken> {
    return this.store.transaction((tx) => this.issueIn(tx, operator, orgId, options));
  }

  /** `issue` inside the caller's transaction: a setup link is spent and its token issued together. */
  async issueIn(
    tx: StoreOps,
    operator: Operator,
    orgId: string,
    options: SupportOptions & LifetimeOption & { label?: string } = {},
  ): Promise<IssuedToken> {
    const chosen = checkedLifetime(options.expiresInMs);
    const lifetime = chosen === undefined ? DEFAULT_TOKEN_LIFETIME_MS : chosen;
    const org = await tx.getOrg(orgId);
    if (!org) throw orgNotFound(orgId);
    const issued = this.newToken(orgId, options.label ?? null, lifetime);
    await tx.insertToken(issued.record);
    await this.auditTrail.record(tx, operator, {
      action: 'token.issued',
      orgId,
      targetType: 'token',
      targetId: issued.record.id,
      detail: tokenDetail(issued.record),
      requestId: options.requestId ?? uuidv7(this.clock()),
    });
    return issued;
  }

  async list(orgId: string): Promise<TokenRecord[]> {
    const org = await this.store.getOrg(orgId);
    if (!org) throw orgNotFound(orgId);
    return this.store.listTokens(orgId);
  }

  /** Returns once no instance accepts the token any more (credentialChangeSettled). */
  async revoke(operator: Operator, tokenId: string, options: SupportOptions = {}): Promise<TokenRecord> {
    const revoked = await this.store.transaction(async (tx) => {
      const token = await tx.findTokenById(tokenId);
      if (!token) throw tokenNotFound(tokenId);
      await tx.revokeToken(token.orgId, token.id, this.clock());
      const revoked = (await tx.findTokenById(tokenId)) ?? token;
      await this.auditTrail.record(tx, operator, {
        action: 'token.revoked',
        orgId: token.orgId,
        targetType: 'token',
        targetId: token.id,
        detail: { ...tokenDetail(revoked), alreadyRevoked: token.revokedAt !== null },
        requestId: options.requestId ?? uuidv7(this.clock()),
      });
      return revoked;
    });
    await credentialChangeSettled(this.store);
    return revoked;
  }

  /**
   * A new token with the same label, the old one still working for `graceMs` so the IdP's secret
   * can be replaced without a failed sync; an old token that would expire sooner keeps its expiry.
   * The new token's lifetime is `expiresInMs` when given, otherwise DEFAULT_TOKEN_LIFETIME_MS, as
   * for `issue`: not the old token's, which a rotation would pass on shortened (an old token in
   * its grace, rotated again by mistake, would hand a two-hour life to its successor) and which
   * for tokens from before the default is "never". An organization with a policy of its own says
   * so (`--expires-in 90d`, or `never`).
   */
  async rotate(
    operator: Operator,
    tokenId: string,
    options: SupportOptions & LifetimeOption & { graceMs?: number } = {},
  ): Promise<RotatedToken> {
    const chosen = checkedLifetime(options.expiresInMs);
    const graceMs = options.graceMs ?? DEFAULT_ROTATION_GRACE_MS;
    if (!Number.isInteger(graceMs) || graceMs < 0 || graceMs > MAX_ROTATION_GRACE_MS) {
      throw invalidValue(
        `The grace of a rotation must be from 0 to ${MAX_ROTATION_GRACE_MS / 86_400_000} days`,
        'token.grace',
      );
    }
    const rotated = await this.store.transaction(async (tx) => {
      const old = await tx.findTokenById(tokenId);
      if (!old) throw tokenNotFound(tokenId);
      const now = this.clock();
      if (old.revokedAt !== null || (old.expiresAt !== null && old.expiresAt <= now)) {
        throw invalidValue(
          `Token ${tokenId} is ${old.revokedAt !== null ? 'revoked' : 'expired'}: issue a new one instead`,
          'token.notActive',
        );
      }
      const lifetime = chosen === undefined ? DEFAULT_TOKEN_LIFETIME_MS : chosen;
      const issued = this.newToken(old.orgId, old.label, lifetime);
      await tx.insertToken(issued.record);
      const graceEnd = now + graceMs;
      const expiresAt = old.expiresAt !== null && old.expiresAt < graceEnd ? old.expiresAt : graceEnd;
      await tx.expireToken(old.orgId, old.id, expiresAt);
      const previous: TokenRecord = { ...old, expiresAt };
      await this.auditTrail.record(tx, operator, {
        action: 'token.rotated',
        orgId: old.orgId,
        targetType: 'token',
        targetId: old.id,
        detail: { ...tokenDetail(issued.record), newTokenId: issued.record.id, oldExpiresAt: expiresAt, graceMs },
        requestId: options.requestId ?? uuidv7(now),
      });
      return { ...issued, previous };
    });
    // A rotation without grace ends the old token now: everywhere, once this returns.
    await credentialChangeSettled(this.store);
    return rotated;
  }

  private newToken(orgId: string, label: string | null, expiresInMs: number | null): IssuedToken {
    const token = newSecret(TOKEN_PREFIX);
    const now = this.clock();
    const record: TokenRecord = {
      orgId,
      id: uuidv7(now),
      tokenHash: hashSecret(token),
      hint: secretHint(token, TOKEN_PREFIX),
      label,
      createdAt: now,
      expiresAt: expiresInMs === null ? null : now + expiresInMs,
      revokedAt: null,
      lastUsedAt: null,
    };
    return { record, token };
  }

  /** Resolves a bearer secret to its organization; the secret itself is only ever hashed. */
  async authenticate(secret: string | undefined): Promise<AuthResult> {
    if (!secret) return { ok: false, reason: 'missing' };
    const tokenHash = hashSecret(secret);
    const version = this.store.credentialsVersion();
    let found = this.cache.get(tokenHash, version);
    if (found === undefined) {
      found = await this.store.findTokenWithOrg(tokenHash);
      if (!found) return { ok: false, reason: 'unknown' };
      this.cache.set(tokenHash, found, version);
    }
    const { token, org } = found;
    const now = this.clock();
    // A revoked or expired token still names its organization, so the refusal is logged there.
    const state = credentialState(token, now);
    if (state !== 'active') return { ok: false, reason: state, org, token };
    if (!org.scimEnabled) return { ok: false, reason: 'scimDisabled', org, token };
    if (this.lastUse.due(token.id, token.lastUsedAt, now)) await this.store.touchToken(token.orgId, token.id, now);
    const expiryWarning = this.expiryWarnings.due(token, now);
    return expiryWarning ? { ok: true, org, token, expiryWarning } : { ok: true, org, token };
  }

  /**
   * How many tokens of all organizations end within 30 days, and ended within 7, unreplaced
   * (token-expiry.ts): one indexed query, whose answer serves every caller for
   * EXPIRY_COUNTS_MAX_AGE_MS, so scrapes, however frequent and from however many Prometheus
   * servers, cost the database at most one query a minute per instance.
   */
  expiryCounts(): Promise<TokenExpiryCounts> {
    const now = this.clock();
    const cached = this.countsRead;
    if (cached && now >= cached.at && now - cached.at < EXPIRY_COUNTS_MAX_AGE_MS) return cached.counts;
    const counts = this.store.tokenExpiryCounts(expiryWindow(now));
    const read = { at: now, counts };
    this.countsRead = read;
    // A failed read is not kept: the next scrape asks again.
    counts.catch(() => {
      if (this.countsRead === read) this.countsRead = undefined;
    });
    return counts;
  }
}

/** `90d`, `12h`, `30m`, `45s` → milliseconds; undefined when not of that form. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)\s*([smhdw])$/.exec(text.trim());
  if (!match) return undefined;
  const n = Number(match[1]);
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[
    match[2] as 's' | 'm' | 'h' | 'd' | 'w'
  ];
  return n > 0 ? n * unit : undefined;
}

/** A lifetime given by a caller: a positive number of milliseconds, null (never), or undefined. */
function checkedLifetime(expiresInMs: number | null | undefined): number | null | undefined {
  if (expiresInMs === undefined || expiresInMs === null) return expiresInMs;
  if (!(expiresInMs > 0) || !Number.isSafeInteger(expiresInMs)) {
    throw invalidValue('A token expiry must be in the future', 'token.expiry');
  }
  if (expiresInMs > MAX_TOKEN_LIFETIME_MS) {
    throw invalidValue(
      `A token lifetime is at most ${MAX_TOKEN_LIFETIME_MS / DAY_MS} days; issue it with "never" for no expiry`,
      'token.expiry',
    );
  }
  return expiresInMs;
}

const tokenNotFound = (tokenId: string) => notFound(`No token with id ${tokenId}`, 'token.notFound');

/** What the trail keeps of a token: never the secret, only what names it. */
const tokenDetail = (t: TokenRecord) => ({ hint: t.hint, label: t.label, expiresAt: t.expiresAt });
