/**
 * The audit trail (issue 10): what support did, by whom: a staff member in the console or an
 * operator at the CLI. Append-only; never holds a secret (a token's id and hint, never the token).
 */
export interface AuditEntry {
  /** UUIDv7: id order is time order. */
  readonly id: string;
  readonly at: number;
  readonly actorKind: 'staff' | 'cli';
  /** The staff member's id; null for the CLI. */
  readonly actorId: string | null;
  /** The staff member's e-mail, or the CLI operator's login name. */
  readonly actorLabel: string | null;
  /** The organization acted on; null for deployment-wide actions (a service key, a staff account). */
  readonly orgId: string | null;
  /** What was done, dotted: `token.issued`, `token.revoked`, `org.scimDisabled`, `user.erased`, ... */
  readonly action: string;
  readonly targetType: string | null;
  readonly targetId: string | null;
  /** A few named values that say what changed (never a secret or a whole resource). */
  readonly detail: Readonly<Record<string, unknown>> | null;
  /** The request or command that did it: its events and log entries carry the same id. */
  readonly requestId: string | null;
}

/** Which entries to read; every field narrows, and `limit` bounds the read. */
export interface AuditQuery {
  readonly orgId?: string;
  readonly actorId?: string;
  /** The staff member's e-mail or the CLI operator's login name, exactly as recorded. */
  readonly actorLabel?: string;
  readonly action?: string;
  readonly since?: number;
  readonly until?: number;
  /** Entries older than this id (newest first paging). */
  readonly before?: string;
  readonly limit: number;
}

/** The trail's storage: `tx.auditTrail` inside a transaction, so an action and its entry commit together. */
export interface AuditTrailOps {
  append(entry: AuditEntry): Promise<void>;
  /** Newest first, at most `query.limit` entries. */
  list(query: AuditQuery): Promise<AuditEntry[]>;
}
