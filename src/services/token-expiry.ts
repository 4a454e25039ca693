import type { ExpiryWindow, TokenExpiryCounts, TokenRecord } from '../store/store.js';
import { UseThrottle } from './use-throttle.js';

/*
 * When SCIM tokens end, and who hears about it before they do (issue 12). A token issued without
 * a lifetime lasts DEFAULT_TOKEN_LIFETIME_MS: a secret pasted into an IdP a year ago should not
 * stay valid for ever by accident; "never" is a choice support makes explicitly. Within
 * EXPIRY_WARNING_MS of its end a token in use is warned about (service log, org health), counted
 * (the scim_tokens_expiring gauge), and shown with its days left everywhere it is listed.
 * A leaf module (no store, no node:crypto): the CLI's `--help` and the console import it freely.
 */

export const DAY_MS = 86_400_000;
/** A token's lifetime when whoever issues it names none: one year. */
export const DEFAULT_TOKEN_LIFETIME_MS = 365 * DAY_MS;
/** How close to its end a live token is "expiring": warned about, counted, flagged in health. */
export const EXPIRY_WARNING_MS = 30 * DAY_MS;
/** How long after its end an unreplaced token still counts as "expired recently". */
export const EXPIRED_RECENTLY_MS = 7 * DAY_MS;
/** The service log's warning about one token's coming expiry: at most once per this, per process. */
export const EXPIRY_WARNING_INTERVAL_MS = 3_600_000;
/** How long one reading of the expiry counts serves scrapes (the query runs at most this often). */
export const EXPIRY_COUNTS_MAX_AGE_MS = 60_000;

/** The word for "no expiry" in `--expires-in` and the console's form. */
export const NEVER = 'never';

/**
 * Tokens about to end or just ended, all organizations together (store.tokenExpiryCounts). Only
 * tokens nobody replaced count: a token is replaced when a newer live token of its organization
 * with the same label outlives it (what `token rotate` makes), so a rotation's grace does not
 * look like a lapse.
 */
export type { ExpiryWindow, TokenExpiryCounts };

export const expiryWindow = (now: number): ExpiryWindow => ({
  now,
  soonUntil: now + EXPIRY_WARNING_MS,
  recentSince: now - EXPIRED_RECENTLY_MS,
});

/**
 * Days left before `expiresAt`, to the nearest whole day (a token issued for 365 days has 365 left,
 * not 364 and some hours), negative once it has ended; null: never expires.
 */
export function daysLeft(expiresAt: number | null, now: number): number | null {
  return expiresAt === null ? null : roundDays(expiresAt - now);
}

const roundDays = (ms: number): number => Math.round(ms / DAY_MS) || 0; // `|| 0`: never -0

/** "2027-12-03 (in 365 d)", "2026-12-04 (in 5 h)", "EXPIRED 2026-11-01", "never": what lists show. */
export function describeExpiry(expiresAt: number | null, now: number): string {
  if (expiresAt === null) return NEVER;
  const day = new Date(expiresAt).toISOString().slice(0, 10);
  return expiresAt <= now ? `EXPIRED ${day}` : `${day} (${timeLeft(expiresAt, now)})`;
}

/** "in 365 d", "in 5 h", "in 3 min", "EXPIRED": how long a token has left, in its largest unit. */
export function timeLeft(expiresAt: number, now: number): string {
  const left = expiresAt - now;
  if (left <= 0) return 'EXPIRED';
  if (left >= DAY_MS) return `in ${roundDays(left)} d`;
  if (left >= 3_600_000) return `in ${Math.round(left / 3_600_000)} h`;
  return `in ${Math.max(1, Math.round(left / 60_000))} min`;
}

/**
 * A lifetime as support types it: "never" (no expiry), or a duration such as 90d, 12h, 30m;
 * undefined when it is neither. `parseDuration` reads the durations.
 */
export function parseLifetime(
  text: string,
  parseDuration: (text: string) => number | undefined,
): number | null | undefined {
  if (text.trim().toLowerCase() === NEVER) return null;
  return parseDuration(text);
}

