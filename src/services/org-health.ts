import type { LogFigures, LogRecord, LogWindow, Store } from '../store/store.js';
import type { WebhookRecord } from '../store/webhooks-store.js';
import { causeOf } from './error-causes.js';
import { orgNotFound } from './org-not-found.js';
import type { ProvisioningLog } from './provisioning-log.js';
import { type TokenFinding, tokenFindings } from './token-expiry.js';
import type { WebhookView } from './webhook-views.js';
import type { Webhooks } from './webhooks.js';

/*
 * Is this customer's sync healthy? The figures come from the provisioning log, read in bounded
 * windows: one organization's health reads at most HEALTH_SCAN_CAP of its newest entries of the
 * last 24 h (a busy organization's day is then the part of it those entries cover, and the report
 * says so), and the overview of all organizations one grouped query over at most
 * OVERVIEW_SCAN_CAP entries of all of them.
 *
 * Unhealthy means any of:
 *  - more than 5 % of the answers in the window were errors (status 400 or above), out of at
 *    least 20 requests (fewer say too little);
 *  - any 5xx or 401 answer in the last hour (the service failing, or the IdP's token refused);
 *  - a webhook that receives the organization's events is disabled.
 *
 * Besides the verdict, a report lists the tokens to act on before the IdP's sync fails (or
 * because it has): expiring within 30 days, or expired while in use (token-expiry.ts). They do
 * not make the organization unhealthy (nothing fails yet; an IdP using an expired token shows as
 * 401s in the last hour, which does), and the overview does not read tokens.
 */

export const HEALTH_WINDOW_MS = 24 * 60 * 60 * 1000;
export const ALARM_WINDOW_MS = 60 * 60 * 1000;
/** Most log entries one organization's report counts. */
export const HEALTH_SCAN_CAP = 50_000;
/** Most log entries the overview of all organizations counts, together. */
export const OVERVIEW_SCAN_CAP = 200_000;
/** Most organizations one overview judges (the console's list pages fewer). */
export const OVERVIEW_MAX_ORGS = 1000;
export const TOP_ERROR_CODES = 5;
/** Most webhooks the overview reads (a report shows what the webhooks service lists). */
export const OVERVIEW_MAX_WEBHOOKS = 1000;
export const UNHEALTHY_ERROR_RATE = 0.05;
export const UNHEALTHY_MIN_REQUESTS = 20;

/** An error code's share of the window, with what it means. */
export interface ErrorCodeHealth {
  readonly code: string;
  readonly status: number;
  readonly count: number;
  readonly lastAt: number;
  /** From error-causes.ts; null for a code it does not explain. */
  readonly cause: string | null;
  readonly remedy: string | null;
}

/** Where one webhook stands with the organization's events. */
export interface WebhookHealth {
  readonly webhookId: string;
  readonly url: string;
  /** `deployment`: it receives every organization's events. */
  readonly scope: 'organization' | 'deployment';
  /** `failing`: its last attempt for this organization failed and it is retrying. */
  readonly state: 'delivering' | 'failing' | 'disabled';
  readonly disabledReason: string | null;
  /** Events not delivered yet; null before its first attempt for the organization. */
  readonly backlog: number | null;
  readonly failingSince: number | null;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly lastAttemptAt: number | null;
}

/** Whether the organization stands out, and each reason in words. */
export interface HealthVerdict {
  readonly unhealthy: boolean;
  readonly reasons: readonly string[];
}

export interface OrgHealthReport {
  readonly orgId: string;
  /** When it was computed, and the start of the 24 h window. */
  readonly at: number;
  readonly since: number;
  /**
   * True when the window held more than HEALTH_SCAN_CAP entries: the figures are those of the
   * newest ones, which reach back to `coveredSince`.
   */
  readonly cut: boolean;
  readonly coveredSince: number;
  readonly lastRequest: Pick<LogRecord, 'at' | 'status' | 'method' | 'path' | 'errorCode' | 'requestId' | 'id'> | null;
  readonly requests: number;
  readonly errors: number;
  /** errors / requests, 0 when there were none. */
  readonly errorRate: number;
  readonly serverErrors: number;
  /** 5xx and 401 answers in the last hour. */
  readonly alarms: number;
  readonly topErrors: readonly ErrorCodeHealth[];
  readonly webhooks: readonly WebhookHealth[];
  /** Tokens expiring within 30 days, or expired while in use, that no newer token replaced. */
  readonly tokens: readonly TokenFinding[];
  readonly verdict: HealthVerdict;
}

/** An organization's line in the overview. */
export interface OrgHealthSummary {
  readonly orgId: string;
  readonly requests: number;
  readonly errors: number;
  readonly alarms: number;
  readonly lastAt: number | null;
  readonly verdict: HealthVerdict;
}

