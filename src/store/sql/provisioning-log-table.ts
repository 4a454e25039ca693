import { type Kysely, sql } from 'kysely';
import type { LogQuery, LogRecord } from '../store.js';
import type { Database, ProvisioningLogTable } from './db-schema.js';

/*
 * The provisioning log (`provisioning_log`): one row per SCIM request, read newest first (ids
 * are time-ordered, so `before` pages backwards) and pruned by age.
 */

type Db = Kysely<Database>;

export async function appendLog(db: Db, entry: LogRecord): Promise<void> {
  await db.insertInto('provisioning_log').values(logToRow(entry)).execute();
}

export async function queryLog(db: Db, orgId: string, query: LogQuery): Promise<LogRecord[]> {
  let q = db.selectFrom('provisioning_log').selectAll().where('org_id', '=', orgId);
  if (query.since !== undefined) q = q.where('at', '>=', query.since);
  if (query.until !== undefined) q = q.where('at', '<', query.until);
  if (query.status !== undefined) {
    q = query.statusClass
      ? q.where('status', '>=', query.status).where('status', '<', query.status + 100)
      : q.where('status', '=', query.status);
  }
  if (query.resourceId !== undefined) q = q.where('resource_id', '=', query.resourceId);
  if (query.method !== undefined) q = q.where('method', '=', query.method.toUpperCase());
  if (query.before !== undefined) q = q.where('id', '<', query.before);
  const rows = await q.orderBy('id', 'desc').limit(query.limit).execute();
  return rows.map(rowToLog);
}

export async function pruneLog(db: Db, before: number, batch: number): Promise<number> {
  // A bounded batch per statement, so retention never holds a long lock on a busy table.
  const oldest = db.selectFrom('provisioning_log').select(['org_id', 'id']).where('at', '<', before).limit(batch);
  const result = await db
    .deleteFrom('provisioning_log')
    .where(sql<boolean>`(org_id, id) in (${oldest})`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

function logToRow(e: LogRecord): ProvisioningLogTable {
  return {
    org_id: e.orgId,
    id: e.id,
    at: e.at,
    request_id: e.requestId,
    token_id: e.tokenId,
    user_agent: e.userAgent,
    method: e.method,
    path: e.path,
    status: e.status,
    resource_type: e.resourceType,
    resource_id: e.resourceId,
    summary: e.summary,
    error_code: e.errorCode,
    error_detail: e.errorDetail,
    duration_ms: e.durationMs,
  };
}

function rowToLog(r: ProvisioningLogTable): LogRecord {
  return {
    orgId: r.org_id,
    id: r.id,
    at: Number(r.at),
    requestId: r.request_id,
    tokenId: r.token_id,
    userAgent: r.user_agent,
    method: r.method,
    path: r.path,
    status: Number(r.status),
    resourceType: r.resource_type,
    resourceId: r.resource_id,
    summary: r.summary,
    errorCode: r.error_code,
    errorDetail: r.error_detail,
    durationMs: Number(r.duration_ms),
  };
}
