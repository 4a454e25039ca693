import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import { foldCase } from '../../scim/fold-case.js';
import type { LogErrorCount, LogFigures, LogQuery, LogRecord, LogWindow } from '../store.js';
import type { Database, ProvisioningLogTable } from './db-schema.js';
import { insertPieces, preparedInsert } from './prepared-insert.js';
import { rowLimit } from './row-limit.js';
import type { SqlDialectHooks } from './sql-dialect.js';

/*
 * The provisioning log (`provisioning_log`): one row per SCIM request, read newest first (ids
 * are time-ordered, so `before` pages backwards) and pruned by age.
 */

type Db = Kysely<Database>;

export async function appendLogs(db: Db, hooks: SqlDialectHooks, entries: readonly LogRecord[]): Promise<void> {
  for (const piece of insertPieces(entries)) await db.executeQuery(insertLogRows(db, hooks, piece.map(logToRow)));
}

/** What logToRow writes: every column of `provisioning_log` (prepared-insert.test.ts). */
export const logRowColumns = [
  'org_id',
  'id',
  'at',
  'request_id',
  'token_id',
  'user_agent',
  'method',
  'path',
  'status',
  'resource_type',
  'resource_id',
  'summary',
  'error_code',
  'error_detail',
  'duration_ms',
  'subject_name',
  'subject_name_ci',
  'subject_external_id',
] satisfies (keyof ProvisioningLogTable)[];

/** Compiled once: every change writes its entry in its transaction (a single row). */
const insertLogRows = preparedInsert('provisioning_log', logRowColumns);

export async function queryLog(db: Db, orgId: string, query: LogQuery): Promise<LogRecord[]> {
  const arms = await Promise.all(logSelects(db, orgId, query).map((q) => q.execute()));
  return mergeNewestFirst(arms, query.limit).map(rowToLog);
}

export async function getLog(db: Db, orgId: string, id: string): Promise<LogRecord | undefined> {
  const row = await db
    .selectFrom('provisioning_log')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && rowToLog(row);
}

/**
 * The reads behind a log query, each newest first and limited: one, or with `subject` two, since
 * "name or externalId" as one OR would defeat both indexes (SQLite would walk the organization's
 * whole log); two range reads merge to the same answer. Exported for the query-plan test.
 */
export function logSelects(db: Db, orgId: string, query: LogQuery): LogSelect[] {
  const q = filtered(db.selectFrom('provisioning_log').selectAll().where('org_id', '=', orgId), query);
  const arms =
    query.subject === undefined
      ? [q]
      : [q.where('subject_name_ci', '=', foldCase(query.subject)), q.where('subject_external_id', '=', query.subject)];
  return arms.map((arm) => arm.orderBy('id', 'desc').limit(rowLimit(query.limit)));
}

type LogSelect = SelectQueryBuilder<Database, 'provisioning_log', ProvisioningLogTable>;

function filtered(q: LogSelect, query: LogQuery): LogSelect {
  if (query.since !== undefined) q = q.where('at', '>=', query.since);
  if (query.until !== undefined) q = q.where('at', '<', query.until);
  if (query.status !== undefined) {
    q = query.statusClass
      ? q.where('status', '>=', query.status).where('status', '<', query.status + 100)
      : q.where('status', '=', query.status);
  }
  if (query.resourceId !== undefined) q = q.where('resource_id', '=', query.resourceId);
  if (query.requestId !== undefined) q = q.where('request_id', '=', query.requestId);
  if (query.method !== undefined) q = q.where('method', '=', query.method.toUpperCase());
  if (query.resourceType !== undefined) q = q.where('resource_type', '=', query.resourceType);
  if (query.before !== undefined) q = q.where('id', '<', query.before);
  return q;
}

/** Id-descending lists as one, without the rows two hold (a name equal to an externalId). */
function mergeNewestFirst(lists: readonly ProvisioningLogTable[][], limit: number): ProvisioningLogTable[] {
  const [first, second] = lists;
  if (second === undefined) return first ?? [];
  const a = first ?? [];
  const out: ProvisioningLogTable[] = [];
  let i = 0;
  let j = 0;
  while (out.length < limit && (i < a.length || j < second.length)) {
    const x = a[i];
    const y = second[j];
    if (x !== undefined && (y === undefined || x.id >= y.id)) {
      if (y !== undefined && x.id === y.id) j++;
      out.push(x);
      i++;
    } else if (y !== undefined) {
      out.push(y);
      j++;
    }
  }
  return out;
}

