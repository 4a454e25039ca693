import Type, { type Static } from 'typebox';
import { type OrgHealthReport, type OrgRecord, parseDeleteMode } from '../../services/index.js';
import type { ConsolePage } from '../admin-routes.js';
import { badge, date, type Html, html, orgPath } from '../html.js';
import { csrfField } from './layout.js';
import { sectionLinks } from './org-section.js';
import { setupLinkSection } from './setup-links.js';
import { tokenSection } from './tokens.js';

const OrgParams = Type.Object({ orgId: Type.String({ maxLength: 64 }) });
const SettingsForm = Type.Object({
  _csrf: Type.String(),
  scim: Type.Optional(Type.Union([Type.Literal('on'), Type.Literal('off')])),
  deleteMode: Type.Optional(Type.String({ maxLength: 20 })),
});

/** One organization: its facts and settings, health at a glance, tokens and setup links. */
export const organizationPage: ConsolePage = (scope, ctx) => {
  scope.get('/orgs/:orgId', { schema: { params: OrgParams } }, async (request, reply) => {
    const { orgId } = request.params as Static<typeof OrgParams>;
    const org = await ctx.services.organizations.get(orgId);
    const [tokens, links, health] = await Promise.all([
      ctx.services.tokens.list(orgId),
      ctx.services.setupLinks.list(orgId),
      ctx.services.health.report(orgId).catch((error: unknown) => {
        request.log.warn({ err: error }, 'organization health failed');
        return undefined;
      }),
    ]);
    const csrf = ctx.csrfToken(request);
    const now = Date.now();
    const body = html`
      ${sectionLinks(orgId)}
      <div class="columns">
        <section>${facts(org, ctx.scimUrl(request))}</section>
        <section>${healthSummary(orgId, health)}</section>
      </div>
      ${settingsForm(org, csrf)}
      ${tokenSection(orgId, tokens, csrf, now)}
      ${setupLinkSection(orgId, links, csrf, now)}`;
    return ctx.page(request, reply, { title: org.name, body, trail: [['Organizations', '/admin/orgs']] });
  });

  scope.post('/orgs/:orgId/settings', { schema: { params: OrgParams, body: SettingsForm } }, async (request, reply) => {
    const { orgId } = request.params as Static<typeof OrgParams>;
    const form = request.body as Static<typeof SettingsForm>;
    const org = await ctx.services.organizations.update(ctx.operator(request), orgId, {
      requestId: request.id,
      ...(form.scim !== undefined ? { scimEnabled: form.scim === 'on' } : {}),
      ...(form.deleteMode !== undefined ? { deleteMode: parseDeleteMode(form.deleteMode) } : {}),
    });
    return ctx.redirect(request, reply, orgPath(orgId), `Settings of ${org.name} saved`);
  });
};

function facts(org: OrgRecord, scimUrl: string): Html {
  return html`<dl class="facts">
    <dt>Id</dt><dd class="mono">${org.id}</dd>
    <dt>External ref</dt><dd>${org.externalRef ?? html`<span class="muted">none</span>`}</dd>
    <dt>SCIM</dt><dd>${org.scimEnabled ? badge('enabled', 'ok') : badge('disabled: requests get 403', 'bad')}</dd>
    <dt>SCIM DELETE</dt><dd>${org.deleteMode === 'retain' ? 'retain: the account stays, deactivated' : 'erase: the account is removed'}</dd>
    <dt>Tenant URL</dt><dd class="mono">${scimUrl}</dd>
    <dt>Created</dt><dd>${date(org.createdAt)}</dd>
    <dt>Changed</dt><dd>${date(org.updatedAt)}</dd>
  </dl>`;
}

function healthSummary(orgId: string, health: OrgHealthReport | undefined): Html {
  if (!health) return html`<p class="muted">Health is unavailable right now.</p>`;
  return html`<dl class="facts">
    <dt>Health (24 h)</dt><dd>${health.verdict.unhealthy ? badge('unhealthy', 'bad') : badge('healthy', 'ok')}
      ${health.verdict.reasons.length > 0 && html`<br>${health.verdict.reasons.join('; ')}`}</dd>
    <dt>Requests</dt><dd>${health.requests} (${health.errors} errors)</dd>
    <dt>Last request</dt><dd>${health.lastRequest ? html`${date(health.lastRequest.at)} · ${health.lastRequest.method} → ${health.lastRequest.status}` : html`<span class="muted">none</span>`}</dd>
    <dt></dt><dd><a href="${orgPath(orgId, 'health')}">Health details</a></dd>
  </dl>`;
}

function settingsForm(org: OrgRecord, csrf: string): Html {
  const option = (value: string, label: string) =>
    html`<option value="${value}"${org.deleteMode === value ? html` selected` : ''}>${label}</option>`;
  return html`<h2>Settings</h2>
    <form class="row" method="post" action="${orgPath(org.id, 'settings')}">
      ${csrfField(csrf)}
      <label>SCIM (enterprise plan)
        <select name="scim">
          <option value="on"${org.scimEnabled ? html` selected` : ''}>enabled</option>
          <option value="off"${org.scimEnabled ? '' : html` selected`}>disabled</option>
        </select></label>
      <label>When the IdP deletes a user
        <select name="deleteMode">${option('retain', 'retain the account, deactivated')}${option('erase', 'erase the account')}</select></label>
      <button type="submit">Save settings</button>
    </form>`;
}
