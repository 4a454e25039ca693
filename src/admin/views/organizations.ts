import Type, { type Static } from 'typebox';
import type { OrgHealthSummary, OrgRecord } from '../../services/index.js';
import type { ConsolePage } from '../admin-routes.js';
import { badge, date, type Html, html, orgPath, query } from '../html.js';
import { csrfField } from './layout.js';

/** Organizations per page of the list. */
export const ORGS_PER_PAGE = 50;

const ListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  /** The last id of the page before: pages are keyset reads, whatever the number of organizations. */
  after: Type.Optional(Type.String({ maxLength: 200 })),
});
const CreateForm = Type.Object({
  _csrf: Type.String(),
  name: Type.String({ maxLength: 200 }),
  externalRef: Type.Optional(Type.String({ maxLength: 200 })),
});

/** The organization list (search, paged, the unhealthy ones marked) and the create form. */
export const organizationsPages: ConsolePage = (scope, ctx) => {
  scope.get('/orgs', { schema: { querystring: ListQuery } }, async (request, reply) => {
    const { q, after } = request.query as Static<typeof ListQuery>;
    const search = q?.trim() ?? '';
    // A search is index lookups (id, external ref, name); the list reads one page and one more row
    // to know whether a next page exists.
    const found =
      search === ''
        ? await ctx.services.organizations.list({
            limit: ORGS_PER_PAGE + 1,
            ...(after !== undefined ? { afterId: after } : {}),
          })
        : await ctx.services.organizations.find(search);
    const shown = found.slice(0, ORGS_PER_PAGE);
    const next = search === '' && found.length > ORGS_PER_PAGE ? shown.at(-1)?.id : undefined;
    const health = await healthOf(ctx.services.health, shown, request.log);
    const body = html`
      <form class="row" method="get" action="/admin/orgs" role="search">
        <label>Find by name, id or external ref <input type="search" name="q" value="${search}" size="40"></label>
        <button type="submit">Search</button>
        ${search !== '' && html`<a href="/admin/orgs">Show all</a>`}
      </form>
      ${
        shown.length === 0
          ? html`<p class="muted">${search === '' ? 'No organizations yet.' : 'No organization matches.'}</p>`
          : html`<table>
        <thead><tr><th>Name</th><th>External ref</th><th>SCIM</th><th>Health (24 h)</th><th>Created</th><th>Id</th></tr></thead>
        <tbody>${shown.map((org) => orgRow(org, health?.get(org.id), health === undefined))}</tbody>
      </table>`
      }
      ${(next !== undefined || after !== undefined) && pager(next, after !== undefined)}
      <h2>New organization</h2>
      <form class="row" method="post" action="/admin/orgs">
        ${csrfField(ctx.csrfToken(request))}
        <label>Name <input name="name" required maxlength="200"></label>
        <label>External ref (optional) <input name="externalRef" maxlength="200"></label>
        <button class="primary" type="submit">Create</button>
      </form>`;
    return ctx.page(request, reply, { title: 'Organizations', body });
  });

  scope.post('/orgs', { schema: { body: CreateForm } }, async (request, reply) => {
    const form = request.body as Static<typeof CreateForm>;
    const externalRef = form.externalRef?.trim();
    const org = await ctx.services.organizations.create(ctx.operator(request), form.name, {
      requestId: request.id,
      ...(externalRef ? { externalRef } : {}),
    });
    return ctx.redirect(request, reply, orgPath(org.id), `Organization ${org.name} created`);
  });
};

function orgRow(org: OrgRecord, health: OrgHealthSummary | undefined, unknown: boolean): Html {
  const unhealthy = health?.verdict.unhealthy === true;
  return html`<tr${unhealthy ? html` class="unhealthy"` : ''}>
    <td><a href="${orgPath(org.id)}">${org.name}</a></td>
    <td>${org.externalRef ?? html`<span class="muted">–</span>`}</td>
    <td>${org.scimEnabled ? badge('on', 'ok') : badge('off', 'muted')}</td>
    <td>${healthCell(org, health, unknown)}</td>
    <td>${date(org.createdAt)}</td>
    <td class="mono">${org.id}</td>
  </tr>`;
}

function healthCell(org: OrgRecord, health: OrgHealthSummary | undefined, unknown: boolean): Html {
  if (unknown || health === undefined) return html`<span class="muted">unavailable</span>`;
  const figures = `${health.requests} requests, ${health.errors} errors`;
  if (health.verdict.unhealthy) {
    return html`<a href="${orgPath(org.id, 'health')}">${badge('unhealthy', 'bad')}</a>
      <span title="${health.verdict.reasons.join('; ')}">${figures}</span>`;
  }
  return health.requests === 0 ? html`<span class="muted">no requests</span>` : html`${badge('ok', 'ok')} ${figures}`;
}

function pager(next: string | undefined, paged: boolean): Html {
  return html`<nav class="pager" aria-label="Pages">
    ${paged && html`<a href="/admin/orgs">← First page</a>`}
    ${next !== undefined && html`<a href="/admin/orgs${query({ after: next })}">Next →</a>`}
  </nav>`;
}

/** The health overview of the shown page; the list still renders if it cannot be computed. */
async function healthOf(
  health: { overview(ids: readonly string[]): Promise<Map<string, OrgHealthSummary>> },
  orgs: readonly OrgRecord[],
  log: { warn(obj: unknown, msg: string): void },
): Promise<Map<string, OrgHealthSummary> | undefined> {
  try {
    return await health.overview(orgs.map((o) => o.id));
  } catch (error) {
    log.warn({ err: error }, 'organization health overview failed');
    return undefined;
  }
}