/**
 * The organization's newest entries in the window, at most `cap`: what its health counts. A range
 * of the (org_id, at) index read backwards and stopped at the cap, so the work is bounded
 * whatever the organization's traffic. Exported, like the overview's, for the query-plan test.
 */
export function healthWindow(db: Db, orgId: string, window: LogWindow) {
  return db
    .selectFrom('provisioning_log')
    .select(['org_id', 'status', 'at', 'error_code'])
    .where('org_id', '=', orgId)
    .where('at', '>=', window.since)
    .orderBy('at', 'desc')
    .limit(rowLimit(window.cap));
}

/** The newest entries of all organizations in the window, at most `cap`: the retention index (at). */
export function overviewWindow(db: Db, window: LogWindow) {
  return db
    .selectFrom('provisioning_log')
    .select(['org_id', 'status', 'at'])
    .where('at', '>=', window.since)
    .orderBy('at', 'desc')
    .limit(rowLimit(window.cap));
}

const figureColumns = (alarmSince: number) =>
  [
    sql<number>`count(*)`.as('requests'),
    sql<number | null>`sum(case when w.status >= 400 then 1 else 0 end)`.as('errors'),
    sql<number | null>`sum(case when w.status >= 500 then 1 else 0 end)`.as('server_errors'),
    sql<
      number | null
    >`sum(case when w.at >= ${alarmSince} and (w.status >= 500 or w.status = 401) then 1 else 0 end)`.as('alarms'),
    sql<number | null>`min(w.at)`.as('oldest_at'),
    sql<number | null>`max(w.at)`.as('newest_at'),
  ] as const;

interface FigureRow {
  requests: number | string;
  errors: number | string | null;
  server_errors: number | string | null;
  alarms: number | string | null;
  oldest_at: number | string | null;
  newest_at: number | string | null;
}

// PostgreSQL's sum of integers is numeric (a string from pg): Number() on both.
function rowToFigures(orgId: string, r: FigureRow | undefined): LogFigures {
  const n = (v: number | string | null | undefined) => Number(v ?? 0);
  const at = (v: number | string | null | undefined) => (v === null || v === undefined ? null : Number(v));
  return {
    orgId,
    requests: n(r?.requests),
    errors: n(r?.errors),
    serverErrors: n(r?.server_errors),
    alarms: n(r?.alarms),
    oldestAt: at(r?.oldest_at),
    newestAt: at(r?.newest_at),
  };
}

export async function logFigures(db: Db, orgId: string, window: LogWindow): Promise<LogFigures> {
  const row = await db
    .selectFrom(healthWindow(db, orgId, window).as('w'))
    .select(figureColumns(window.alarmSince))
    .executeTakeFirst();
  return rowToFigures(orgId, row);
}

export async function logErrorCounts(
  db: Db,
  orgId: string,
  window: LogWindow,
  limit: number,
): Promise<LogErrorCount[]> {
  const rows = await db
    .selectFrom(healthWindow(db, orgId, window).as('w'))
    .select([
      'w.error_code',
      sql<number>`count(*)`.as('n'),
      sql<number>`max(w.status)`.as('status'),
      sql<number>`max(w.at)`.as('last_at'),
    ])
    .where('w.error_code', 'is not', null)
    .groupBy('w.error_code')
    .orderBy(sql`count(*)`, 'desc')
    .orderBy('w.error_code')
    .limit(rowLimit(limit))
    .execute();
  return rows.map((r) => ({
    code: r.error_code ?? '',
    status: Number(r.status),
    count: Number(r.n),
    lastAt: Number(r.last_at),
  }));
}

export async function logFiguresByOrg(db: Db, window: LogWindow): Promise<LogFigures[]> {
  const rows = await db
    .selectFrom(overviewWindow(db, window).as('w'))
    .select(['w.org_id', ...figureColumns(window.alarmSince)])
    .groupBy('w.org_id')
    .orderBy('w.org_id')
    .execute();
  return rows.map((r) => rowToFigures(r.org_id, r));
}

export async function pruneLog(db: Db, before: number, batch: number): Promise<number> {
  // A bounded batch per statement, so retention never holds a long lock on a busy table.
  const oldest = db
    .selectFrom('provisioning_log')
    .select(['org_id', 'id'])
    .where('at', '<', before)
    .limit(rowLimit(batch));
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
    subject_name: e.subjectName,
    subject_name_ci: e.subjectName === null ? null : foldCase(e.subjectName),
    subject_external_id: e.subjectExternalId,
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
    subjectName: r.subject_name,
    subjectExternalId: r.subject_external_id,
  };
}
