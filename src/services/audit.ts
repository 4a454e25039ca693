import type { OrgRecord } from '../store/store.js';

/** Who asked for a change: an IdP through its token, a staff member in the console, or the CLI. */
export type Actor =
  | { readonly kind: 'token'; readonly tokenId: string }
  | { readonly kind: 'staff'; readonly staffId: string; readonly email?: string }
  | { readonly kind: 'cli'; readonly operator?: string };

/** Who did a support action (console or CLI): the audit trail records it with the action. */
export type Operator = Extract<Actor, { kind: 'staff' } | { kind: 'cli' }>;

/**
 * What a use case is told about the request that runs it: enough to say in the provisioning log
 * and the events who did what, never how it arrived. The SCIM routes, the console and the CLI
 * each build one.
 */
export interface Audit {
  readonly org: OrgRecord;
  readonly actor: Actor;
  readonly requestId: string;
  readonly userAgent: string | null;
  /** What the log names as the request: a SCIM method and path (query included), or a command. */
  readonly origin: { readonly method: string; readonly path: string; readonly startedAt: number };
  /** Absolute URL of the SCIM root (`.../scim/v2`): resources are rendered with their location. */
  readonly baseUrl: string;
}

/** What a use case did, as the provisioning log records it. */
export interface Change {
  readonly resourceType: 'User' | 'Group' | 'User,Group';
  readonly resourceId: string | null;
  readonly summary: string | null;
  /** The record's userName (User) or displayName (Group), for the log's search by person. */
  readonly name?: string | null;
  readonly externalId?: string | null;
  /**
   * Already in the log: a write records its entry in its own transaction, so the entry exists
   * exactly when the change does. A read is logged by the caller once it knows how it answered.
   */
  readonly logged: boolean;
}

/** A use case's answer and what it did. */
export interface Done<T> {
  readonly result: T;
  readonly change: Change;
}

/** The token behind an audit, for the log's token column. */
export const tokenIdOf = (audit: Audit): string | null => (audit.actor.kind === 'token' ? audit.actor.tokenId : null);
