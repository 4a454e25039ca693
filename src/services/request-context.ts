import type { OrgRecord } from '../store/store.js';

/**
 * One SCIM request as the services see it: who (organization, token), what (method, path), and
 * what the provisioning log will say about it. A service that changes data writes the log entry
 * in its own transaction and sets `logged`; otherwise the HTTP layer writes it when the response
 * is sent (reads, and errors whose transaction rolled back).
 */
export interface RequestContext {
  readonly org: OrgRecord;
  readonly tokenId: string | null;
  readonly requestId: string;
  readonly userAgent: string | null;
  readonly method: string;
  /** Path and query string as received; bearer secrets never travel there. */
  readonly path: string;
  readonly startedAt: number;
  /** Absolute URL of the SCIM root (`.../scim/v2`), for meta.location. */
  readonly baseUrl: string;
  /** Filled by the service for the log entry. */
  outcome: {
    resourceType?: string;
    resourceId?: string;
    summary?: string;
  };
  logged: boolean;
}
