import { invalidValue, notFound, type ScimError } from '../scim/scim-error.js';
import type { WebhookCursorState, WebhookRecord } from '../store/webhooks-store.js';

/* Webhooks as support reads them (never a secret), and the checks of what support types. */

/** Longest webhook URL accepted. */
export const MAX_WEBHOOK_URL = 2048;

export type WebhookState = 'enabled' | 'failing' | 'disabled';

/** A webhook as support sees it: never its secrets. */
export interface WebhookSummary {
  readonly id: string;
  readonly orgId: string | null;
  readonly url: string;
  readonly description: string | null;
  readonly enabled: boolean;
  readonly disabledAt: number | null;
  readonly disabledReason: string | null;
  /** When the previous secret stops signing, during a rotation's grace; null otherwise. */
  readonly previousSecretExpiresAt: number | null;
  readonly createdAt: number;
}

/** One organization's delivery position for a webhook. */
export interface WebhookOrgState {
  readonly orgId: string;
  readonly lastCursor: number;
  /** Events after `lastCursor` not delivered yet. */
  readonly backlog: number;
  readonly attempts: number;
  readonly failingSince: number | null;
  readonly nextAttemptAt: number;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly lastAttemptAt: number | null;
}

export interface WebhookView extends WebhookSummary {
  /** disabled; failing when some organization's delivery is in a failure streak; else enabled. */
  readonly state: WebhookState;
  /** Start of the oldest failure streak among its organizations. */
  readonly failingSince: number | null;
  /** The receiver's status at the most recent attempt, and its error. */
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly lastAttemptAt: number | null;
  /** Events waiting, over the organizations read (at most MAX_CURSORS_READ). */
  readonly backlog: number;
  readonly organizations: readonly WebhookOrgState[];
}

/** What `add` and `rotateSecret` answer: the secret, shown this once. */
export interface WebhookWithSecret {
  readonly webhook: WebhookSummary;
  readonly secret: string;
}

export interface TestResult {
  readonly ok: boolean;
  readonly status: number | null;
  readonly error: string | null;
  readonly responseExcerpt: string | null;
  readonly durationMs: number;
}

export const webhookNotFound = (id: string): ScimError => notFound(`No webhook with id ${id}`, 'webhook.notFound');

/** The URL as stored, or a 400 that says what is wrong with it. */
export function checkWebhookUrl(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length > MAX_WEBHOOK_URL) {
    throw invalidValue(`A webhook URL may have at most ${MAX_WEBHOOK_URL} characters`, 'webhook.url');
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw invalidValue(`"${trimmed}" is not a URL (give it as https://host/path)`, 'webhook.url');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalidValue(`A webhook URL must be http:// or https://; got ${url.protocol}`, 'webhook.url');
  }
  // A password in the URL would be printed by every list; receivers verify the signature instead.
  if (url.username !== '' || url.password !== '') {
    throw invalidValue('A webhook URL may not carry a user name or password', 'webhook.url');
  }
  return url.toString();
}

export const summary = (w: WebhookRecord): WebhookSummary => ({
  id: w.id,
  orgId: w.orgId,
  url: w.url,
  description: w.description,
  enabled: w.enabled,
  disabledAt: w.disabledAt,
  disabledReason: w.disabledReason,
  previousSecretExpiresAt: w.previousSecret === null ? null : w.previousSecretExpiresAt,
  createdAt: w.createdAt,
});

export function view(w: WebhookRecord, cursors: readonly WebhookCursorState[]): WebhookView {
  const organizations = cursors.map(
    (c): WebhookOrgState => ({
      orgId: c.orgId,
      lastCursor: c.lastCursor,
      backlog: Math.max(0, c.headCursor - c.lastCursor),
      attempts: c.attempts,
      failingSince: c.failingSince,
      nextAttemptAt: c.nextAttemptAt,
      lastStatus: c.lastStatus,
      lastError: c.lastError,
      lastAttemptAt: c.lastAttemptAt,
    }),
  );
  const streaks = organizations.flatMap((o) => (o.failingSince === null ? [] : [o.failingSince]));
  const latest = organizations.reduce<WebhookOrgState | undefined>(
    (best, o) => (o.lastAttemptAt !== null && (best?.lastAttemptAt ?? -1) < o.lastAttemptAt ? o : best),
    undefined,
  );
  return {
    ...summary(w),
    state: !w.enabled ? 'disabled' : streaks.length > 0 ? 'failing' : 'enabled',
    failingSince: streaks.length > 0 ? Math.min(...streaks) : null,
    lastStatus: latest?.lastStatus ?? null,
    lastError: latest?.lastError ?? null,
    lastAttemptAt: latest?.lastAttemptAt ?? null,
    backlog: organizations.reduce((sum, o) => sum + o.backlog, 0),
    organizations,
  };
}
