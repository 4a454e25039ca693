import Type, { type Static } from 'typebox';
import { type AuditEntry, type AuditQuery, ScimError } from '../../services/index.js';
import type { ConsolePage } from '../admin-routes.js';
import { date, type Html, html, orgPath, query } from '../html.js';
import { orDash, visible } from './org-section.js';

/** Entries per page of the trail (one read of this many, plus one to know of more). */
export const AUDIT_PAGE_SIZE = 50;

const AuditQueryString = Type.Object({
  org: Type.Optional(Type.String({ maxLength: 64 })),
  action: Type.Optional(Type.String({ maxLength: 64 })),
  actor: Type.Optional(Type.String({ maxLength: 320 })),
  before: Type.Optional(Type.String({ maxLength: 64 })),
});
type AuditFilterInput = Static<typeof AuditQueryString>;

/** The filters as typed, and as the trail's query (without its limit). */
export function parseAuditFilters(input: AuditFilterInput): {
  text: { org: string; action: string; actor: string };
  query: Omit<AuditQuery, 'limit'>;
} {
  const text = { org: input.org?.trim() ?? '', action: input.action?.trim() ?? '', actor: input.actor?.trim() ?? '' };
  const before = input.before?.trim() ?? '';
  if (before !== '' && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(before)) {
    throw new ScimError(400, '"before" must be the id of an audit entry', undefined, 'console.auditFilter');
  }
  return {
    text,
    query: {
      ...(text.org !== '' ? { orgId: text.org } : {}),
      ...(text.action !== '' ? { action: text.action } : {}),
      ...(text.actor !== '' ? { actorLabel: text.actor } : {}),
      ...(before !== '' ? { before } : {}),
    },
  };
}

/** Who did what to which organization, newest first, with the filters and a link to older entries. */
export function auditBody(
  filters: ReturnType<typeof parseAuditFilters>,
  entries: readonly AuditEntry[],
  hasMore: boolean,
): Html {
  const f = filters.text;
  const last = entries[entries.length - 1];
  return html`<form class="row" method="get" action="/admin/audit" role="search">
      <label>Organization id <input name="org" value="${f.org}" size="36"></label>
      <label>Action <input name="action" value="${f.action}" placeholder="token.revoked" size="18"></label>
      <label>By (e-mail or CLI login) <input name="actor" value="${f.actor}" size="24"></label>
      <button type="submit">Filter</button>
      <a href="/admin/audit">Clear</a>
    </form>
    ${
      entries.length === 0
        ? html`<p class="muted">No support action matches.</p>`
        : html`<table class="audit">
      <thead><tr><th>Time</th><th>By</th><th>Action</th><th>Organization</th><th>Target</th><th>Detail</th><th>Request id</th></tr></thead>
      <tbody>${entries.map(auditRow)}</tbody>
    </table>`
    }
    <nav class="pager" aria-label="Pages">
      ${filters.query.before && html`<a href="/admin/audit${query(f)}">Newest entries</a>`}
      ${hasMore && last && html`<a href="/admin/audit${query({ ...f, before: last.id })}" rel="next">Older entries</a>`}
    </nav>`;
}

function auditRow(e: AuditEntry): Html {
  const by =
    e.actorKind === 'staff' ? (e.actorLabel ?? e.actorId ?? 'staff') : `CLI${e.actorLabel ? `: ${e.actorLabel}` : ''}`;
  return html`<tr>
    <td>${date(e.at)}</td>
    <td>${visible(by)}</td>
    <td><code>${e.action}</code></td>
    <td>${e.orgId === null ? html`<span class="muted">deployment</span>` : html`<a class="mono" href="${orgPath(e.orgId)}">${e.orgId}</a>`}</td>
    <td>${target(e)}</td>
    <td class="mono">${e.detail === null ? orDash(null) : visible(JSON.stringify(e.detail))}</td>
    <td class="mono">${orDash(e.requestId && visible(e.requestId))}</td>
  </tr>`;
}

function target(e: AuditEntry): Html | string {
  if (e.targetId === null) return orDash(e.targetType);
  const section = e.targetType === 'user' ? 'users' : e.targetType === 'team' ? 'teams' : undefined;
  if (section && e.orgId !== null && e.action !== 'user.erased') {
    return html`${e.targetType} <a class="mono" href="${orgPath(e.orgId, `${section}/${encodeURIComponent(e.targetId)}`)}">${e.targetId}</a>`;
  }
  return html`${e.targetType ?? ''} <span class="mono">${visible(e.targetId)}</span>`;
}

/** /audit: the trail of every support action, console and CLI alike. */
export const auditPage: ConsolePage = (scope, ctx) => {
  scope.get('/audit', { schema: { querystring: AuditQueryString } }, async (request, reply) => {
    const filters = parseAuditFilters(request.query as AuditFilterInput);
    const rows = await ctx.services.auditTrail.list({ ...filters.query, limit: AUDIT_PAGE_SIZE + 1 });
    const body = auditBody(filters, rows.slice(0, AUDIT_PAGE_SIZE), rows.length > AUDIT_PAGE_SIZE);
    return ctx.page(request, reply, { title: 'Audit trail', body });
  });
};
