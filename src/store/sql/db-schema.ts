import type {
  AuditTrailTable,
  EventCursorsTable,
  ServiceKeysTable,
  SetupLinksTable,
  SignInFailuresTable,
  StaffPasswordLinksTable,
  StaffSessionsTable,
  StaffTable,
  WebhookCursorsTable,
  WebhookDeliveriesTable,
  WebhooksTable,
} from './db-schema-support.js';

/**
 * The tables as Kysely sees them. Every tenant table leads with `org_id` in its primary key,
 * unique keys and foreign keys, so the schema can be distributed by organization. Booleans are
 * 0/1 integers and timestamps are epoch milliseconds on both dialects (STACK.md).
 */
export interface OrgsTable {
  id: string;
  name: string;
  scim_enabled: number;
  delete_mode: string;
  created_at: number;
  updated_at: number;
  /** The main application's own id for the organization (0012): unique when set. */
  external_ref: string | null;
  /** foldCase(name), for a lookup by name ignoring case (0012). */
  name_ci: string | null;
}

export interface TokensTable {
  org_id: string;
  id: string;
  token_hash: string;
  /** The first characters of the secret, enough to recognise a token in a list, never to use it. */
  hint: string;
  label: string | null;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface UsersTable {
  org_id: string;
  id: string;
  user_name: string;
  user_name_ci: string;
  external_id: string | null;
  active: number;
  /** 1 once SCIM created or linked the user (IdP-managed); 0 for users invited outside SCIM. */
  scim_managed: number;
  display_name: string | null;
  display_name_ci: string | null;
  given_name: string | null;
  given_name_ci: string | null;
  family_name: string | null;
  family_name_ci: string | null;
  formatted_name: string | null;
  formatted_name_ci: string | null;
  nick_name: string | null;
  nick_name_ci: string | null;
  title: string | null;
  title_ci: string | null;
  user_type: string | null;
  user_type_ci: string | null;
  locale: string | null;
  locale_ci: string | null;
  preferred_language: string | null;
  preferred_language_ci: string | null;
  timezone: string | null;
  timezone_ci: string | null;
  employee_number: string | null;
  employee_number_ci: string | null;
  cost_center: string | null;
  cost_center_ci: string | null;
  organization: string | null;
  organization_ci: string | null;
  division: string | null;
  division_ci: string | null;
  department: string | null;
  department_ci: string | null;
  manager_id: string | null;
  /** The canonical SCIM document (ResourceDoc) as JSON: what GET returns, values as sent. */
  doc: string;
  version: number;
  created_at: number;
  updated_at: number;
  /** Set when the IdP deleted the user and the account is retained: no SCIM read sees the row. */
  deleted_at: number | null;
}

/** One row per element of a value/type/primary multi-valued attribute (emails, phoneNumbers, ...). */
export interface UserValuesTable {
  org_id: string;
  user_id: string;
  attr: string;
  idx: number;
  value: string | null;
  value_ci: string | null;
  type: string | null;
  type_ci: string | null;
  display: string | null;
  display_ci: string | null;
  /** 1 `primary: true`, 0 `primary: false`, NULL sent without primary (RFC 7643 §2.4: absent stays absent). */
  primary_flag: number | null;
}

export interface ProvisioningLogTable {
  org_id: string;
  id: string;
  at: number;
  request_id: string;
  token_id: string | null;
  user_agent: string | null;
  method: string;
  path: string;
  status: number;
  resource_type: string | null;
  resource_id: string | null;
  summary: string | null;
  error_code: string | null;
  error_detail: string | null;
  duration_ms: number;
  /** The userName (User) or displayName (Group) the request named, clipped; null before 0009. */
  subject_name: string | null;
  /** foldCase(subject_name), the fold the users table uses, so a search ignores case the same way. */
  subject_name_ci: string | null;
  subject_external_id: string | null;
}

/** Directory events (rebuilt by 0010): the feed of each organization, in `cursor` order. */
export interface EventsTable {
  org_id: string;
  /** UUIDv7: the event's identity for consumers (webhook-id). */
  id: string;
  /** Gapless per organization, given at commit (event_cursors); unique with org_id. */
  cursor: number;
  at: number;
  type: string;
  /** Version of the `data` shape: 0 for the rows written before 0010. */
  version: number;
  resource_id: string;
  /** services/audit.ts Actor as JSON; null on rows written before 0010. */
  actor: string | null;
  request_id: string | null;
  /** The event's data as JSON. */
  data: string;
}

export interface TeamsTable {
  org_id: string;
  id: string;
  display_name: string;
  display_name_ci: string;
  external_id: string | null;
  /** The canonical SCIM document without members (they are rows of team_members). */
  doc: string;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface TeamMembersTable {
  org_id: string;
  team_id: string;
  user_id: string;
  created_at: number;
}

/** A team that is a member of another team (migration 0008): one row per nested member. */
export interface TeamSubteamsTable {
  org_id: string;
  team_id: string;
  member_team_id: string;
  created_at: number;
}

export interface Database {
  orgs: OrgsTable;
  tokens: TokensTable;
  users: UsersTable;
  user_values: UserValuesTable;
  provisioning_log: ProvisioningLogTable;
  events: EventsTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  team_subteams: TeamSubteamsTable;
  audit_trail: AuditTrailTable;
  webhooks: WebhooksTable;
  webhook_cursors: WebhookCursorsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  event_cursors: EventCursorsTable;
  service_keys: ServiceKeysTable;
  staff: StaffTable;
  staff_password_links: StaffPasswordLinksTable;
  staff_sessions: StaffSessionsTable;
  sign_in_failures: SignInFailuresTable;
  setup_links: SetupLinksTable;
}

// The tables beyond SCIM, for the table modules that import them from here.
export type * from './db-schema-support.js';
