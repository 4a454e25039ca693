import type { Store } from '../store/store.js';
import { AuditTrail } from './audit-trail.js';
import { Backups } from './backups.js';
import { EventsFeed } from './events-feed.js';
import { EventsSnapshot } from './events-snapshot.js';
import { Operations } from './operations.js';
import { OrgHealth } from './org-health.js';
import { Organizations } from './organizations.js';
import { ProvisioningLog } from './provisioning-log.js';
import { RootSearch } from './search.js';
import { ServiceKeys } from './service-keys.js';
import { SetupLinks } from './setup-links.js';
import { Staff } from './staff.js';
import { StaffSessions } from './staff-sessions.js';
import { TeamLookup } from './team-lookup.js';
import { Teams } from './teams.js';
import { Tokens } from './tokens.js';
import { UserSupport } from './user-support.js';
import { Users } from './users.js';
import { WebhookDelivery } from './webhook-delivery.js';
import { Webhooks } from './webhooks.js';

/** The use cases HTTP, the console and the CLI share: one set per process, over one store. */
export interface Services {
  readonly operations: Operations;
  readonly organizations: Organizations;
  readonly tokens: Tokens;
  readonly log: ProvisioningLog;
  readonly users: Users;
  readonly teams: Teams;
  readonly rootSearch: RootSearch;
  readonly auditTrail: AuditTrail;
  /** Support's view and fixes of users (show, find, deactivate, unlink, erase). */
  readonly userSupport: UserSupport;
  readonly health: OrgHealth;
  /** Support's search of teams and keyset pages of a team's members (the console). */
  readonly teamLookup: TeamLookup;
  /** Console staff accounts; `staffSessions` signs them in. */
  readonly staff: Staff;
  readonly staffSessions: StaffSessions;
  readonly setupLinks: SetupLinks;
  /** Webhook subscriptions as support manages them; `webhookDelivery` runs the sending. */
  readonly webhooks: Webhooks;
  readonly webhookDelivery: WebhookDelivery;
  /** Directory events for the rest of Parallel (docs/events.md): the feed, the snapshot, their keys. */
  readonly eventsFeed: EventsFeed;
  readonly eventsSnapshot: EventsSnapshot;
  readonly serviceKeys: ServiceKeys;
  /** Online copies of a SQLite database (the CLI's `backup`). */
  readonly backups: Backups;
}

/** Settings a use case needs besides the store (the rest of Config belongs to HTTP and the worker). */
export interface ServiceSettings {
  /** How long `webhook test` waits for the receiver: the worker's own delivery timeout. */
  readonly webhookTimeoutMs?: number;
}

export function createServices(store: Store, clock: () => number = Date.now, settings: ServiceSettings = {}): Services {
  const log = new ProvisioningLog(store, clock);
  const users = new Users(store, log, clock);
  const teams = new Teams(store, log, clock);
  const auditTrail = new AuditTrail(store, clock);
  const tokens = new Tokens(store, clock, auditTrail);
  const webhooks = new Webhooks(store, auditTrail, clock, settings.webhookTimeoutMs);
  return {
    operations: new Operations(store),
    organizations: new Organizations(store, clock, auditTrail),
    tokens,
    log,
    users,
    teams,
    rootSearch: new RootSearch(store, users, teams),
    auditTrail,
    userSupport: new UserSupport(store, log, auditTrail, clock),
    health: new OrgHealth(store, clock, webhooks, log),
    teamLookup: new TeamLookup(store),
    staff: new Staff(store, auditTrail, clock),
    staffSessions: new StaffSessions(store, auditTrail, clock),
    setupLinks: new SetupLinks(store, tokens, auditTrail, clock),
    webhooks,
    webhookDelivery: new WebhookDelivery(store, clock),
    eventsFeed: new EventsFeed(store, clock),
    eventsSnapshot: new EventsSnapshot(store),
    serviceKeys: new ServiceKeys(store, clock, auditTrail),
    backups: new Backups(store),
  };
}

export { ScimError } from '../scim/scim-error.js';
export type { SetupLinkRecord } from '../store/staff-store.js';
// The records use cases return, as support's tools print them.
export {
  type DeleteMode,
  type LogRecord,
  type MemberRecord,
  memberIdOf,
  type OrgRecord,
  type TeamRecord,
  type TokenRecord,
  type UserRecord,
  type UserTeamRecord,
} from '../store/store.js';
// A DATABASE_URL that names no database the service can open.
// The database could not serve (timeouts, outage): every use case may throw it; callers answer 503.
export { DatabaseUrlError, StoreUnavailable, type UnavailableReason } from '../store/store-errors.js';
export type { WebhookDeliveryRecord } from '../store/webhooks-store.js';
export type { Actor, Audit, Change, Done, Operator } from './audit.js';
export type { AuditAction, AuditEntry, AuditQuery, AuditTrail } from './audit-trail.js';
export { MAX_AUDIT_LIST } from './audit-trail.js';
export type { BackupCopy } from './backups.js';
export type { DirectoryEvent, EventType, MemberData, TeamData, UserData } from './directory-events.js';
export { EVENT_TYPES, EVENT_VERSION } from './directory-events.js';
export type { ErrorCause } from './error-causes.js';
export { causeOf } from './error-causes.js';
export type { FeedPage } from './events-feed.js';
export { FEED_DEFAULT_LIMIT, FEED_MAX_LIMIT } from './events-feed.js';
export type { SnapshotPage } from './events-snapshot.js';
export { uuidv7 } from './ids.js';
export type { MigrationLevel, RateLimiter, RateLimitOptions } from './operations.js';
export type { ErrorCodeHealth, HealthVerdict, OrgHealthReport, OrgHealthSummary, WebhookHealth } from './org-health.js';
export { ORG_NOT_FOUND } from './org-not-found.js';
export type { OffboardResult } from './org-offboarding.js';
export { MAX_ORG_FIND, parseDeleteMode } from './organizations.js';
export type { LogSubject } from './provisioning-log.js';
export { credentialState } from './secrets.js';
export type { IssuedServiceKey, ServiceKeyAuth, ServiceKeyRecord } from './service-keys.js';
export { SERVICE_KEY_PREFIX } from './service-keys.js';
export type { CreatedSetupLink, SetupLinkOpening } from './setup-links.js';
export type { PasswordLink, PasswordLinkState, StaffAccount } from './staff.js';
export { MIN_PASSWORD_LENGTH } from './staff-passwords.js';
export type { SignedInStaff, SignInResult } from './staff-sessions.js';
export type { MemberPage } from './team-lookup.js';
export { MAX_TEAM_LOOKUP } from './team-lookup.js';
export type { GroupView } from './teams.js';
export type { IssuedToken, RotatedToken, SupportOptions } from './tokens.js';
export { DEFAULT_ROTATION_GRACE_MS, MAX_ROTATION_GRACE_MS, parseDuration, TOKEN_PREFIX } from './tokens.js';
export type { SupportChange, UserDetail, UserState } from './user-support.js';
export { MAX_USER_FIND, userState } from './user-support.js';
export type { RunningWorker, WorkerLog } from './webhook-delivery.js';
export { DEFAULT_WEBHOOK_SETTINGS, type WebhookSettings } from './webhook-settings.js';
export type {
  TestResult,
  WebhookOrgState,
  WebhookState,
  WebhookSummary,
  WebhookView,
  WebhookWithSecret,
} from './webhook-views.js';
export { MAX_DELIVERIES_LISTED, MAX_ROTATION_GRACE_MS as MAX_WEBHOOK_GRACE_MS } from './webhooks.js';
