import { createHash, randomBytes } from 'node:crypto';
import { invalidValue, notFound } from '../scim/scim-error.js';
import type { OrgRecord, Store, TokenRecord } from '../store/store.js';
import { uuidv7 } from './ids.js';
import { orgNotFound } from './org-not-found.js';

/** Recognisable prefix: secret scanners and support can tell a parallel-scim token at a glance. */
export const TOKEN_PREFIX = 'pscim_';
const HINT_LENGTH = TOKEN_PREFIX.length + 4;
/** last_used_at is written at most this often per token, so auth is not a write per request. */
const TOUCH_INTERVAL_MS = 60_000;

function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export interface IssuedToken {
  readonly record: TokenRecord;
  /** The secret: shown once, never stored. */
  readonly token: string;
}

export type AuthResult =
  | { readonly ok: true; readonly org: OrgRecord; readonly token: TokenRecord }
  | {
      readonly ok: false;
      readonly reason: 'missing' | 'unknown' | 'revoked' | 'expired' | 'scimDisabled';
      readonly org?: OrgRecord;
      readonly token?: TokenRecord;
    };

export class Tokens {
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
  ) {}

  async issue(orgId: string, options: { expiresInMs?: number; label?: string } = {}): Promise<IssuedToken> {
    const org = await this.store.getOrg(orgId);
    if (!org) throw orgNotFound(orgId);
    if (options.expiresInMs !== undefined && !(options.expiresInMs > 0)) {
      throw invalidValue('A token expiry must be in the future', 'token.expiry');
    }
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const now = this.clock();
    const record: TokenRecord = {
      orgId,
      id: uuidv7(now),
      tokenHash: hashToken(token),
      hint: token.slice(0, HINT_LENGTH),
      label: options.label ?? null,
      createdAt: now,
      expiresAt: options.expiresInMs !== undefined ? now + options.expiresInMs : null,
      revokedAt: null,
      lastUsedAt: null,
    };
    await this.store.insertToken(record);
    return { record, token };
  }

  async list(orgId: string): Promise<TokenRecord[]> {
    const org = await this.store.getOrg(orgId);
    if (!org) throw orgNotFound(orgId);
    return this.store.listTokens(orgId);
  }

  async revoke(tokenId: string): Promise<TokenRecord> {
    const token = await this.store.findTokenById(tokenId);
    if (!token) throw notFound(`No token with id ${tokenId}`, 'token.notFound');
    await this.store.revokeToken(token.orgId, token.id, this.clock());
    return (await this.store.findTokenById(tokenId)) ?? token;
  }

  /** Resolves a bearer secret to its organization; the secret itself is only ever hashed. */
  async authenticate(secret: string | undefined): Promise<AuthResult> {
    if (!secret) return { ok: false, reason: 'missing' };
    const found = await this.store.findTokenWithOrg(hashToken(secret));
    if (!found) return { ok: false, reason: 'unknown' };
    const { token, org } = found;
    const now = this.clock();
    // A revoked or expired token still names its organization, so the refusal is logged there.
    if (token.revokedAt !== null) return { ok: false, reason: 'revoked', org, token };
    if (token.expiresAt !== null && token.expiresAt <= now) return { ok: false, reason: 'expired', org, token };
    if (!org.scimEnabled) return { ok: false, reason: 'scimDisabled', org, token };
    const last = this.lastTouched.get(token.id) ?? token.lastUsedAt ?? 0;
    if (now - last >= TOUCH_INTERVAL_MS) {
      this.lastTouched.set(token.id, now);
      await this.store.touchToken(token.orgId, token.id, now);
    }
    return { ok: true, org, token };
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
