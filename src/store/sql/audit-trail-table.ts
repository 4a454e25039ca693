import type { Kysely } from 'kysely';
import type { AuditEntry, AuditQuery, AuditTrailOps } from '../audit-trail-store.js';
import type { AuditTrailTable, Database } from './db-schema.js';
import { rowLimit } from './row-limit.js';
import type { SqlDialectHooks } from './sql-dialect.js';

/*
 * The audit trail (`audit_trail`). Ids are UUIDv7, so id order is time order: every read is one
 * range of an index that ends with the id (migration 0012), newest first.
 */
export class SqlAuditTrail implements AuditTrailOps {
  constructor(
    protected readonly db: Kysely<Database>,
    protected readonly hooks: SqlDialectHooks,
  ) {}

  async append(entry: AuditEntry): Promise<void> {
    await this.db.insertInto('audit_trail').values(entryToRow(entry)).execute();
  }

  async list(query: AuditQuery): Promise<AuditEntry[]> {
    let q = this.db.selectFrom('audit_trail').selectAll();
    if (query.orgId !== undefined) q = q.where('org_id', '=', query.orgId);
    if (query.actorId !== undefined) q = q.where('actor_id', '=', query.actorId);
    if (query.actorLabel !== undefined) q = q.where('actor_label', '=', query.actorLabel);
    if (query.action !== undefined) q = q.where('action', '=', query.action);
    if (query.since !== undefined) q = q.where('at', '>=', query.since);
    if (query.until !== undefined) q = q.where('at', '<', query.until);
    if (query.before !== undefined) q = q.where('id', '<', query.before);
    const rows = await q.orderBy('id', 'desc').limit(rowLimit(query.limit)).execute();
    return rows.map(rowToEntry);
  }
}

function entryToRow(entry: AuditEntry): AuditTrailTable {
  return {
    id: entry.id,
    at: entry.at,
    actor_kind: entry.actorKind,
    actor_id: entry.actorId,
    actor_label: entry.actorLabel,
    org_id: entry.orgId,
    action: entry.action,
    target_type: entry.targetType,
    target_id: entry.targetId,
    detail: entry.detail === null ? null : JSON.stringify(entry.detail),
    request_id: entry.requestId,
  };
}

function rowToEntry(row: AuditTrailTable): AuditEntry {
  return {
    id: row.id,
    at: Number(row.at),
    actorKind: row.actor_kind === 'staff' ? 'staff' : 'cli',
    actorId: row.actor_id,
    actorLabel: row.actor_label,
    orgId: row.org_id,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>),
    requestId: row.request_id,
  };
}
