import { type ScimResponse, scimRequest } from './start-server.js';

/** One GET of the event API (`/api/v1/events` or `/api/v1/snapshot`) with `key` as the bearer. */
export function apiGet(
  origin: string,
  path: 'events' | 'snapshot',
  query: Record<string, string | number>,
  key: string | undefined,
): Promise<ScimResponse> {
  const params = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
  return scimRequest(`${origin}/api/v1/${path}?${params}`, key === undefined ? {} : { token: key });
}

// biome-ignore lint/suspicious/noExplicitAny: events are asserted field by field
export type Json = any;

/** Every event of the organization after `after`, page by page as a consumer reads them. */
export async function readFeed(origin: string, orgId: string, key: string, after = 0, limit = 1000): Promise<Json[]> {
  const events: Json[] = [];
  let cursor = after;
  for (;;) {
    const res = await apiGet(origin, 'events', { org: orgId, after: cursor, limit }, key);
    if (res.status !== 200) throw new Error(`feed answered ${res.status}: ${res.text}`);
    events.push(...res.body.events);
    cursor = res.body.next;
    if (!res.body.hasMore) return events;
  }
}
