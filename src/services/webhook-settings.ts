/**
 * How webhook delivery runs on an instance (config.ts reads them from WEBHOOK_*; the tests pass
 * small figures). docs/webhooks.md "Settings" lists each with its default.
 */
export interface WebhookSettings {
  /** Time between two looks for due work while idle. */
  readonly pollIntervalMs: number;
  /** (webhook, organization) pairs an instance sends to at once; each pair sends one event at a time. */
  readonly concurrency: number;
  /** Longest one delivery may take, connection and response included. */
  readonly timeoutMs: number;
  /** First retry delay; each failure doubles it up to `backoffMaxMs` (then jittered). */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** A webhook failing for this long without a success is disabled (0: never by time). */
  readonly disableAfterMs: number;
  /** ... or after this many failed attempts at one event (0: never by count). */
  readonly disableAfterAttempts: number;
  /** How often deployment-wide webhooks look for organizations they have no cursor for yet. */
  readonly discoverIntervalMs: number;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  pollIntervalMs: 1_000,
  concurrency: 8,
  timeoutMs: 10_000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 3_600_000,
  disableAfterMs: 72 * 3_600_000,
  disableAfterAttempts: 0,
  discoverIntervalMs: 10_000,
};

/**
 * The delay before retry number `attempt` (1 after the first failure): base doubling per
 * attempt, capped, then "equal jitter": between half the figure and the whole of it, so instances
 * retrying a receiver that came back do not all arrive in the same second.
 */
export function retryDelayMs(
  attempt: number,
  settings: Pick<WebhookSettings, 'backoffBaseMs' | 'backoffMaxMs'>,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 40);
  const full = Math.min(settings.backoffMaxMs, settings.backoffBaseMs * 2 ** exponent);
  return Math.round(full / 2 + (random() * full) / 2);
}

/** Whether a failure streak has lasted long enough to disable the webhook. */
export function streakExhausted(
  settings: Pick<WebhookSettings, 'disableAfterMs' | 'disableAfterAttempts'>,
  failingSince: number,
  attempts: number,
  now: number,
): boolean {
  const byTime = settings.disableAfterMs > 0 && now - failingSince >= settings.disableAfterMs;
  const byCount = settings.disableAfterAttempts > 0 && attempts >= settings.disableAfterAttempts;
  return byTime || byCount;
}
