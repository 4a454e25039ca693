import Type, { type Static } from 'typebox';
import { ScimError, type WebhookView } from '../../services/index.js';
import type { ConsoleContext, ConsolePage } from '../admin-routes.js';
import { badge, date, type Html, html, orgPath } from '../html.js';
import { csrfField } from './layout.js';
import { addWebhookForm, webhookActions } from './webhook-actions.js';

const OrgParams = Type.Object({ orgId: Type.String({ maxLength: 64 }) });
const HookParams = Type.Object({
  orgId: Type.String({ maxLength: 64 }),
  webhookId: Type.String({ maxLength: 64 }),
  action: Type.Union([Type.Literal('enable'), Type.Literal('disable')]),
});
const CsrfOnly = Type.Object({ _csrf: Type.String() });

function state(w: WebhookView): Html {
  if (w.state === 'disabled') return badge('disabled', 'bad');
  if (w.state === 'failing') return badge('failing', 'warn');
  return badge('enabled', 'ok');
}

function row(orgId: string, w: WebhookView, csrf: string): Html {
  const mine = w.organizations.find((o) => o.orgId === orgId);
  const action = w.enabled ? 'disable' : 'enable';
  return html`<tr>
    <td class="mono">${w.url}</td>
    <td>${w.orgId === null ? 'every organization' : 'this organization'}${w.description && html`<br><span class="muted">${w.description}</span>`}</td>
    <td>${state(w)}${w.disabledReason && html`<br><span class="muted">${w.disabledReason}</span>`}</td>
    <td>${mine ? mine.backlog : w.backlog}</td>
    <td>${w.lastStatus ?? html`<span class="muted">–</span>`}${w.lastError && html`<br><span class="muted">${w.lastError}</span>`}</td>
    <td>${date(w.lastAttemptAt)}</td>
    <td>${date(w.failingSince)}</td>
    <td><form class="inline" method="post" action="${orgPath(orgId, `webhooks/${w.id}/${action}`)}">
      ${csrfField(csrf)}<button type="submit"${action === 'disable' ? html` class="danger"` : ''}>${action === 'enable' ? 'Enable and replay' : 'Disable'}</button>
    </form> ${webhookActions(orgId, w, csrf)}</td>
  </tr>`;
}

/** The webhooks that receive an organization's events, with their delivery state; enable and disable. */
export const webhookPages: ConsolePage = (scope, ctx) => {
  scope.get('/orgs/:orgId/webhooks', { schema: { params: OrgParams } }, async (request, reply) => {
    const { orgId } = request.params as Static<typeof OrgParams>;
    const org = await ctx.services.organizations.get(orgId);
    const hooks = await ctx.services.webhooks.list({ orgId });
    const csrf = ctx.csrfToken(request);
    const list =
      hooks.length === 0
        ? html`<p class="muted">No webhook receives this organization's events yet.</p>`
        : html`<table><thead><tr><th>URL</th><th>Receives</th><th>State</th><th>Waiting</th><th>Last status</th><th>Last attempt</th><th>Failing since</th><th></th></tr></thead>
          <tbody>${hooks.map((w) => row(orgId, w, csrf))}</tbody></table>
          <p class="muted">Enabling resumes from where each organization's delivery stopped: the events missed are sent next, in order.</p>`;
    const body = html`${list}${addWebhookForm(orgId, csrf)}`;
    return ctx.page(request, reply, {
      title: `Webhooks of ${org.name}`,
      body,
      trail: [
        ['Organizations', '/admin/orgs'],
        [org.name, orgPath(orgId)],
      ],
    });
  });

  scope.post(
    '/orgs/:orgId/webhooks/:webhookId/:action',
    { schema: { params: HookParams, body: CsrfOnly } },
    async (request, reply) => {
      const { orgId, webhookId, action } = request.params as Static<typeof HookParams>;
      await receivesOrg(ctx, orgId, webhookId);
      const operator = ctx.operator(request);
      const done =
        action === 'enable'
          ? await ctx.services.webhooks.enable(operator, webhookId, { requestId: request.id })
          : await ctx.services.webhooks.disable(operator, webhookId, { requestId: request.id });
      return ctx.redirect(request, reply, orgPath(orgId, 'webhooks'), `Webhook ${done.url} ${action}d`);
    },
  );
};

/** A webhook acted on from an organization's page must be one that receives its events. */
async function receivesOrg(ctx: ConsoleContext, orgId: string, webhookId: string): Promise<void> {
  const hooks = await ctx.services.webhooks.list({ orgId });
  if (!hooks.some((w) => w.id === webhookId)) {
    throw new ScimError(
      404,
      "No such webhook receives this organization's events",
      undefined,
      'console.webhookNotFound',
    );
  }
}
