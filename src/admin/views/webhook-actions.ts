import type { FastifyReply, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { parseDuration, ScimError, type WebhookDeliveryRecord } from '../../services/index.js';
import type { ConsoleContext, ConsolePage } from '../admin-routes.js';
import { date, type Html, html, orgPath, query } from '../html.js';
import { csrfField } from './layout.js';
import { visible } from './org-section.js';
import { secretPage } from './secret-page.js';

/*
 * What support does to an organization's webhooks besides enabling and disabling (webhooks.ts):
 * add one, send a signed test ping, read its delivery log, rotate its secret, remove it. A
 * deployment-wide webhook is shown and tested here, but added, rotated and removed only with the
 * CLI: from one organization's page that would change every organization's delivery.
 */

/** Delivery log rows per page. */
export const DELIVERIES_PER_PAGE = 50;

const OrgParams = Type.Object({ orgId: Type.String({ maxLength: 64 }) });
const HookParams = Type.Object({ orgId: Type.String({ maxLength: 64 }), webhookId: Type.String({ maxLength: 64 }) });
const AddForm = Type.Object({
  _csrf: Type.String(),
  url: Type.String({ maxLength: 2048 }),
  description: Type.Optional(Type.String({ maxLength: 500 })),
});
const RotateForm = Type.Object({ _csrf: Type.String(), grace: Type.String({ maxLength: 10 }) });
const CsrfOnly = Type.Object({ _csrf: Type.String() });
const DeliveriesQuery = Type.Object({ before: Type.Optional(Type.String({ maxLength: 64 })) });

/** Grace periods a rotation offers for the previous secret. */
export const SECRET_GRACES = [
  ['1d', 'old secret also signs for 1 day'],
  ['1h', '1 hour'],
  ['7d', '7 days'],
  ['0s', 'none: new secret only'],
] as const;

/** The add form, under the organization's webhook list. */
export function addWebhookForm(orgId: string, csrf: string): Html {
  return html`<h2>New webhook for this organization</h2>
    <form class="row" method="post" action="${orgPath(orgId, 'webhooks')}">
      ${csrfField(csrf)}
      <label>Receiver URL <input name="url" type="url" required maxlength="2048" size="50" placeholder="https://app.example/hooks/scim"></label>
      <label>Description (optional) <input name="description" maxlength="500"></label>
      <button class="primary" type="submit">Add webhook</button>
    </form>`;
}

/** The per-webhook actions of a row: test and the log for every webhook, the rest for this organization's own. */
export function webhookActions(orgId: string, webhook: { id: string; orgId: string | null }, csrf: string): Html {
  const base = orgPath(orgId, `webhooks/${encodeURIComponent(webhook.id)}`);
  const own = webhook.orgId === orgId;
  return html`<a href="${base}/deliveries">Delivery log</a>
    <form class="inline" method="post" action="${base}/test">${csrfField(csrf)}<button type="submit">Send test</button></form>
    ${
      own &&
      html`<form class="inline" method="post" action="${base}/rotate-secret">${csrfField(csrf)}
        <select name="grace" aria-label="Grace for the previous secret">${SECRET_GRACES.map(([v, l]) => html`<option value="${v}">${l}</option>`)}</select>
        <button type="submit">Rotate secret</button></form>
      <form class="inline" method="post" action="${base}/remove">${csrfField(csrf)}<button class="danger" type="submit">Remove</button></form>`
    }`;
}

export const webhookActionPages: ConsolePage = (scope, ctx) => {
  scope.post('/orgs/:orgId/webhooks', { schema: { params: OrgParams, body: AddForm } }, async (request, reply) => {
    const { orgId } = request.params as Static<typeof OrgParams>;
    const form = request.body as Static<typeof AddForm>;
    const description = form.description?.trim();
    const added = await ctx.services.webhooks.add(
      ctx.operator(request),
      { url: form.url, orgId, ...(description ? { description } : {}) },
      { requestId: request.id },
    );
    return webhookSecretPage(
      ctx,
      request,
      reply,
      orgId,
      added.secret,
      html`Webhook to <code>${added.webhook.url}</code> added: it receives this organization's events from now on.`,
    );
  });

  scope.post(
    '/orgs/:orgId/webhooks/:webhookId/test',
    { schema: { params: HookParams, body: CsrfOnly } },
    async (request, reply) => {
      const { orgId, webhookId } = request.params as Static<typeof HookParams>;
      await receiving(ctx, orgId, webhookId, false);
      const result = await ctx.services.webhooks.test(ctx.operator(request), webhookId, { requestId: request.id });
      const answer =
        result.status !== null ? `answered ${result.status}` : `did not answer (${result.error ?? 'no response'})`;
      const notice = `Test ping ${result.ok ? 'delivered' : 'failed'}: the receiver ${answer} in ${result.durationMs} ms`;
      return ctx.redirect(request, reply, orgPath(orgId, 'webhooks'), notice);
    },
  );

  scope.post(
    '/orgs/:orgId/webhooks/:webhookId/rotate-secret',
    { schema: { params: HookParams, body: RotateForm } },
    async (request, reply) => {
      const { orgId, webhookId } = request.params as Static<typeof HookParams>;
      await receiving(ctx, orgId, webhookId, true);
      const grace = (request.body as Static<typeof RotateForm>).grace;
      const graceMs = /^0[smhd]$/.test(grace) ? 0 : parseDuration(grace);
      if (graceMs === undefined) {
        throw new ScimError(400, `"${grace}" is not a duration such as 1d or 12h`, 'invalidValue', 'console.duration');
      }
      const rotated = await ctx.services.webhooks.rotateSecret(ctx.operator(request), webhookId, {
        graceMs,
        requestId: request.id,
      });
      const until = rotated.webhook.previousSecretExpiresAt;
      return webhookSecretPage(
        ctx,
        request,
        reply,
        orgId,
        rotated.secret,
        until === null
          ? html`Secret of <code>${rotated.webhook.url}</code> rotated: deliveries are signed with this one only.`
          : html`Secret of <code>${rotated.webhook.url}</code> rotated: deliveries carry both signatures until ${date(until)}.`,
      );
    },
  );

  scope.post(
    '/orgs/:orgId/webhooks/:webhookId/remove',
    { schema: { params: HookParams, body: CsrfOnly } },
    async (request, reply) => {
      const { orgId, webhookId } = request.params as Static<typeof HookParams>;
      await receiving(ctx, orgId, webhookId, true);
      const removed = await ctx.services.webhooks.remove(ctx.operator(request), webhookId, { requestId: request.id });
      return ctx.redirect(request, reply, orgPath(orgId, 'webhooks'), `Webhook ${removed.url} removed`);
    },
  );

  scope.get(
    '/orgs/:orgId/webhooks/:webhookId/deliveries',
    { schema: { params: HookParams, querystring: DeliveriesQuery } },
    async (request, reply) => {
      const { orgId, webhookId } = request.params as Static<typeof HookParams>;
      const { before } = request.query as Static<typeof DeliveriesQuery>;
      const webhook = await receiving(ctx, orgId, webhookId, false);
      const org = await ctx.services.organizations.get(orgId);
      const page = await ctx.services.webhooks.deliveries(webhookId, {
        orgId,
        limit: DELIVERIES_PER_PAGE,
        ...(before !== undefined ? { before } : {}),
      });
      const base = orgPath(orgId, `webhooks/${encodeURIComponent(webhookId)}/deliveries`);
      return ctx.page(request, reply, {
        title: `Deliveries to ${webhook.url}`,
        trail: [
          ['Organizations', '/admin/orgs'],
          [org.name, orgPath(orgId)],
          ['Webhooks', orgPath(orgId, 'webhooks')],
        ],
        body: html`${deliveriesTable(page.items)}
          ${page.next !== null && html`<nav class="pager" aria-label="Pages"><a href="${base}${query({ before: page.next })}" rel="next">Older deliveries →</a></nav>`}`,
      });
    },
  );
};

/** The delivery log, newest first: what was sent and how the receiver answered. */
export function deliveriesTable(items: readonly WebhookDeliveryRecord[]): Html {
  if (items.length === 0) return html`<p class="muted">Nothing delivered to this organization yet.</p>`;
  return html`<table>
    <thead><tr><th>Time</th><th>Event</th><th>Cursor</th><th>Attempt</th><th>Receiver</th><th>ms</th></tr></thead>
    <tbody>${items.map(
      (d) => html`<tr>
      <td>${date(d.at)}</td>
      <td>${d.eventType}<br><span class="muted mono">${d.eventId}</span></td>
      <td>${d.cursor ?? html`<span class="muted">test</span>`}</td>
      <td>${d.attempt}</td>
      <td>${d.status ?? html`<span class="muted">no answer</span>`}${d.error && html`<br><span class="muted">${visible(d.error)}</span>`}${d.responseExcerpt && html`<br><span class="muted mono">${visible(d.responseExcerpt)}</span>`}</td>
      <td>${d.durationMs}</td>
    </tr>`,
    )}</tbody>
  </table>`;
}

/**
 * A webhook named in an organization's console path must receive that organization's events;
 * `own`: and be that organization's (not deployment-wide), for changes made from its page.
 */
async function receiving(ctx: ConsoleContext, orgId: string, webhookId: string, own: boolean) {
  const hooks = await ctx.services.webhooks.list({ orgId });
  const webhook = hooks.find((w) => w.id === webhookId);
  if (!webhook) {
    throw new ScimError(
      404,
      "No such webhook receives this organization's events",
      undefined,
      'console.webhookNotFound',
    );
  }
  if (own && webhook.orgId !== orgId) {
    throw new ScimError(
      403,
      'A webhook of every organization is changed with the CLI (parallel-scim webhook), not from one organization',
      undefined,
      'console.webhookDeploymentWide',
    );
  }
  return webhook;
}

/** A webhook's new secret: what its receiver verifies every delivery with. */
function webhookSecretPage(
  ctx: ConsoleContext,
  request: FastifyRequest,
  reply: FastifyReply,
  orgId: string,
  secret: string,
  what: Html,
): FastifyReply {
  return secretPage(ctx, request, reply, {
    title: 'Webhook secret',
    trail: [
      ['Organizations', '/admin/orgs'],
      ['Webhooks', orgPath(orgId, 'webhooks')],
    ],
    what,
    use: html`The receiver verifies every delivery with it (docs/webhooks.md "Verifying").`,
    secret,
    testId: 'webhook-secret',
    back: ['Back to the webhooks', orgPath(orgId, 'webhooks')],
  });
}
