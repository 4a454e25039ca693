import Type, { type Static } from 'typebox';
import type { SetupLinkRecord } from '../../services/index.js';
import { ScimError } from '../../services/index.js';
import type { ConsolePage } from '../admin-routes.js';
import { badge, date, type Html, html, orgPath } from '../html.js';
import { csrfField } from './layout.js';

const OrgParams = Type.Object({ orgId: Type.String({ maxLength: 64 }) });
const CreateForm = Type.Object({ _csrf: Type.String(), expiresIn: Type.String({ maxLength: 10 }) });
/** Lifetimes offered for a setup link, in hours. */
const LIFETIMES: Readonly<Record<string, [number, string]>> = {
  '24h': [24, '1 day'],
  '72h': [72, '3 days'],
  '168h': [168, '7 days'],
};

function state(link: SetupLinkRecord, now: number): Html {
  if (link.usedAt !== null) return html`${badge('used', 'muted')} ${date(link.usedAt)}`;
  if (link.expiresAt <= now) return badge('expired', 'muted');
  return badge('waiting', 'warn');
}

/** The organization page's setup-link section: recent links and the create form. */
export function setupLinkSection(orgId: string, links: readonly SetupLinkRecord[], csrf: string, now: number): Html {
  return html`<h2 id="setup-links">Setup links</h2>
    <p class="muted">A single-use link for the customer's admin: opening it shows the Tenant URL and a token issued at that moment, once.</p>
    ${
      links.length > 0 &&
      html`<table><thead><tr><th>Created</th><th>Expires</th><th>State</th><th>Token issued</th></tr></thead><tbody>
      ${links.map((l) => html`<tr><td>${date(l.createdAt)}</td><td>${date(l.expiresAt)}</td><td>${state(l, now)}</td><td class="mono">${l.tokenId ?? ''}</td></tr>`)}
    </tbody></table>`
    }
    <form class="row" method="post" action="${orgPath(orgId, 'setup-links')}">
      ${csrfField(csrf)}
      <label>Valid for <select name="expiresIn">${Object.entries(LIFETIMES).map(([v, [, l]]) => html`<option value="${v}"${v === '72h' ? html` selected` : ''}>${l}</option>`)}</select></label>
      <button class="primary" type="submit">Create setup link</button>
    </form>`;
}

export const setupLinkPages: ConsolePage = (scope, ctx) => {
  scope.post(
    '/orgs/:orgId/setup-links',
    { schema: { params: OrgParams, body: CreateForm } },
    async (request, reply) => {
      const { orgId } = request.params as Static<typeof OrgParams>;
      const hours = LIFETIMES[(request.body as Static<typeof CreateForm>).expiresIn]?.[0];
      if (hours === undefined)
        throw new ScimError(400, 'Choose one of the offered lifetimes', 'invalidValue', 'console.linkLifetime');
      const created = await ctx.services.setupLinks.create(orgId, ctx.operator(request), {
        expiresInMs: hours * 3_600_000,
      });
      const base = ctx.publicUrl ?? `${request.protocol}://${request.host}`;
      const url = `${base}/setup/${created.secret}`;
      return ctx.page(request, reply, {
        title: 'Setup link',
        trail: [
          ['Organizations', '/admin/orgs'],
          ['Organization', orgPath(orgId)],
        ],
        body: html`<p>Send this link to the customer's IdP admin. It works once, until ${date(created.record.expiresAt)}; opening it issues a new token.</p>
        <p><strong>Copy it now: it is shown once and only its hash is stored.</strong></p>
        <p class="secret" data-testid="setup-link">${url}</p>
        <p><a href="${orgPath(orgId)}#setup-links">Back to the organization</a></p>`,
      });
    },
  );
};
