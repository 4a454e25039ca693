/*
 * The tables beyond SCIM (migrations 0010-0013): the event feed's counters, service keys,
 * webhooks, the audit trail and the console's staff; db-schema.ts lists them in `Database`. Same
 * conventions: 0/1 booleans, epoch-millisecond times.
 */

/** What support did (0012): keyed by the time-ordered id alone, since an entry may outlive its organization. */
export interface AuditTrailTable {
  id: string;
  at: number;
  actor_kind: string;
  actor_id: string | null;
  actor_label: string | null;
  org_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  /** JSON object of named values, or null. */
  detail: string | null;
  request_id: string | null;
}

/** A webhook subscription (0011); org_id NULL: every organization's events. */
export interface WebhooksTable {
  id: string;
  org_id: string | null;
  url: string;
  description: string | null;
  /** `whsec_...`, stored as is: each delivery signs with it (docs/webhooks.md "Secrets"). */
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  enabled: number;
  disabled_at: number | null;
  disabled_reason: string | null;
  created_at: number;
  updated_at: number;
}

/** Where one webhook stands in one organization's feed, its retry state and its lease (0011). */
export interface WebhookCursorsTable {
  webhook_id: string;
  org_id: string;
  last_cursor: number;
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  failing_since: number | null;
  last_status: number | null;
  last_error: string | null;
  last_attempt_at: number | null;
}

/** One delivery attempt and how the receiver answered (0011). */
export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  org_id: string | null;
  event_id: string;
  event_type: string;
  cursor: number | null;
  attempt: number;
  at: number;
  status: number | null;
  error: string | null;
  response_excerpt: string | null;
  duration_ms: number;
}

/** Each organization's feed position (0010): the last cursor given, and the highest one pruned. */
export interface EventCursorsTable {
  org_id: string;
  last_cursor: number;
  pruned_through: number;
}

/** Deployment-wide keys of the event feed (0010): no org_id, they read every organization. */
export interface ServiceKeysTable {
  id: string;
  key_hash: string;
  hint: string;
  label: string | null;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

/** Console staff accounts (0013); email_ci is unique. */
export interface StaffTable {
  id: string;
  email: string;
  email_ci: string;
  password_hash: string | null;
  disabled: number;
  created_at: number;
  updated_at: number;
}

/** One-time links to set a staff password (0013), by the SHA-256 of the link's secret. */
export interface StaffPasswordLinksTable {
  link_hash: string;
  staff_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** Console sessions (0013), by the SHA-256 of the cookie's value. */
export interface StaffSessionsTable {
  id_hash: string;
  staff_id: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
  csrf_token: string;
}

/** One failed sign-in under one key (0013). */
export interface SignInFailuresTable {
  key: string;
  at: number;
}

/** Customer setup links (0013), by the SHA-256 of the link's secret. */
export interface SetupLinksTable {
  org_id: string;
  id: string;
  secret_hash: string;
  /** The Operator who made it, as JSON. */
  created_by: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  token_id: string | null;
}
