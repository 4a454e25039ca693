/*
 * The provisioning log's records and reads, as the store holds them (provisioning-log-table.ts):
 * entries, their search, and the figures health reports. store.ts re-exports them.
 */

export interface LogRecord {
  readonly orgId: string;
  readonly id: string;
  readonly at: number;
  readonly requestId: string;
  readonly tokenId: string | null;
  readonly userAgent: string | null;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly resourceType: string | null;
  readonly resourceId: string | null;
  readonly summary: string | null;
  readonly errorCode: string | null;
  readonly errorDetail: string | null;
  readonly durationMs: number;
  /**
   * Who the request was about as it named them: the userName of a User or the displayName of a
   * Group, and the externalId; from the stored record on a success, from the body on a failure.
   * Null when the request named none (reads, deletes of an unknown id, entries before 0009).
   */
  readonly subjectName: string | null;
  readonly subjectExternalId: string | null;
}

export interface LogQuery {
  readonly since?: number;
  readonly until?: number;
  /** Exact status, or a class: 400 with `statusClass` true means 4xx. */
  readonly status?: number;
  readonly statusClass?: boolean;
  readonly resourceId?: string;
  /**
   * Entries about this userName or displayName (ignoring case, as userName uniqueness does) or
   * this externalId (exactly).
   */
  readonly subject?: string;
  readonly requestId?: string;
  readonly method?: string;
  /** `User`, `Group`, or `User,Group` (root searches). */
  readonly resourceType?: string;
  readonly limit: number;
  /** Return entries older than this log id (time-ordered ids page backwards). */
  readonly before?: string;
}

/**
 * The stretch of the log health figures read (services/org-health.ts): entries from `since`,
 * at most the newest `cap` of them, so a busy organization's day is sampled, never read whole.
 */
export interface LogWindow {
  readonly since: number;
  /** Alarming answers (5xx, 401) are counted from this time on (the last hour). */
  readonly alarmSince: number;
  readonly cap: number;
}

/** An organization's answers in a LogWindow. */
export interface LogFigures {
  readonly orgId: string;
  readonly requests: number;
  /** Answers with status 400 or above. */
  readonly errors: number;
  readonly serverErrors: number;
  /** 5xx and 401 answers since the window's `alarmSince`. */
  readonly alarms: number;
  /** Time of the oldest and newest entry counted (null: none); `cap` entries from `oldestAt` means cut. */
  readonly oldestAt: number | null;
  readonly newestAt: number | null;
}

/** How often one error code was answered in a LogWindow. */
export interface LogErrorCount {
  readonly code: string;
  /** The highest status it was answered with (a code has one status in practice). */
  readonly status: number;
  readonly count: number;
  readonly lastAt: number;
}