/** What the service log says about a token in use that ends soon: names it, never its secret. */
export interface ExpiryWarning {
  readonly orgId: string;
  readonly tokenId: string;
  readonly label: string | null;
  readonly expiresAt: string;
  readonly daysLeft: number;
}

/**
 * Which uses of an expiring token get a warning in the log: the first one, then at most one per
 * token per EXPIRY_WARNING_INTERVAL_MS in this process, so an IdP's sync cycle of thousands of
 * requests is one line, not thousands. Remembers the tokens it warned about, bounded.
 */
export class ExpiryWarnings {
  private readonly throttle: UseThrottle;

  constructor(maxTokens = 10_000) {
    this.throttle = new UseThrottle(EXPIRY_WARNING_INTERVAL_MS, maxTokens);
  }

  /** The warning for this use of `token` at `now`, or undefined when none is due. */
  due(token: TokenRecord, now: number): ExpiryWarning | undefined {
    if (token.expiresAt === null || token.expiresAt - now > EXPIRY_WARNING_MS) return undefined;
    if (!this.throttle.due(token.id, null, now)) return undefined;
    return {
      orgId: token.orgId,
      tokenId: token.id,
      label: token.label,
      expiresAt: new Date(token.expiresAt).toISOString(),
      daysLeft: roundDays(token.expiresAt - now),
    };
  }
}

/**
 * Whether a newer live token of the same organization and label outlives `t` (what a rotation
 * leaves): its end then loses the IdP nothing. The rule of store.tokenExpiryCounts, for one
 * organization's tokens in memory.
 */
export function isReplaced(t: TokenRecord, tokens: readonly TokenRecord[]): boolean {
  if (t.expiresAt === null) return false;
  const end = t.expiresAt;
  return tokens.some(
    (n) => n.revokedAt === null && (n.label ?? '') === (t.label ?? '') && (n.expiresAt === null || n.expiresAt > end),
  );
}

/** A token support should act on, as `org health` reports it (services/org-health.ts). */
export interface TokenFinding {
  /** `expiring`: live, ends within 30 days; `expired`: ended within 7 days while in use. */
  readonly kind: 'expiring' | 'expired';
  readonly tokenId: string;
  readonly hint: string;
  readonly label: string | null;
  readonly expiresAt: number;
  readonly lastUsedAt: number | null;
  /** Days left, to the nearest whole day (daysLeft); negative once expired. */
  readonly daysLeft: number;
  /** What is wrong and what to do, in words. */
  readonly text: string;
}

/**
 * One organization's tokens that end within EXPIRY_WARNING_MS, or ended within EXPIRED_RECENTLY_MS
 * after being used, and that nothing replaced (isReplaced). A token that expired unused is no
 * finding: no IdP depended on it.
 */
export function tokenFindings(tokens: readonly TokenRecord[], now: number): TokenFinding[] {
  const findings: TokenFinding[] = [];
  for (const t of tokens) {
    if (t.revokedAt !== null || t.expiresAt === null || isReplaced(t, tokens)) continue;
    const { expiresAt } = t;
    const name = `token ${t.hint}…${t.label ? ` (${t.label})` : ''}`;
    const at = new Date(expiresAt).toISOString();
    const base = {
      tokenId: t.id,
      hint: t.hint,
      label: t.label,
      expiresAt,
      lastUsedAt: t.lastUsedAt,
      daysLeft: roundDays(expiresAt - now),
    };
    if (expiresAt > now && expiresAt - now <= EXPIRY_WARNING_MS) {
      findings.push({
        ...base,
        kind: 'expiring',
        text: `${name} expires ${at} (${timeLeft(expiresAt, now)}): rotate it (token rotate --token ${t.id}) and give the IdP the new secret`,
      });
    } else if (expiresAt <= now && now - expiresAt < EXPIRED_RECENTLY_MS && t.lastUsedAt !== null) {
      findings.push({
        ...base,
        kind: 'expired',
        text: `${name} expired ${at} and was in use (last used ${new Date(t.lastUsedAt).toISOString()}): the IdP's requests with it get 401; issue a new token and give it to the IdP`,
      });
    }
  }
  return findings;
}