export class OrgHealth {
  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
    private readonly webhooks: Pick<Webhooks, 'list'>,
    private readonly log: Pick<ProvisioningLog, 'flush'>,
  ) {}

  private window(cap: number): LogWindow {
    const now = this.clock();
    return { since: now - HEALTH_WINDOW_MS, alarmSince: now - ALARM_WINDOW_MS, cap };
  }

  async report(orgId: string): Promise<OrgHealthReport> {
    const org = await this.store.getOrg(orgId);
    if (!org) throw orgNotFound(orgId);
    await this.log.flush();
    const at = this.clock();
    const window = this.window(HEALTH_SCAN_CAP);
    const [figures, counts, [last], webhooks, tokens] = await Promise.all([
      this.store.logFigures(orgId, window),
      this.store.logErrorCounts(orgId, window, TOP_ERROR_CODES),
      this.store.queryLog(orgId, { limit: 1 }),
      this.webhooks.list({ orgId }),
      this.store.listTokens(orgId),
    ]);
    const cut = figures.requests >= window.cap;
    const hooks = webhooks.map((w) => webhookHealth(w, orgId));
    return {
      orgId,
      at,
      since: window.since,
      cut,
      coveredSince: cut && figures.oldestAt !== null ? figures.oldestAt : window.since,
      lastRequest: last
        ? {
            id: last.id,
            at: last.at,
            status: last.status,
            method: last.method,
            path: last.path,
            errorCode: last.errorCode,
            requestId: last.requestId,
          }
        : null,
      requests: figures.requests,
      errors: figures.errors,
      errorRate: rate(figures),
      serverErrors: figures.serverErrors,
      alarms: figures.alarms,
      topErrors: counts.map((c) => {
        const explained = causeOf(c.code);
        return { ...c, cause: explained?.cause ?? null, remedy: explained?.remedy ?? null };
      }),
      webhooks: hooks,
      tokens: tokenFindings(tokens, at),
      verdict: judge(
        figures,
        hooks.filter((w) => w.state === 'disabled'),
      ),
    };
  }

  /**
   * A verdict for each of `orgIds` (at most OVERVIEW_MAX_ORGS; more is a programming error), from
   * one grouped log query and one read of the webhooks, whatever the number of organizations.
   */
  async overview(orgIds: readonly string[]): Promise<Map<string, OrgHealthSummary>> {
    if (orgIds.length > OVERVIEW_MAX_ORGS) {
      throw new RangeError(`overview judges at most ${OVERVIEW_MAX_ORGS} organizations at once`);
    }
    await this.log.flush();
    // Only whether each webhook is enabled matters here: one read of the webhooks, without the
    // cursor reads per webhook that the webhooks service's views make.
    const [figures, webhooks] = await Promise.all([
      this.store.logFiguresByOrg(this.window(OVERVIEW_SCAN_CAP)),
      this.store.webhooks.list({ limit: OVERVIEW_MAX_WEBHOOKS }),
    ]);
    const byOrg = new Map(figures.map((f) => [f.orgId, f]));
    const disabled = webhooks.filter((w) => !w.enabled);
    const out = new Map<string, OrgHealthSummary>();
    for (const orgId of orgIds) {
      const f = byOrg.get(orgId) ?? emptyFigures(orgId);
      const its = disabled.filter((w) => w.orgId === null || w.orgId === orgId).map((w) => disabledHealth(w));
      out.set(orgId, {
        orgId,
        requests: f.requests,
        errors: f.errors,
        alarms: f.alarms,
        lastAt: f.newestAt,
        verdict: judge(f, its),
      });
    }
    return out;
  }
}

/** A webhook as the organization's health shows it: its state for this organization's events. */
function webhookHealth(w: WebhookView, orgId: string): WebhookHealth {
  const mine = w.organizations.find((o) => o.orgId === orgId);
  return {
    webhookId: w.id,
    url: w.url,
    scope: w.orgId === null ? 'deployment' : 'organization',
    state: !w.enabled ? 'disabled' : mine?.failingSince != null ? 'failing' : 'delivering',
    disabledReason: w.disabledReason,
    backlog: mine?.backlog ?? null,
    failingSince: mine?.failingSince ?? null,
    lastStatus: mine?.lastStatus ?? null,
    lastError: mine?.lastError ?? null,
    lastAttemptAt: mine?.lastAttemptAt ?? null,
  };
}

function disabledHealth(w: WebhookRecord): WebhookHealth {
  return {
    webhookId: w.id,
    url: w.url,
    scope: w.orgId === null ? 'deployment' : 'organization',
    state: 'disabled',
    disabledReason: w.disabledReason,
    backlog: null,
    failingSince: null,
    lastStatus: null,
    lastError: null,
    lastAttemptAt: null,
  };
}

const rate = (f: LogFigures): number => (f.requests === 0 ? 0 : f.errors / f.requests);

const emptyFigures = (orgId: string): LogFigures => ({
  orgId,
  requests: 0,
  errors: 0,
  serverErrors: 0,
  alarms: 0,
  oldestAt: null,
  newestAt: null,
});

/** The rules of the module comment, each broken one in words. */
export function judge(f: LogFigures, disabledWebhooks: readonly WebhookHealth[]): HealthVerdict {
  const reasons: string[] = [];
  if (f.requests >= UNHEALTHY_MIN_REQUESTS && rate(f) > UNHEALTHY_ERROR_RATE) {
    reasons.push(`${percent(rate(f))} of ${f.requests} requests in the last 24 h were refused or failed`);
  }
  if (f.alarms > 0) {
    reasons.push(`${f.alarms} answer${f.alarms === 1 ? '' : 's'} with status 5xx or 401 in the last hour`);
  }
  for (const w of disabledWebhooks) {
    reasons.push(`webhook ${w.url} is disabled${w.disabledReason ? `: ${w.disabledReason}` : ''}`);
  }
  return { unhealthy: reasons.length > 0, reasons };
}

/** 0.0523 → "5.2 %": one decimal, so 5.04 % does not read as the 5 % it exceeds. */
export const percent = (fraction: number): string => `${(Math.round(fraction * 1000) / 10).toFixed(1)} %`;
