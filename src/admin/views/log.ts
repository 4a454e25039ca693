import Type, { type Static } from 'typebox';
import { type LogRecord, type OrgRecord, ScimError } from '../../services/index.js';
import type { ConsolePage } from '../admin-routes.js';
import { date, type Html, html, orgPath, query } from '../html.js';
import { logEntryBody } from './log-entry.js';
import { OrgParams, orDash, orgTrail, sectionLinks, statusBadge, visible } from './org-section.js';

/** Entries per page of the log: one indexed range read of this many (plus one, to know of more). */
export const LOG_PAGE_SIZE = 50;

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'CLI', 'ADMIN'] as const;
const TYPES = ['User', 'Group'] as const;

/** The filter form as the query string gives it; each field capped before any parsing. */
const LogQueryString = Type.Object({
  status: Type.Optional(Type.String({ maxLength: 3 })),
  method: Type.Optional(Type.String({ maxLength: 10 })),
  type: Type.Optional(Type.String({ maxLength: 10 })),
  find: Type.Optional(Type.String({ maxLength: 512 })),
  requestId: Type.Optional(Type.String({ maxLength: 200 })),
  resource: Type.Optional(Type.String({ maxLength: 64 })),
  since: Type.Optional(Type.String({ maxLength: 40 })),
  until: Type.Optional(Type.String({ maxLength: 40 })),
  before: Type.Optional(Type.String({ maxLength: 64 })),
});
export type LogFilterInput = Static<typeof LogQueryString>;

const EntryParams = Type.Object({ orgId: Type.String({ maxLength: 64 }), entryId: Type.String({ maxLength: 64 }) });

/** The filters as typed (to show them again and carry them to the next page), and as a query. */
export interface LogFilters {
  readonly text: Readonly<Record<Exclude<keyof LogFilterInput, 'before'>, string>>;
  readonly query: {
    status?: number;
    statusClass?: boolean;
    method?: string;
    resourceType?: string;
    subject?: string;
    requestId?: string;
    resourceId?: string;
    since?: number;
    until?: number;
    before?: string;
  };
}

const refuse = (detail: string): ScimError => new ScimError(400, detail, undefined, 'console.logFilter');

/** `2026-12-03T10:00` (a datetime-local field, read as UTC), a date alone, or ISO 8601 with a zone. */
export function parseTime(name: string, text: string): number {
  const withZone = /^\d{4}-\d\d-\d\d$/.test(text)
    ? `${text}T00:00Z`
    : /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(text)
      ? `${text}Z`
      : text;
  const ms = /^\d{4}-\d\d-\d\dT/.test(withZone) ? Date.parse(withZone) : Number.NaN;
  if (Number.isNaN(ms)) throw refuse(`"${name}" must be a date and time such as 2026-12-03T10:00 (UTC); got "${text}"`);
  return ms;
}

/** The form's values checked one by one: a value the log cannot filter by is refused by name. */
export function parseLogFilters(input: LogFilterInput): LogFilters {
  const t = (v: string | undefined) => v?.trim() ?? '';
  const text = {
    status: t(input.status).toLowerCase(),
    method: t(input.method).toUpperCase(),
    type: t(input.type),
    find: t(input.find),
    requestId: t(input.requestId),
    resource: t(input.resource),
    since: t(input.since),
    until: t(input.until),
  };
  const q: LogFilters['query'] = {};
  if (text.status !== '') {
    const cls = /^([1-5])xx$/.exec(text.status);
    if (cls) Object.assign(q, { status: Number(cls[1]) * 100, statusClass: true });
    else if (/^[1-5]\d\d$/.test(text.status)) q.status = Number(text.status);
    else throw refuse(`"status" must be a class such as 4xx or a status such as 409; got "${text.status}"`);
  }
  if (text.method !== '') {
    if (!(METHODS as readonly string[]).includes(text.method)) {
      throw refuse(`"method" must be one of ${METHODS.join(', ')}; got "${text.method}"`);
    }
    q.method = text.method;
  }
  if (text.type !== '') {
    const type = TYPES.find((x) => x.toLowerCase() === text.type.toLowerCase());
    if (!type) throw refuse(`"type" must be User or Group; got "${text.type}"`);
    q.resourceType = type;
  }
  if (text.find !== '') q.subject = text.find;
  if (text.requestId !== '') q.requestId = text.requestId;
  if (text.resource !== '') q.resourceId = text.resource;
  if (text.since !== '') q.since = parseTime('since', text.since);
  if (text.until !== '') q.until = parseTime('until', text.until);
  if (q.since !== undefined && q.until !== undefined && q.since >= q.until) {
    throw refuse('"since" must be before "until"');
  }
  const before = t(input.before);
  if (before !== '') {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(before)) {
      throw refuse('"before" must be the id of a log entry');
    }
    q.before = before;
  }
  return { text, query: q };
}

/** The log page: the filter form, newest entries first, and a link to the older ones. */
export function logListBody(
  org: OrgRecord,
  filters: LogFilters,
  entries: readonly LogRecord[],
  hasMore: boolean,
): Html {
  const base = orgPath(org.id, 'log');
  const last = entries[entries.length - 1];
  const filtered = Object.values(filters.text).some((v) => v !== '');
  return html`${sectionLinks(org.id, 'log')}
    ${filterForm(base, filters)}
    ${
      entries.length === 0
        ? html`<p class="muted">${filtered || filters.query.before ? 'No entry matches these filters.' : 'No request has reached this organization yet.'}</p>`
        : html`<table class="log">
      <thead><tr><th>Time</th><th>Status</th><th>Method</th><th>Path</th><th>About</th><th>Error or change</th><th>Request id</th><th>ms</th></tr></thead>
      <tbody>${entries.map((e) => logRow(org.id, e))}</tbody>
    </table>`
    }
    <nav class="pager" aria-label="Pages">
      ${filters.query.before && html`<a href="${base}${query(filters.text)}">Newest entries</a>`}
      ${hasMore && last && html`<a href="${base}${query({ ...filters.text, before: last.id })}" rel="next">Older entries</a>`}
    </nav>`;
}

function filterForm(action: string, filters: LogFilters): Html {
  const f = filters.text;
  const select = (name: string, label: string, options: readonly (readonly [string, string])[], value: string) =>
    html`<label>${label} <select name="${name}">${options.map(
      ([v, text]) => html`<option value="${v}"${v === value ? html` selected` : ''}>${text}</option>`,
    )}</select></label>`;
  return html`<form class="row" method="get" action="${action}" role="search">
    ${select('status', 'Status', statusOptions(f.status), f.status)}
    ${select('method', 'Method', [['', 'any'], ...METHODS.map((m) => [m, m] as const)], f.method)}
    ${select(
      'type',
      'Resource',
      [
        ['', 'any'],
        ['User', 'User'],
        ['Group', 'Group'],
      ],
      f.type,
    )}
    <label>userName, displayName or externalId <input type="search" name="find" value="${f.find}" size="28"></label>
    <label>Request id <input name="requestId" value="${f.requestId}" size="16"></label>
    <label>From (UTC) <input type="datetime-local" name="since" value="${f.since}"></label>
    <label>To (UTC) <input type="datetime-local" name="until" value="${f.until}"></label>
    ${f.resource !== '' && html`<input type="hidden" name="resource" value="${f.resource}">`}
    <button type="submit">Filter</button>
    <a href="${action}">Clear</a>
  </form>
  ${f.resource !== '' && html`<p>Only requests about resource <code>${f.resource}</code>.</p>`}`;
}

/** Any, the three classes support filters by, and an exact status a link asked for. */
function statusOptions(current: string): (readonly [string, string])[] {
  const options: (readonly [string, string])[] = [
    ['', 'any'],
    ['2xx', '2xx'],
    ['4xx', '4xx'],
    ['5xx', '5xx'],
  ];
  if (current !== '' && !options.some(([v]) => v === current)) options.push([current, current]);
  return options;
}

function logRow(orgId: string, e: LogRecord): Html {
  const about =
    e.subjectName === null && e.subjectExternalId === null
      ? orDash(null)
      : html`${e.subjectName === null ? '' : visible(e.subjectName)}${e.subjectExternalId !== null && html`<br><span class="muted">${visible(e.subjectExternalId)}</span>`}`;
  const what =
    e.errorCode !== null ? html`<code>${e.errorCode}</code>` : e.summary !== null ? visible(e.summary) : orDash(null);
  return html`<tr>
    <td><a href="${orgPath(orgId, `log/${encodeURIComponent(e.id)}`)}">${date(e.at)}</a></td>
    <td>${statusBadge(e.status)}</td>
    <td>${e.method}</td>
    <td class="mono">${visible(e.path)}</td>
    <td>${about}</td>
    <td>${what}</td>
    <td class="mono">${visible(e.requestId)}</td>
    <td>${e.durationMs}</td>
  </tr>`;
}

/** /orgs/:orgId/log and /orgs/:orgId/log/:entryId. */
export const logPages: ConsolePage = (scope, ctx) => {
  scope.get(
    '/orgs/:orgId/log',
    { schema: { params: OrgParams, querystring: LogQueryString } },
    async (request, reply) => {
      const { orgId } = request.params as Static<typeof OrgParams>;
      const filters = parseLogFilters(request.query as LogFilterInput);
      const org = await ctx.services.organizations.get(orgId);
      const rows = await ctx.services.log.query(orgId, { ...filters.query, limit: LOG_PAGE_SIZE + 1 });
      const body = logListBody(org, filters, rows.slice(0, LOG_PAGE_SIZE), rows.length > LOG_PAGE_SIZE);
      return ctx.page(request, reply, { title: `Provisioning log · ${org.name}`, body, trail: orgTrail(org) });
    },
  );

  scope.get('/orgs/:orgId/log/:entryId', { schema: { params: EntryParams } }, async (request, reply) => {
    const { orgId, entryId } = request.params as Static<typeof EntryParams>;
    const org = await ctx.services.organizations.get(orgId);
    const entry = await ctx.services.log.get(orgId, entryId);
    if (!entry) throw new ScimError(404, `No log entry ${entryId} in this organization`, undefined, 'console.logEntry');
    return ctx.page(request, reply, {
      title: `${entry.method} answered ${entry.status}`,
      body: logEntryBody(org, entry),
      trail: orgTrail(org, ['Provisioning log', orgPath(orgId, 'log')]),
    });
  });
};
